"""Built-in accounts for the embedded deployment: users in the store with argon2id password hashes.

Production deployments sign in through OpenID Connect (``st.login``; see README) and map the identity provider's
claims onto a row of this same ``users`` table (role and units), so authorisation is identical either way.
Passwords are hashed with argon2id (``argon2-cffi`` defaults: RFC 9106 low-memory profile); never stored in clear.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pandas as pd
import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.engine import Engine

from access import audit
from access.data_access import AccessDenied, UserContext
from access.password_policy import password_problem
from access.roles import ROLES
from data_loaders.store import metadata

users = sa.Table(
    "users",
    metadata,
    sa.Column("username", sa.String(191), primary_key=True),
    sa.Column("display_name", sa.String(255), nullable=False),
    sa.Column("role", sa.String(32), nullable=False),
    sa.Column("units", sa.Text, nullable=False, default=""),
    sa.Column("password_hash", sa.Text),
    sa.Column("active", sa.Boolean, nullable=False, default=True),
    sa.Column("demo", sa.Boolean, nullable=False, default=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("password_changed_at", sa.DateTime, nullable=True),
)

_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("timing-equaliser")

DEMO_PASSWORD = "demo"
DEMO_ACCOUNTS = (
    ("demo.admin", "Demo administrator", "admin", ()),
    ("demo.hr", "Demo HR officer", "hr_officer", ()),
    ("demo.icu", "Demo department head (ICU)", "dept_head", ("ICU",)),
    ("demo.ed", "Demo department head (ED)", "dept_head", ("ED",)),
    ("demo.exec", "Demo executive", "executive", ()),
)


class UserError(Exception):
    """A user-administration request that cannot be done; the message says why."""


@dataclass(frozen=True)
class Account:
    username: str
    display_name: str
    role: str
    units: frozenset[str]
    active: bool
    demo: bool
    has_password: bool = False

    def context(self) -> UserContext:
        return UserContext(self.username, self.role, self.units if self.role == "dept_head" else None)


def _account(row) -> Account:
    units = frozenset(u for u in (row.units or "").split(",") if u)
    return Account(
        row.username, row.display_name, row.role, units, bool(row.active), bool(row.demo), bool(row.password_hash)
    )


def add_user(
    engine: Engine,
    username: str,
    role: str,
    *,
    password: str | None,
    display_name: str | None = None,
    units: tuple[str, ...] = (),
    demo: bool = False,
    actor: str | None = None,
) -> None:
    """Create a user. ``password`` None means the user signs in through OpenID Connect only.

    When ``actor`` (the administrator's username) is given the change is audited as ``user_added``.
    Raises :class:`UserError` for an unknown role, a dept_head without units, a password that breaks
    :mod:`access.password_policy` (12 to 128 characters, not common or guessable), a blank or over-long username or
    an existing one. ``demo`` only labels the account; the demo accounts themselves are made by
    :func:`create_demo_accounts`, the one place that uses the demo password.
    """
    username = username.strip()
    if not username or len(username) > 191:
        raise UserError("A username must have 1 to 191 characters.")
    _check_role(role, units)
    if password is not None:
        _check_password(password, username, display_name)
    _insert_account(engine, username, role, password, display_name, units, demo)
    if actor is not None:
        audit.record(
            engine,
            actor,
            "user_added",
            {"user": username, "role": role, "units": sorted(set(units)), "oidc_only": password is None},
        )


def _insert_account(
    engine: Engine,
    username: str,
    role: str,
    password: str | None,
    display_name: str | None,
    units: tuple[str, ...],
    demo: bool,
) -> None:
    with engine.begin() as conn:
        if conn.execute(sa.select(users.c.username).where(users.c.username == username)).first():
            raise UserError(f"User {username!r} already exists.")
        conn.execute(
            users.insert().values(
                username=username,
                display_name=display_name or username,
                role=role,
                units=",".join(sorted(set(units))),
                password_hash=_hasher.hash(password) if password is not None else None,
                active=True,
                demo=demo,
                created_at=_utcnow(),
            )
        )


def _utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _check_password(password: str, username: str, display_name: str | None) -> None:
    problem = password_problem(password, (username, display_name or ""))
    if problem is not None:
        raise UserError(problem)


def _check_role(role: str, units: tuple[str, ...] | frozenset[str]) -> None:
    if role not in ROLES:
        raise UserError(f"Unknown role {role!r}; choose one of {', '.join(ROLES)}.")
    if role == "dept_head" and not units:
        raise UserError("A department head needs at least one unit (--units ICU,ED).")


def set_active(engine: Engine, username: str, active: bool, *, actor: str | None = None) -> None:
    """Enable or disable a user; raises :class:`UserError` if there is no such user.

    With ``actor`` the change is audited as ``user_changed``. An administrator cannot disable their own account
    (so the last way in is not shut by mistake).
    """
    if actor is not None and actor == username and not active:
        raise UserError("You cannot disable your own account; ask another administrator.")
    with engine.begin() as conn:
        if conn.execute(users.update().where(users.c.username == username).values(active=active)).rowcount == 0:
            raise UserError(f"No user {username!r}.")
    if actor is not None:
        audit.record(engine, actor, "user_changed", {"user": username, "active": active})


def set_role(
    engine: Engine, username: str, role: str, units: tuple[str, ...] = (), *, actor: str | None = None
) -> None:
    """Change a user's role and units (units are kept only for ``dept_head``).

    With ``actor`` the change is audited as ``user_changed`` with the old and new values. Raises
    :class:`UserError` for an unknown role, a dept_head without units, an unknown user, or an administrator
    removing their own admin role.
    """
    _check_role(role, units)
    before = get_account(engine, username)
    if before is None:
        raise UserError(f"No user {username!r}.")
    if actor is not None and actor == username and before.role == "admin" and role != "admin":
        raise UserError("You cannot remove your own administrator role; ask another administrator.")
    kept = sorted(set(units)) if role == "dept_head" else []
    with engine.begin() as conn:
        conn.execute(users.update().where(users.c.username == username).values(role=role, units=",".join(kept)))
    if actor is not None:
        audit.record(
            engine,
            actor,
            "user_changed",
            {
                "user": username,
                "role": role,
                "units": kept,
                "old_role": before.role,
                "old_units": sorted(before.units),
            },
        )


def set_password(
    engine: Engine, username: str, new_password: str, *, actor: str, current_password: str | None = None
) -> None:
    """Give ``username`` a new password, audited as ``password_changed`` by ``actor``.

    When ``actor`` is the user themself (the "Your account" page) ``current_password`` must be right (OWASP ASVS
    4.0.3 V2.1.5); otherwise ``actor`` is an administrator or ``cli:<os user>`` resetting it, which the caller has
    checked (:class:`Administration`, the command line). The new password must pass :mod:`access.password_policy`.
    Sessions that began before the change end at their next step (:func:`session_still_valid`). Raises
    :class:`UserError` for an unknown user, a demo account, a wrong current password or a weak new password.
    """
    account_row = _row(engine, username)
    if account_row is None:
        raise UserError(f"No user {username!r}.")
    if account_row.demo:
        raise UserError(f"{username} is a demo account; demo accounts keep the demo password. Add a real account.")
    by_self = actor == username
    if by_self and not _verify(account_row.password_hash, current_password or ""):
        raise UserError("Your current password is wrong; nothing was changed.")
    _check_password(new_password, username, account_row.display_name)
    with engine.begin() as conn:
        conn.execute(
            users.update()
            .where(users.c.username == username)
            .values(password_hash=_hasher.hash(new_password), password_changed_at=_utcnow())
        )
    audit.record(engine, actor, "password_changed", {"user": username, "by": "self" if by_self else "administrator"})


def _row(engine: Engine, username: str):
    with engine.connect() as conn:
        return conn.execute(sa.select(users).where(users.c.username == username)).first()


def _verify(stored: str | None, password: str) -> bool:
    """Check ``password`` against ``stored`` (a dummy hash when there is none, so the work is the same)."""
    try:
        return _hasher.verify(stored or _DUMMY_HASH, password) and bool(stored)
    except (VerificationError, InvalidHashError):
        return False


def authenticate(engine: Engine, username: str, password: str) -> Account | None:
    """The active account if ``password`` is right, else None (same work either way, against timing probes)."""
    row = _row(engine, username)
    ok = _verify(row.password_hash if row is not None else None, password)
    if not ok or row is None or not row.active:
        return None
    return _account(row)


def get_account(engine: Engine, username: str) -> Account | None:
    """The account called ``username`` (active or not), or None."""
    with engine.connect() as conn:
        row = conn.execute(sa.select(users).where(users.c.username == username)).first()
    return _account(row) if row is not None else None


def list_accounts(engine: Engine) -> list[Account]:
    """All accounts, by username."""
    with engine.connect() as conn:
        return [_account(r) for r in conn.execute(sa.select(users).order_by(users.c.username))]


def create_demo_accounts(engine: Engine) -> None:
    """Create the clearly labelled demo accounts (password ``demo``) if they do not exist.

    Only for the bundled sample hospital: the app calls this when it bootstraps the sample into an empty embedded
    store and ``HOSPITAL_DEMO_ACCOUNTS`` is not ``0``. Never enable them on real data.
    """
    for username, name, role, units in DEMO_ACCOUNTS:
        if get_account(engine, username) is None:
            _insert_account(engine, username, role, DEMO_PASSWORD, name, units, demo=True)


class Administration:
    """Administrator-only operations on accounts and the audit trail, for the admin pages.

    Every change is made in the administrator's name and audited (``user_added``, ``user_changed``, ``export``).
    The audit trail is read-only here as everywhere: there is no method that edits or deletes an entry.
    Raises :class:`access.data_access.AccessDenied` on construction for any role but ``admin``.
    """

    def __init__(self, engine: Engine, user: UserContext) -> None:
        if user.role != "admin":
            raise AccessDenied("Only administrators may manage users and read the audit trail.")
        self._engine = engine
        self.user = user

    def accounts(self) -> pd.DataFrame:
        """One row per account: username, display_name, role, units (comma-separated), sign_in ("password" or
        "single sign-on"), active, demo (all text except the two booleans)."""
        rows = [
            {
                "username": a.username,
                "display_name": a.display_name,
                "role": a.role,
                "units": ",".join(sorted(a.units)),
                "sign_in": "password" if a.has_password else "single sign-on",
                "active": a.active,
                "demo": a.demo,
            }
            for a in list_accounts(self._engine)
        ]
        columns = ["username", "display_name", "role", "units", "sign_in", "active", "demo"]
        return pd.DataFrame(rows, columns=columns).astype(
            {c: "string" for c in columns if c not in ("active", "demo")} | {"active": "boolean", "demo": "boolean"}
        )

    def add_user(
        self,
        username: str,
        role: str,
        *,
        password: str | None,
        display_name: str | None = None,
        units: tuple[str, ...] = (),
    ) -> None:
        """:func:`add_user` in the administrator's name (audited)."""
        add_user(
            self._engine,
            username,
            role,
            password=password,
            display_name=display_name,
            units=units,
            actor=self.user.username,
        )

    def set_active(self, username: str, active: bool) -> None:
        """:func:`set_active` in the administrator's name (audited)."""
        set_active(self._engine, username, active, actor=self.user.username)

    def set_role(self, username: str, role: str, units: tuple[str, ...] = ()) -> None:
        """:func:`set_role` in the administrator's name (audited)."""
        set_role(self._engine, username, role, units, actor=self.user.username)

    def set_password(self, username: str, new_password: str) -> None:
        """:func:`set_password` as a reset in the administrator's name (audited); for their own password the
        administrator uses the "Your account" page like everyone else (it asks for the current one)."""
        if username == self.user.username:
            raise UserError("Change your own password on the Your account page (it asks for your current one).")
        set_password(self._engine, username, new_password, actor=self.user.username)

    def audit_entries(self, **filters: object) -> pd.DataFrame:
        """:func:`access.audit.search` (same keyword filters and columns)."""
        return audit.search(self._engine, **filters)
