"""Built-in accounts for the embedded deployment: users in the store with argon2id password hashes.

Production deployments sign in through OpenID Connect (``st.login``; see README) and map the identity provider's
claims onto a row of this same ``users`` table (role and units), so authorisation is identical either way.
Passwords are hashed with argon2id (``argon2-cffi`` defaults: RFC 9106 low-memory profile); never stored in clear.
"""

from __future__ import annotations

import functools
import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.engine import Engine

from access import audit
from access.data_access import AccessDenied, UserContext
from access.password_policy import password_problem
from access.roles import ROLES
from data_loaders.settings import DEFAULT_STORE_PATH, PROJECT_DIR, store_url
from data_loaders.store_tables import imports, users
from sample_data.bootstrap import SAMPLE_IMPORTER

_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("timing-equaliser")

SYSTEM_ACTOR = "system"
"""Audit name of changes the app makes by itself (retiring demo accounts on a configured store)."""
DEMO_ACCOUNTS_ENV = "HOSPITAL_DEMO_ACCOUNTS"

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
    oidc_issuer: str | None = None
    oidc_subject: str | None = None

    def context(self) -> UserContext:
        return UserContext(self.username, self.role, self.units if self.role == "dept_head" else None)


def _account(row) -> Account:
    units = frozenset(u for u in (row.units or "").split(",") if u)
    return Account(
        row.username,
        row.display_name,
        row.role,
        units,
        bool(row.active),
        bool(row.demo),
        bool(row.password_hash),
        row.oidc_issuer,
        row.oidc_subject,
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
    oidc_issuer: str | None = None,
) -> None:
    """Create a user. ``password`` None means the user signs in through OpenID Connect only; ``oidc_issuer`` (the
    identity provider's ``iss``) allows single sign-on from that provider only.

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
    _insert_account(engine, username, role, password, display_name, units, demo, (oidc_issuer or "").strip() or None)
    if actor is not None:
        audit.record(
            engine,
            actor,
            "user_added",
            {
                "user": username,
                "role": role,
                "units": sorted(set(units)),
                "oidc_only": password is None,
                "oidc_issuer": oidc_issuer,
            },
        )


def _insert_account(
    engine: Engine,
    username: str,
    role: str,
    password: str | None,
    display_name: str | None,
    units: tuple[str, ...],
    demo: bool,
    oidc_issuer: str | None = None,
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
                oidc_issuer=oidc_issuer,
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
    account = get_account(engine, username)
    if active and account is not None and account.demo and store_holds_real_data(engine):
        raise UserError(f"{username} is a demo account and this store holds real data; demo accounts stay off.")
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


def session_end_reason(engine: Engine, username: str, signed_in_at: datetime | None) -> str | None:
    """Why a session of ``username`` that began at ``signed_in_at`` (naive UTC; None = unknown) must end now, or None.

    "account disabled" when the account is disabled (a demo account after a real import included); "password
    changed" when its password was changed after the session began (OWASP ASVS 4.0.3 V3.3.3). The product never
    deletes accounts (it disables them), so a username without a row is not a reason here.
    """
    row = _row(engine, username)
    if row is None:
        return None
    if not row.active:
        return "account disabled"
    if signed_in_at is not None and row.password_changed_at is not None and row.password_changed_at > signed_in_at:
        return "password changed"
    return None


def account_for_identity(engine: Engine, issuer: str, subject: str) -> Account | None:
    """The account bound to ``subject`` at ``issuer`` (:func:`link_identity`), or None."""
    with engine.connect() as conn:
        row = conn.execute(
            sa.select(users).where(users.c.oidc_issuer == issuer, users.c.oidc_subject == subject)
        ).first()
    return _account(row) if row is not None else None


def link_identity(engine: Engine, username: str, issuer: str, subject: str) -> None:
    """Bind ``username`` to ``subject`` at ``issuer`` for good (its first verified single sign-on).

    Raises :class:`UserError` if the account is already bound to another identity or pinned to another issuer
    (the update only applies to an unbound account, so two first sign-ins at once cannot both bind it).
    """
    with engine.begin() as conn:
        done = conn.execute(
            users.update()
            .where(
                users.c.username == username,
                users.c.oidc_subject.is_(None),
                sa.or_(users.c.oidc_issuer.is_(None), users.c.oidc_issuer == issuer),
            )
            .values(oidc_issuer=issuer, oidc_subject=subject)
        ).rowcount
    if done != 1:
        raise UserError(f"{username} is bound to another single sign-on identity.")


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

    Only for the bundled sample hospital: the app's first start calls this (through
    :func:`create_sample_demo_accounts`) after loading the sample into an empty store, and
    :func:`retire_demo_accounts_unless_allowed` disables them again on a store they do not belong to. The demo
    password is the one password that skips the password rule.
    """
    for username, name, role, units in DEMO_ACCOUNTS:
        if get_account(engine, username) is None:
            _insert_account(engine, username, role, DEMO_PASSWORD, name, units, demo=True)


def create_sample_demo_accounts(engine: Engine, environ: Mapping[str, str] = os.environ) -> bool:
    """After the sample hospital was loaded (:func:`sample_data.bootstrap.load_sample_hospital`): create the demo
    accounts (:func:`create_demo_accounts`) unless ``HOSPITAL_DEMO_ACCOUNTS=0``. Returns whether it did."""
    if environ.get(DEMO_ACCOUNTS_ENV) == "0":
        return False
    create_demo_accounts(engine)
    return True


@functools.cache
def _shipped_sample_digests() -> frozenset[str]:
    folder = PROJECT_DIR / "sample_data"
    files = [folder / "sample_hospital.xlsx", *sorted((folder / "csv").glob("*.csv"))]
    return frozenset(hashlib.sha256(f.read_bytes()).hexdigest() for f in files if f.is_file())


def is_sample_import(username: str, sha256: str) -> bool:
    """Whether an import is the bundled sample: the first start's generated sample (imported as
    :data:`SAMPLE_IMPORTER`) or a file identical (SHA-256) to one shipped in ``sample_data/``."""
    return username == SAMPLE_IMPORTER or sha256 in _shipped_sample_digests()


def store_holds_real_data(engine: Engine) -> bool:
    """Whether any import (even one rolled back since) was something other than the bundled sample."""
    with engine.connect() as conn:
        rows = conn.execute(sa.select(imports.c.username, imports.c.sha256).distinct()).all()
    return any(not is_sample_import(r.username, r.sha256) for r in rows)


def _is_default_store(url: str) -> bool:
    try:
        database = sa.engine.make_url(url).database
    except sa.exc.ArgumentError:
        return False
    return url.startswith("sqlite") and database is not None and Path(database).resolve() == DEFAULT_STORE_PATH


def demo_accounts_allowed(engine: Engine, environ: Mapping[str, str] = os.environ, *, store_url: str) -> bool:
    """Whether demo accounts may be active in the store at ``store_url``.

    Never with ``HOSPITAL_DEMO_ACCOUNTS=0`` or once the store holds real data (:func:`store_holds_real_data`).
    Otherwise on the embedded default store (the sample hospital's home), and on a configured store
    (``HOSPITAL_STORE_URL``) only when ``HOSPITAL_DEMO_ACCOUNTS=1`` asks for them explicitly.
    """
    flag = environ.get(DEMO_ACCOUNTS_ENV)
    if flag == "0" or store_holds_real_data(engine):
        return False
    return flag == "1" or _is_default_store(store_url)


def _retire_demo_accounts(engine: Engine, actor: str, reason: str) -> list[str]:
    with engine.begin() as conn:
        retired = list(
            conn.execute(sa.select(users.c.username).where(users.c.demo.is_(True), users.c.active.is_(True))).scalars()
        )
        if retired:
            conn.execute(users.update().where(users.c.username.in_(retired)).values(active=False))
    for username in retired:
        audit.record(engine, actor, "user_changed", {"user": username, "active": False, "reason": reason})
    return retired


def retire_demo_accounts_after_import(engine: Engine, *, importer: str, file_name: str, sha256: str) -> list[str]:
    """Disable every active demo account after an import of real data (anything but the bundled sample), audited
    as ``user_changed`` in the importer's name. Returns the usernames disabled."""
    if is_sample_import(importer, sha256):
        return []
    return _retire_demo_accounts(engine, importer, f"real data imported ({file_name[:100]})")


def retire_demo_accounts_unless_allowed(
    engine: Engine, environ: Mapping[str, str] = os.environ, *, store_url: str | None = None
) -> list[str]:
    """Disable every active demo account when :func:`demo_accounts_allowed` says no (audited as
    ``user_changed`` by ``system``); the app calls this on every start of a session. Returns the usernames disabled.
    """
    with engine.connect() as conn:
        any_active = conn.execute(
            sa.select(users.c.username).where(users.c.demo.is_(True), users.c.active.is_(True)).limit(1)
        ).first()
    url = store_url if store_url is not None else environ.get("HOSPITAL_STORE_URL") or _default_store_url()
    if any_active is None or demo_accounts_allowed(engine, environ, store_url=url):
        return []
    reason = "real data imported" if store_holds_real_data(engine) else "not the sample hospital's store"
    return _retire_demo_accounts(engine, SYSTEM_ACTOR, reason)


def _default_store_url() -> str:
    return store_url()


def needs_first_admin(engine: Engine) -> bool:
    """True when no active administrator exists (demo or not): then the first one must be created, from the
    command line (``python -m access add-user --role admin``) or the sign-in page's first-run form."""
    with engine.connect() as conn:
        admin = conn.execute(
            sa.select(users.c.username).where(users.c.role == "admin", users.c.active.is_(True)).limit(1)
        ).first()
    return admin is None


def create_first_admin(engine: Engine, username: str, password: str, *, display_name: str | None = None) -> None:
    """Create the first administrator, with a password that passes the password rule; audited as ``user_added``
    (``first_run``) in the new administrator's name.

    Raises :class:`UserError` when the store already has an active administrator (this is never a way to add a
    second one) or for the reasons :func:`add_user` gives. The caller decides who may ask (the sign-in page asks
    for the server's setup code first).
    """
    if not needs_first_admin(engine):
        raise UserError("This store already has an administrator; ask them for an account.")
    add_user(engine, username, "admin", password=password, display_name=display_name)
    audit.record(engine, username.strip(), "user_added", {"user": username.strip(), "role": "admin", "first_run": True})


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
