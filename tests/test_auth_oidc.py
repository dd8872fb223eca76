"""Mapping an OpenID Connect identity (``st.user`` claims) onto the users table."""

from __future__ import annotations

import pytest

from access import audit, auth, oidc
from access.bootstrap import open_store


@pytest.fixture
def engine(tmp_path):
    engine = open_store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    auth.add_user(engine, "Ann.Lee@Example.org", "dept_head", password=None, units=("ICU",))
    auth.add_user(engine, "bob@example.org", "executive", password=None)
    auth.create_demo_accounts(engine)
    return engine


def test_role_and_units_come_from_the_users_table_by_email(engine):
    account = oidc.resolve_account(engine, {"sub": "x1", "email": "ann.lee@example.org", "name": "Ann Lee"})
    assert (account.username, account.role, account.units) == ("Ann.Lee@Example.org", "dept_head", frozenset({"ICU"}))
    assert account.display_name == "Ann Lee"


def test_unknown_identity_is_refused_with_instructions(engine):
    with pytest.raises(oidc.SignInRefused, match=r"not registered.*add-user"):
        oidc.resolve_account(engine, {"sub": "x2", "email": "mallory@example.org"})


def test_disabled_and_demo_accounts_are_refused(engine):
    auth.set_active(engine, "bob@example.org", False)
    with pytest.raises(oidc.SignInRefused, match="disabled"):
        oidc.resolve_account(engine, {"sub": "x3", "email": "bob@example.org"})
    with pytest.raises(oidc.SignInRefused, match="demo"):
        oidc.resolve_account(engine, {"sub": "demo.admin"})


def test_role_claim_overrides_the_table_and_units_claim_scopes_a_dept_head(engine):
    claims = {"sub": "x4", "email": "bob@example.org", "roles": ["Reader", "dept_head"], "units": "ED, OR"}
    account = oidc.resolve_account(engine, claims, role_claim="roles", units_claim="units")
    assert account.role == "dept_head" and account.units == frozenset({"ED", "OR"})
    assert account.context().units == frozenset({"ED", "OR"})


def test_role_claim_without_a_product_role_is_refused(engine):
    with pytest.raises(oidc.SignInRefused, match="none of this app's roles"):
        oidc.resolve_account(engine, {"email": "bob@example.org", "roles": ["Reader"]}, role_claim="roles")


def test_dept_head_from_claim_without_units_is_refused(engine):
    claims = {"email": "bob@example.org", "groups": "dept_head"}
    with pytest.raises(oidc.SignInRefused, match="no units"):
        oidc.resolve_account(engine, claims, role_claim="groups", units_claim="units")


def test_sign_in_and_refusal_are_audited(engine):
    environ = {"HOSPITAL_OIDC_ROLE_CLAIM": ""}
    oidc.sign_in_with_claims(engine, {"email": "bob@example.org", "provider": "keycloak"}, environ)
    with pytest.raises(oidc.SignInRefused):
        oidc.sign_in_with_claims(engine, {"email": "eve@example.org", "provider": "keycloak"}, environ)
    ok = audit.search(engine, action="sign_in").iloc[0]
    failed = audit.search(engine, action="sign_in_failed").iloc[0]
    assert ok["username"] == "bob@example.org" and '"method": "oidc"' in ok["details"]
    assert failed["username"] == "eve@example.org" and "not registered" in failed["details"]


def test_providers_are_read_from_the_auth_section():
    shared = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "s"}
    assert oidc.providers({**shared, "client_id": "c", "server_metadata_url": "u"}) == ["default"]
    assert oidc.providers({**shared, "okta": {"client_id": "c"}, "keycloak": {"client_id": "d"}}) == [
        "okta",
        "keycloak",
    ]
    assert oidc.providers({"client_id": "c"}) == []  # no redirect_uri/cookie_secret: not usable
    assert oidc.providers(None) == []
    assert oidc.provider_label("microsoft") == "Microsoft Entra ID"


def test_password_form_can_be_turned_off():
    assert oidc.password_sign_in_enabled({})
    assert not oidc.password_sign_in_enabled({"HOSPITAL_PASSWORD_SIGN_IN": "0"})
