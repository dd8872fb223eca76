"""Signing in with a built-in account's password: throttled (:mod:`access.sign_in_throttle`), checked
(:func:`access.auth.authenticate`, timing-equalised) and audited, with nothing a visitor typed stored as is.

Audit entries: ``sign_in``; ``sign_in_failed`` and ``sign_in_throttled`` under the account's name when the username
exists, otherwise under the fixed label :data:`UNKNOWN_USER` with a short SHA-256 of what was typed (so repeated
attempts can be told apart without writing visitor-controlled text into the trail).
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy.engine import Engine

from access import audit, sign_in_throttle
from access.auth import Account, authenticate, get_account

UNKNOWN_USER = "(unknown user)"


class SignInThrottled(Exception):
    """Too many failed attempts for this account or from this client; ``minutes`` until the next try."""

    def __init__(self, minutes: int) -> None:
        self.minutes = minutes
        super().__init__(f"Too many attempts; try again in {minutes} minute{'s' if minutes != 1 else ''}.")


def _who(engine: Engine, typed: str) -> tuple[str, dict[str, str]]:
    """Audit name and details for a typed username: the account's own name, or the fixed label with a digest."""
    account = get_account(engine, typed) if 0 < len(typed) <= 191 else None
    if account is not None:
        return account.username, {}
    return UNKNOWN_USER, {"username_sha256": hashlib.sha256(typed.encode("utf-8", "surrogatepass")).hexdigest()[:16]}


def sign_in_with_password(
    engine: Engine, username: str, password: str, *, client: str | None, now: datetime | None = None
) -> Account | None:
    """The active account if ``password`` is right for ``username``, else None (audited either way).

    ``client`` is the client's address (None for a local connection). Raises :class:`SignInThrottled` (audited as
    ``sign_in_throttled``, without checking the password) while the account or the client must wait.
    """
    typed = username.strip()
    keys = [sign_in_throttle.account_key(typed), sign_in_throttle.client_key(client)]
    who, details = _who(engine, typed)
    wait = sign_in_throttle.wait_seconds(engine, keys, now)
    if wait > 0:
        minutes = sign_in_throttle.wait_minutes(wait)
        throttled = {"method": "password", "retry_after_minutes": minutes, **details}
        audit.record(engine, who, "sign_in_throttled", throttled)
        raise SignInThrottled(minutes)
    account = authenticate(engine, typed, password)
    if account is None:
        sign_in_throttle.record_failure(engine, keys, now)
        audit.record(engine, who, "sign_in_failed", {"method": "password", **details})
        return None
    sign_in_throttle.clear(engine, keys[0])
    audit.record(engine, account.username, "sign_in", {"method": "password"})
    return account
