#!/usr/bin/env bash
# The wheel check: build Jobdeck's wheel, install it into a fresh virtualenv and use it from a
# folder outside the repository, as someone who ran `pip install jobdeck` would. Fails if the
# installed package lacks anything it needs (migrations, templates, static files) or still reads
# from the source tree.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
started=$SECONDS

fail() {
    echo "wheel check FAILED: $*" >&2
    exit 1
}

# check DESCRIPTION COMMAND...: run it; on failure show its output and stop CI with DESCRIPTION.
check() {
    local what="$1"
    shift
    echo "== wheel check: $what"
    if ! "$@" >"$work/output" 2>&1; then
        sed 's/^/    /' "$work/output" >&2
        fail "$what"
    fi
}

# expect TEXT: the last command's output must contain TEXT.
expect() {
    grep -qF -- "$1" "$work/output" || { sed 's/^/    /' "$work/output" >&2; fail "expected \"$1\" in the output above"; }
}

# A copy of the working tree (tracked and new files, nothing ignored): an old build/ folder in the
# repository must not leak stale files into the wheel.
mkdir "$work/src"
if git -C "$repo" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    (cd "$repo" && git ls-files -z --cached --others --exclude-standard \
        | tar --null --ignore-failed-read -cf - -T - 2>/dev/null) | tar -xf - -C "$work/src"
else
    (cd "$repo" && tar --exclude=./build --exclude=./dist --exclude='*.egg-info' -cf - .) | tar -xf - -C "$work/src"
fi

check "build the wheel" python3 -m pip wheel --quiet --no-deps -w "$work/dist" "$work/src"
wheel=$(ls "$work"/dist/jobdeck-*.whl)
check "create a fresh virtualenv" python3 -m venv "$work/venv"
# Dependencies come from the same package index (pip configuration) as the main install.
check "install $(basename "$wheel") and its dependencies" "$work/venv/bin/python" -m pip install --quiet --no-compile "$wheel"

# Use it from an empty folder, with no PYTHONPATH and no JOBDECK_* settings from this shell.
home="$work/home"
mkdir -p "$home/jobs"
cd "$home"
in_venv() {
    env -i PATH="$work/venv/bin:/usr/bin:/bin" HOME="$home" LANG=C.UTF-8 \
        JOBDECK_JOBS_ROOT="$home/jobs" "$@"
}

check "the installed package is imported, not the repository" \
    in_venv python -c 'import app, sys; print(app.__file__); sys.exit(not app.__file__.startswith(sys.prefix))'

version=$(in_venv python -c 'import importlib.metadata as m; print(m.version("jobdeck"))')
check "jobdeck --version" in_venv jobdeck --version
expect "jobdeck $version"

check "jobdeck migrate" in_venv jobdeck migrate
expect "Applied 0001_"

check "jobdeck createsuperuser" in_venv jobdeck createsuperuser --username admin --password-stdin \
    <<<"wheel-check-pw"
expect "Superuser 'admin' created."

: >"$home/jobs/__init__.py"
cat >"$home/jobs/wheel_check.py" <<'EOF'
from app.jobs import Job, StringVar, register_jobs


class WheelCheck(Job):
    class Meta:
        name = "Wheel check"
        has_sensitive_variables = False

    word = StringVar(default="hello")

    def run(self, *, word):
        self.logger.info("the word is %s", word)
        return {"word": word}


register_jobs(WheelCheck)
EOF
check "jobdeck sync" in_venv jobdeck sync
expect "new (disabled until enabled): wheel_check.WheelCheck"

check "jobdeck jobs enable" in_venv jobdeck jobs enable wheel_check.WheelCheck

check "jobdeck runjob --local" in_venv jobdeck runjob --local --username admin --data '{"word": "wheel"}' \
    wheel_check.WheelCheck
expect "the word is wheel"
expect "Status: SUCCESS"

check "the web pages render from the installed templates and static files" in_venv python - <<'EOF'
from app import create_app

client = create_app().test_client()
page = client.get("/login")
assert page.status_code == 200 and b"<form" in page.data, page.status_code
style = client.get("/static/css/jobdeck.css")
assert style.status_code == 200 and style.data, style.status_code
EOF

echo "== wheel check passed ($(basename "$wheel"), $((SECONDS - started)) s)"
