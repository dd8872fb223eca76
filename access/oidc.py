"""OpenID Connect sign-in: map an identity provider's identity onto a row of the ``users`` table.

Streamlit's own ``st.login`` does the OpenID Connect authorization-code flow (Authlib, PKCE, state and nonce) and
exposes the ID token's claims as ``st.user``. This module decides who that person is in this product:

* A person is the ID token's issuer and subject (``iss`` + ``sub``, OpenID Connect Core 1.0 §5.7: the only
  stable, unique identifier). An account bound to them (``users.oidc_issuer`` / ``oidc_subject``) is that person's.
* An account not bound yet is linked once, on its first single sign-on: the row whose username equals the identity
  claim (``HOSPITAL_OIDC_USERNAME_CLAIM``, default ``email``; compared case-insensitively, one match only). An
  ``email`` claim links only with ``email_verified`` true. The link then binds the account to that issuer and
  subject for good: a token from another issuer, or another subject, with a matching e-mail is refused (the
  "nOAuth" attack). An administrator can pin an account to one issuer before its first sign-in
  (``add-user --oidc --oidc-issuer URL``). ``sub`` is never taken for a username.
* Unknown, disabled and demo accounts are refused: an identity provider never creates accounts here, an
  administrator does (``python -m access add-user --oidc``).
* The role and units come from the ``users`` row, unless ``HOSPITAL_OIDC_ROLE_CLAIM`` names a claim (e.g.
  ``roles`` for Entra ID app roles, ``groups`` for Okta/Keycloak) whose values include one of the product's role
  names; then the claim decides the role, and ``HOSPITAL_OIDC_UNITS_CLAIM`` (if set) the units of a dept_head.
  When several product roles are asserted the first in :data:`access.roles.ROLES` order wins.

Pure functions over a claims mapping: no Streamlit import (the sign-in page calls :func:`sign_in_with_claims`).
"""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Mapping

from sqlalchemy.engine import Engine

from access import audit
from access.auth import Account, UserError, account_for_identity, get_account, link_identity, list_accounts
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


def neutralised(text: str, limit: int = 120) -> str:
    """Text from an identity token made safe for the audit trail: control characters (newlines included) dropped,
    at most ``limit`` characters, and a leading ``=``, ``+``, ``-``, ``@`` (a spreadsheet formula) quoted with ``'``
    (OWASP "CSV injection")."""
    kept = "".join(c if unicodedata.category(c)[0] != "C" else " " for c in text)
    kept = " ".join(kept.split())[:limit]
    return "'" + kept if kept[:1] in ("=", "+", "-", "@") else kept


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


UNKNOWN_IDENTITY = "(unknown identity)"
"""Audit name of a refused single sign-on that matched no account (the identity itself goes, bounded, in details)."""


def _claim_text(claims: Mapping[str, object], name: str) -> str:
    value = claims.get(name)
    return value.strip() if isinstance(value, str) else ""


def _is_true(value: object) -> bool:
    """``email_verified`` is a JSON boolean (OIDC Core §5.1); some providers send the text "true"."""
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def _first_link_candidate(engine: Engine, claims: Mapping[str, object], username_claim: str) -> Account | None:
    """The one unbound-by-subject account whose username equals the identity claim (any case), or None."""
    identity = _claim_text(claims, username_claim)
    if not identity:
        raise SignInRefused(f"The identity provider sent no {username_claim!r} claim; nobody was signed in.")
    if username_claim == "email" and not _is_true(claims.get("email_verified")):
        raise SignInRefused(
            "Your e-mail address is not verified by the identity provider (its email_verified claim is not true), "
            "so it cannot be linked to an account here. Ask your identity administrator."
        )
    exact = get_account(engine, identity)
    if exact is not None:
        return exact
    matches = [a for a in list_accounts(engine) if a.username.lower() == identity.lower()]
    return matches[0] if len(matches) == 1 else None


def _match_account(engine: Engine, claims: Mapping[str, object], username_claim: str) -> tuple[Account, bool]:
    """The account of the identity in ``claims`` and whether this is its first link (see the module docstring)."""
    issuer, subject = _claim_text(claims, "iss"), _claim_text(claims, "sub")
    if not issuer or not subject:
        raise SignInRefused("The identity provider sent no issuer or subject; nobody was signed in.")
    bound = account_for_identity(engine, issuer, subject)
    if bound is not None:
        return bound, False
    account = _first_link_candidate(engine, claims, username_claim)
    if account is None:
        identity = _claim_text(claims, username_claim)
        raise SignInRefused(
            f"{identity} is not registered in this app. Ask an administrator to add you "
            f"(python -m access add-user --username {identity} --role … --oidc)."
        )
    if account.oidc_subject is not None or (account.oidc_issuer is not None and account.oidc_issuer != issuer):
        raise SignInRefused(
            f"The account {account.username} is bound to another identity provider or identity; this sign-in does "
            "not match it. Ask an administrator."
        )
    return account, True


def resolve_account(
    engine: Engine,
    claims: Mapping[str, object],
    *,
    username_claim: str = "email",
    role_claim: str | None = None,
    units_claim: str | None = None,
) -> Account:
    """The account that the identity in ``claims`` (``st.user``) signs in as, with role and units applied.

    On the account's first single sign-on it is bound to the token's ``iss`` and ``sub`` (:func:`link_identity`).
    Raises :class:`SignInRefused` when no active, non-demo ``users`` row matches (see the module docstring: issuer and
    subject, or a first link by a verified identity claim), when the account is bound to another identity, when
    ``role_claim`` is set but carries none of the product's roles, or when a dept_head ends up with no units.
    """
    account, first_link = _match_account(engine, claims, username_claim)
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
    if first_link:
        try:
            link_identity(engine, account.username, _claim_text(claims, "iss"), _claim_text(claims, "sub"))
        except UserError as taken:
            raise SignInRefused(str(taken)) from taken
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
        claimed = _claim_text(claims, environ.get(USERNAME_CLAIM_ENV) or "email")
        known = get_account(engine, claimed) if 0 < len(claimed) <= 191 else None
        audit.record(
            engine,
            known.username if known is not None else UNKNOWN_IDENTITY,
            "sign_in_failed",
            {
                "method": "oidc",
                "provider": neutralised(provider),
                "issuer": neutralised(_claim_text(claims, "iss")),
                "identity": neutralised(claimed),
                "reason": neutralised(str(refused), 400),
            },
        )
        raise
    audit.record(
        engine,
        account.username,
        "sign_in",
        {"method": "oidc", "provider": provider, "role": account.role, "units": sorted(account.units)},
    )
    return account
