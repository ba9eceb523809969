"""The error catalogue shared by phone and server: one tree, stable codes, HTTP mapped only in sync.server.

* ImsError                  base; `code` is stable, the message is for people
  x InvalidRequest          malformed or invalid input (`errors` lists fields)
  x NotAuthenticated        no, unknown, expired or revoked token
  x BadCredentials          wrong username or password
  x Forbidden               signed in, but the role or site does not allow it
  x NotFound                no such thing, or not visible to this user
  x Conflict                the request clashes with the current state
  x Unavailable             a part the request needs (database, mail) cannot be reached
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
