"""The errors a person can act on, each with the HTTP status it becomes.

Domain and storage code raise these with a sentence for the reader; the web
layer's error middleware turns any of them into that status and sentence, in
one place. The CLI prints the sentence and exits 1.
"""

from __future__ import annotations


class LiveqError(Exception):
    """Something the person asked for cannot be done; ``str(exc)`` says why."""

    status = 400


class InvalidInput(LiveqError, ValueError):
    """Input that cannot be accepted as it is (400)."""

    status = 400


class NotFound(LiveqError, LookupError):
    """No such event, question, user or item (404)."""

    status = 404


class Conflict(LiveqError):
    """The thing's state does not allow it now, or someone changed it first (409)."""

    status = 409


class AlreadyExists(Conflict):
    """A unique name (event slug, username) is taken (409)."""
