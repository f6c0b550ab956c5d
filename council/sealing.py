"""Secrets the app must read back (the TOTP keys of two-factor sign-in, the signing secrets of webhook
endpoints), encrypted at rest.

A copy of the database (a backup, a dump, a read-only SQL injection) must not hand out anyone's second
factor, nor let anyone sign webhooks that the receiving systems would take for the council's. Each
value is sealed with Fernet (AES-128-CBC with HMAC-SHA256) under a key derived with HKDF from
COUNCIL_SECRET_KEY (one key per kind of value), which never is in the database. A key named in
COUNCIL_SECRET_KEY_FALLBACKS (the previous key, while rotating it) still opens values sealed under it;
`flask council reseal-secrets` seals them again under the current key.
"""

from __future__ import annotations

import base64
import logging

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

# A separate purpose label per kind of value: the same secret key never yields the same Fernet key
# for two uses, and never the key that signs cookies.
TOTP_PURPOSE = b"council/totp-secret/v1"
WEBHOOK_PURPOSE = b"council/webhook-secret/v1"
log = logging.getLogger(__name__)


def derive_key(secret_key: str, purpose: bytes = TOTP_PURPOSE) -> bytes:
    """The Fernet key for `purpose` under `secret_key` (HKDF-SHA256, 32 bytes, url-safe base64)."""
    raw = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(secret_key.encode())
    return base64.urlsafe_b64encode(raw)


def _box(purpose: bytes, secret_key: str | None = None) -> MultiFernet:
    if secret_key is not None:
        keys = [secret_key]
    else:
        fallbacks = current_app.config.get("SECRET_KEY_FALLBACKS") or []
        keys = [current_app.config["SECRET_KEY"], *fallbacks]
    return MultiFernet([Fernet(derive_key(key, purpose)) for key in keys])


def seal(value: str, purpose: bytes = TOTP_PURPOSE, *, secret_key: str | None = None) -> str:
    """`value` encrypted (and authenticated) under the current secret key."""
    return _box(purpose, secret_key).encrypt(value.encode()).decode("ascii")


def unseal(sealed: str, purpose: bytes = TOTP_PURPOSE, *, secret_key: str | None = None) -> str | None:
    """The value, or None when no key at hand opens it (the secret key changed without a fallback).

    None rather than an error: one unreadable value must not make every page that loads a person fail;
    for a second factor it means no code is accepted until an administrator resets it."""
    try:
        return _box(purpose, secret_key).decrypt(sealed.encode("ascii")).decode()
    except (InvalidToken, UnicodeError):
        log.error("A sealed secret cannot be opened with COUNCIL_SECRET_KEY or its fallbacks: was the "
                  "key changed without keeping the old one in COUNCIL_SECRET_KEY_FALLBACKS?")
        return None


def reseal(sealed: str, purpose: bytes = TOTP_PURPOSE) -> str:
    """The same value sealed under the current key (after a rotation); raises InvalidToken if no key
    at hand opens it."""
    return _box(purpose).rotate(sealed.encode("ascii")).decode("ascii")
