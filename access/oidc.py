"""OpenID Connect sign-in: map an identity provider's identity onto a row of the ``users`` table.

Streamlit's own ``st.login`` does the OpenID Connect authorization-code flow (Authlib, PKCE, state and nonce) and
exposes the ID token's claims as ``st.user``. This module decides who that person is in this product:

* The account is the ``users`` row whose username equals the identity claim (``HOSPITAL_OIDC_USERNAME_CLAIM``,
  default ``email``; compared case-insensitively), falling back to the ``sub`` claim. Unknown, disabled and demo
  accounts are refused: an identity provider never creates accounts here, an administrator does
  (``python -m access add-user --oidc``).
* The role and units come from the ``users`` row, unless ``HOSPITAL_OIDC_ROLE_CLAIM`` names a claim (e.g.
  ``roles`` for Entra ID app roles, ``groups`` for Okta/Keycloak) whose values include one of the product's role
  names; then the claim decides the role, and ``HOSPITAL_OIDC_UNITS_CLAIM`` (if set) the units of a dept_head.
  When several product roles are asserted the first in :data:`access.roles.ROLES` order wins.

Pure functions over a claims mapping: no Streamlit import (the sign-in page calls :func:`sign_in_with_claims`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from sqlalchemy.engine import Engine

from access import audit
from access.auth import Account, get_account, list_accounts
from access.roles import ROLES

USERNAME_CLAIM_ENV = "HOSPITAL_OIDC_USERNAME_CLAIM"
ROLE_CLAIM_ENV = "HOSPITAL_OIDC_ROLE_CLAIM"
UNITS_CLAIM_ENV = "HOSPITAL_OIDC_UNITS_CLAIM"
PASSWORD_SIGN_IN_ENV = "HOSPITAL_PASSWORD_SIGN_IN"

_PROVIDER_LABELS = {
    "default": "single sign-on",
    "microsoft": "Microsoft Entra ID",
    "entra": "Microsoft Entra ID",
    "okta": "Okta",
    "keycloak": "Keycloak",
    "google": "Google",
    "auth0": "Auth0",
}


class SignInRefused(Exception):
    """The identity provider signed someone in whom this product does not admit; the message says why."""


def password_sign_in_enabled(environ: Mapping[str, str] = os.environ) -> bool:
    """Whether the built-in username/password form is offered (``HOSPITAL_PASSWORD_SIGN_IN``, default on)."""
    return environ.get(PASSWORD_SIGN_IN_ENV, "1") != "0"


def providers(auth_section: Mapping[str, object] | None) -> list[str]:
    """Names to pass to ``st.login`` for a secrets ``[auth]`` section, in file order.

    ``[auth]`` with ``client_id`` itself is the unnamed provider (``"default"``); each ``[auth.NAME]`` table is a
    named one. Returns ``[]`` when there is no usable section (no ``redirect_uri`` or ``cookie_secret``).
    """
    if not auth_section or not {"redirect_uri", "cookie_secret"} <= set(auth_section):
        return []
    named = [name for name, value in auth_section.items() if isinstance(value, Mapping)]
    if named:
        return named
    return ["default"] if "client_id" in auth_section else []


def provider_label(name: str) -> str:
    """Human name of a provider for the "Sign in with …" button."""
    return _PROVIDER_LABELS.get(name.lower(), name.replace("-", " ").title())


def claim_values(claims: Mapping[str, object], name: str) -> list[str]:
    """Values of a claim as strings: a list claim as is, a string split on commas and whitespace."""
    value = claims.get(name)
    if value is None:
        return []
    if isinstance(value, str):
        return [v for v in value.replace(",", " ").split() if v]
    if isinstance(value, (list, tuple, set, frozenset)):
        return [str(v).strip() for v in value if str(v).strip()]
    return [str(value)]


def _find_account(engine: Engine, claims: Mapping[str, object], username_claim: str) -> Account | None:
    candidates = [str(claims[c]).strip() for c in (username_claim, "sub") if claims.get(c)]
    for candidate in candidates:
        account = get_account(engine, candidate)
        if account is not None:
            return account
    lowered = {c.lower() for c in candidates}
    matches = [a for a in list_accounts(engine) if a.username.lower() in lowered]
    return matches[0] if len(matches) == 1 else None


def resolve_account(
    engine: Engine,
    claims: Mapping[str, object],
    *,
    username_claim: str = "email",
    role_claim: str | None = None,
    units_claim: str | None = None,
) -> Account:
    """The account that the identity in ``claims`` (``st.user``) signs in as, with role and units applied.

    Raises :class:`SignInRefused` when no active, non-demo ``users`` row matches, when ``role_claim`` is set but
    carries none of the product's roles, or when a dept_head ends up with no units.
    """
    identity = str(claims.get(username_claim) or claims.get("sub") or "").strip()
    if not identity:
        raise SignInRefused("The identity provider sent no user name or subject; nobody was signed in.")
    account = _find_account(engine, claims, username_claim)
    if account is None:
        raise SignInRefused(
            f"{identity} is not registered in this app. Ask an administrator to add you "
            f"(python -m access add-user --username {identity} --role … --oidc)."
        )
    if account.demo:
        raise SignInRefused(
            f"{account.username} is a demo account; demo accounts cannot sign in through single sign-on."
        )
    if not account.active:
        raise SignInRefused(f"The account {account.username} is disabled. Ask an administrator to enable it.")
    role, units = account.role, account.units
    if role_claim:
        asserted = set(claim_values(claims, role_claim))
        granted = [r for r in ROLES if r in asserted]
        if not granted:
            raise SignInRefused(
                f"Your identity provider grants {account.username} none of this app's roles "
                f"({', '.join(ROLES)}) in the {role_claim!r} claim. Ask your identity administrator."
            )
        role = granted[0]
        if units_claim and role == "dept_head":
            units = frozenset(claim_values(claims, units_claim))
    if role == "dept_head" and not units:
        raise SignInRefused(f"{account.username} is a department head with no units assigned; ask an administrator.")
    return Account(
        account.username,
        str(claims.get("name") or account.display_name),
        role,
        units if role == "dept_head" else frozenset(),
        True,
        False,
        account.has_password,
    )


def sign_in_with_claims(
    engine: Engine, claims: Mapping[str, object], environ: Mapping[str, str] = os.environ
) -> Account:
    """:func:`resolve_account` configured from the environment, audited as ``sign_in`` or ``sign_in_failed``.

    Raises :class:`SignInRefused` (after recording ``sign_in_failed`` with the reason).
    """
    provider = str(claims.get("provider") or "default")
    try:
        account = resolve_account(
            engine,
            claims,
            username_claim=environ.get(USERNAME_CLAIM_ENV) or "email",
            role_claim=environ.get(ROLE_CLAIM_ENV) or None,
            units_claim=environ.get(UNITS_CLAIM_ENV) or None,
        )
    except SignInRefused as refused:
        who = str(claims.get(environ.get(USERNAME_CLAIM_ENV) or "email") or claims.get("sub") or "(unknown)")
        audit.record(engine, who, "sign_in_failed", {"method": "oidc", "provider": provider, "reason": str(refused)})
        raise
    audit.record(
        engine,
        account.username,
        "sign_in",
        {"method": "oidc", "provider": provider, "role": account.role, "units": sorted(account.units)},
    )
    return account
