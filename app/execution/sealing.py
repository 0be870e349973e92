"""Sealing a run's inputs for the queue, so no queue storage (SQLite file, its WAL, Redis) holds them in clear.

``seal(result_id, payload)`` turns the payload into ``{"sealed": bytes}``: AES-GCM (the ``cryptography``
package) under a key derived with HKDF from the secret key, with the result's id as associated data, so
a message cannot be replayed against another result. ``unseal()`` reverses it where the run starts; a
message it cannot open raises ``SealError`` whose text is one sentence saying why.

Every payload is sealed, sensitive or not: one message format, and the cost (a few microseconds per
run) does not show in ``bench/throughput.py``.
"""

from __future__ import annotations

import functools
import os
import pickle

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from app.config import secret_key
from app.exceptions import JobdeckError

__all__ = ["SealError", "seal", "unseal"]

SEALED = "sealed"
VERSION = b"\x01"
NONCE_SIZE = 12
UNREADABLE = (
    "The run's inputs could not be decrypted: this worker's secret key (JOBDECK_SECRET_KEY, or the "
    "jobdeck.secret file in its working folder) differs from the one of the process that queued the run. "
    "Give the web server, the workers and the CLI the same key, then run the job again."
)


class SealError(JobdeckError):
    """A queued payload that cannot be sealed or opened here (``str(exc)`` says why)."""


@functools.lru_cache(maxsize=4)
def _cipher(key: str) -> AESGCM:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"jobdeck queue payload v1").derive(
        key.encode("utf-8")
    )
    return AESGCM(derived)


def _current_cipher() -> AESGCM:
    key = secret_key()
    if not key:
        raise SealError("No secret key is configured (JOBDECK_SECRET_KEY), so the run's inputs cannot be sealed.")
    return _cipher(key)


def seal(result_id, payload: dict) -> dict:
    """The queue message for ``payload``, the inputs of result ``result_id``."""
    nonce = os.urandom(NONCE_SIZE)
    # Pickled like the rest of Huey's message (inputs may hold UUIDs and the like); only authenticated
    # bytes, sealed under our own key, are ever unpickled.
    plain = pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)
    return {SEALED: VERSION + nonce + _current_cipher().encrypt(nonce, plain, str(result_id).encode())}


def unseal(result_id, message: dict) -> dict:
    """The payload inside a queue message; a message queued before sealing existed passes as it is."""
    if SEALED not in message:
        return message
    token = message[SEALED]
    if not isinstance(token, bytes) or token[:1] != VERSION or len(token) <= 1 + NONCE_SIZE:
        raise SealError("The run's queued inputs are not in a format this version of Jobdeck reads.")
    nonce, sealed = token[1:1 + NONCE_SIZE], token[1 + NONCE_SIZE:]
    try:
        plain = _current_cipher().decrypt(nonce, sealed, str(result_id).encode())
    except InvalidTag:
        raise SealError(UNREADABLE) from None
    return pickle.loads(plain)
