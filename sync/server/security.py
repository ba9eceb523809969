"""Passwords (scrypt, never stored plain) and bearer tokens (stored only as sha256)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

_N, _R, _P, _DKLEN = 2**14, 8, 1, 32


def hash_password(password: str) -> str:
    """Return a salted scrypt hash in the form scrypt$n$r$p$salt$hash."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=_DKLEN)
    return "$".join(["scrypt", str(_N), str(_R), str(_P), _b64(salt), _b64(digest)])


def verify_password(password: str, stored: str | None) -> bool:
    """Check a password against a stored hash in constant time."""
    if not stored:
        return False
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    expected = base64.urlsafe_b64decode(digest)
    actual = hashlib.scrypt(
        password.encode(),
        salt=base64.urlsafe_b64decode(salt),
        n=int(n),
        r=int(r),
        p=int(p),
        dklen=len(expected),
    )
    return hmac.compare_digest(actual, expected)


def new_token() -> str:
    """Return a fresh random bearer token."""
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    """Return the sha256 under which a token is stored."""
    return hashlib.sha256(token.encode()).hexdigest()


def _b64(data: bytes) -> str:
    """Encode bytes as URL-safe base64 text."""
    return base64.urlsafe_b64encode(data).decode()
