"""The error catalogue shared by phone and server: one tree, stable codes, HTTP mapped only in sync.server.

* ImsError                  base; `code` is stable, the message is for people
  x InvalidRequest          malformed or invalid input (`errors` lists fields)
  x NotAuthenticated        no, unknown, expired or revoked token
  x BadCredentials          wrong username or password
  x Forbidden               signed in, but the role or site does not allow it
  x NotFound                no such thing, or not visible to this user
  x Conflict                the request clashes with the current state
  x Unavailable             a part the request needs (database, mail) cannot be reached
  Sync and upload refinements (SeqGap, DeviceFork, DigestMismatch…) subclass these with their own codes.
"""

from __future__ import annotations

from typing import Any, ClassVar


class ImsError(Exception):
    """Base of every error that crosses a boundary; clients branch on `code`, never the message."""

    code: ClassVar[str] = "error"

    def __init__(self, message: str, *, code: str | None = None, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code  # type: ignore[misc]
        self.details = details

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON body sent for this error."""
        return {"code": self.code, "message": self.message, **self.details}


class InvalidRequest(ImsError):
    """The request is malformed or fails validation."""

    code = "invalid_request"


class NotAuthenticated(ImsError):
    """No valid bearer token."""

    code = "not_authenticated"


class BadCredentials(ImsError):
    """The username or password is wrong."""

    code = "bad_credentials"


class Forbidden(ImsError):
    """The user may not do this."""

    code = "forbidden"


class NotFound(ImsError):
    """The thing does not exist or is not visible to this user."""

    code = "not_found"


class Conflict(ImsError):
    """The request conflicts with the stored state."""

    code = "conflict"


class Unavailable(ImsError):
    """Something the request needs cannot be reached."""

    code = "unavailable"


class SeqGap(Conflict):
    """A pushed seq skips ahead of the device's watermark; `expected` is where to resend from."""

    code = "seq_gap"


class DeviceFork(Conflict):
    """A seen seq arrived with a different payload: a restored or cloned install must re-register."""

    code = "device_fork"


class DeviceMismatch(Forbidden):
    """The token may not push for this device id."""

    code = "device_mismatch"


class UnknownDevice(NotFound):
    """No device has this id."""

    code = "unknown_device"


class PayloadHashMismatch(InvalidRequest):
    """A mutation's payload_sha256 is not the hash of its args; `seq` names it."""

    code = "payload_hash_mismatch"


class BatchTooLarge(InvalidRequest):
    """More mutations in one push than the protocol allows."""

    code = "batch_too_large"


class DigestMismatch(InvalidRequest):
    """An uploaded file's bytes do not hash to the sha256 it was declared with."""

    code = "digest_mismatch"


class ChecksumMismatch(InvalidRequest):
    """A tus chunk's bytes do not match its Upload-Checksum; the chunk was discarded."""

    code = "checksum_mismatch"


class UploadTooLarge(InvalidRequest):
    """The file is larger than the server accepts."""

    code = "upload_too_large"


class OffsetMismatch(Conflict):
    """A tus PATCH started at an offset other than the stored one."""

    code = "offset_mismatch"


class UnsupportedMediaType(InvalidRequest):
    """The request body has the wrong Content-Type."""

    code = "unsupported_media_type"


class TusVersionUnsupported(InvalidRequest):
    """The request does not speak tus 1.0.0."""

    code = "tus_version_unsupported"
