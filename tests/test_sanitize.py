"""Secret redaction in log messages (app/sanitize.py)."""

from __future__ import annotations

import pytest

from app.sanitize import REDACTED
from app.sanitize import compile_patterns
from app.sanitize import sanitize

SECRETS = [
    (
        "Cloning https://admin:s3cr3t-P4ss@git.example.com/netops/jobs.git",
        "Cloning https://admin:(redacted)@git.example.com/netops/jobs.git",
    ),
    (
        "git fetch https://ghp_A1b2C3d4E5f6G7h8@github.com/acme/jobs.git failed",
        "git fetch https://(redacted)@github.com/acme/jobs.git failed",
    ),
    ("Using cache redis://:hunter2@cache:6379/0", "Using cache redis://:(redacted)@cache:6379/0"),
    (
        "postgresql://jobdeck:p@ss:w0rd@db.internal:5432/jobdeck",
        "postgresql://jobdeck:(redacted)@db.internal:5432/jobdeck",
    ),
    (
        "Connecting to rtr1 with password=Cisco123! user=admin",
        "Connecting to rtr1 with password=(redacted) user=admin",
    ),
    ("enable password: Sup3rS3cret", "enable password: (redacted)"),
    ("PASSWD = letmein", "PASSWD = (redacted)"),
    ("login pwd=abc123 ok", "login pwd=(redacted) ok"),
    (
        'Payload {"username": "bob", "password": "hun\\"ter2", "port": 22}',
        'Payload {"username": "bob", "password": "(redacted)", "port": 22}',
    ),
    ("{'secret': 'tacacs key', 'host': 'aaa1'}", "{'secret': '(redacted)', 'host': 'aaa1'}"),
    (
        "Authorization: Token 0123456789abcdef0123456789abcdef01234567",
        "Authorization: Token (redacted)",
    ),
    ("Authorization: Basic dXNlcjpwYXNzd29yZA==", "Authorization: Basic (redacted)"),
    (
        "headers={'Authorization': 'Bearer eyJhbGciOiJIUzI1NiJ9.e30.c2lnbmF0dXJl'}",
        "headers={'Authorization': 'Bearer (redacted)'}",
    ),
    ("curl -H 'X-API-Key: 7f3a9c1e' https://ipam/api", "curl -H 'X-API-Key: (redacted)' https://ipam/api"),
    ("GET /api/devices/?apikey=deadbeef42&limit=5", "GET /api/devices/?apikey=(redacted)&limit=5"),
    ("api_key=AKIA1234 region=eu-west-1", "api_key=(redacted) region=eu-west-1"),
    ("AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "AWS_SECRET_ACCESS_KEY=(redacted)"),
    ("radius key=Tr1cky,Pass next=1", "radius key=(redacted) next=1"),
    ("ssh_key: AAAAB3NzaC1yc2E, done", "ssh_key: (redacted), done"),
    ("access_token=ya29.a0AfH6SMBx&token_type=Bearer", "access_token=(redacted)&token_type=Bearer"),
    ("mysql -u root --password 'pa ss' -h db1", "mysql -u root --password '(redacted)' -h db1"),
    ("Calling API with Bearer abcdef0123456789xyz", "Calling API with Bearer (redacted)"),
    ("client_secret => 'Zm9vYmFy'", "client_secret => '(redacted)'"),
]

UNTOUCHED = [
    "Device rtr1.ams1 has 48 interfaces, 3 down",
    "Backed up running-config of sw-core-01 (12345 bytes)",
    "Sent report to netops@example.com",
    "Cloning ssh://git@github.com/acme/jobs.git",
    "Fetched https://github.com/acme/jobs.git at 3f2a1bc",
    "monkey=3 passed=12 failed=0 tokenizer=fast",
    "Bearer authentication is enabled on the API",
    "Rotated the secret successfully",
    "Password policy requires 12 characters",
    "Job finished: 5 devices, 0 errors",
    "",
]


@pytest.mark.parametrize(("message", "expected"), SECRETS)
def test_redacts_realistic_secrets(message, expected):
    assert sanitize(message) == expected


@pytest.mark.parametrize("message", UNTOUCHED)
def test_leaves_ordinary_lines_untouched(message):
    assert sanitize(message) == message


@pytest.mark.parametrize(("message", "_expected"), SECRETS)
def test_redaction_is_idempotent(message, _expected):
    once = sanitize(message)
    assert sanitize(once) == once


def test_secret_value_never_survives():
    message = "user=alice password=Wh1te-Rabbit! token=Zz9_QwErTy"
    result = sanitize(message)
    assert "Wh1te-Rabbit" not in result and "Zz9_QwErTy" not in result
    assert result.count(REDACTED) == 2


def test_key_value_separator_does_not_cross_lines():
    message = "Checked password:\nnext line stays"
    assert sanitize(message) == message


def test_multiline_message_redacts_each_line():
    message = "step 1 token=abc123\nstep 2 password=xyz789\nstep 3 fine"
    assert sanitize(message) == "step 1 token=(redacted)\nstep 2 password=(redacted)\nstep 3 fine"


def test_non_string_message_is_converted():
    assert sanitize({"password": "x"}) == "{'password': '(redacted)'}"


def test_extra_pattern_without_groups_replaces_whole_match():
    assert sanitize("customer SSN 123-45-6789 on file", (r"\d{3}-\d{2}-\d{4}",)) == (
        "customer SSN (redacted) on file"
    )


def test_extra_pattern_with_group_replaces_only_the_group():
    message = "snmp-server community N3tw0rks RO"
    assert sanitize(message, (r"community (\S+)",)) == "snmp-server community (redacted) RO"


def test_extra_pattern_with_several_groups_replaces_each():
    message = "tacacs host 10.0.0.1 key 7 0822455D0A16"
    pattern = r"host (\S+) key \d (\S+)"
    assert sanitize(message, (pattern,)) == "tacacs host (redacted) key 7 (redacted)"


def test_extra_pattern_nested_group_is_replaced_once():
    assert sanitize("pin=1234", (r"pin=((\d)\d+)",)) == "pin=(redacted)"


def test_extra_pattern_matching_empty_string_changes_nothing():
    assert sanitize("abc", (r"x*",)) == "abc"


def test_extra_patterns_apply_to_lines_without_builtin_triggers():
    # The cheap precheck only guards the built-in patterns.
    assert sanitize("vault ref VLT-99887", (r"VLT-\d+",)) == "vault ref (redacted)"


def test_extra_patterns_run_after_builtins():
    assert sanitize("password=abc id=42", (r"id=(\d+)",)) == "password=(redacted) id=(redacted)"


def test_invalid_extra_pattern_raises_value_error_naming_it():
    with pytest.raises(ValueError, match=r"invalid sanitizer pattern '\(unclosed'"):
        compile_patterns(("ok", "(unclosed"))
    with pytest.raises(ValueError, match="unclosed"):
        sanitize("anything", ("(unclosed",))


def test_non_string_extra_pattern_is_rejected():
    with pytest.raises(ValueError, match="not a string"):
        compile_patterns((42,))


def test_compile_patterns_is_cached_per_tuple():
    first = compile_patterns((r"a(\d)", r"b"))
    assert compile_patterns([r"a(\d)", r"b"]) is first
    assert [pattern.pattern for pattern in first] == [r"a(\d)", "b"]
