"""Mapping an OpenID Connect identity (``st.user`` claims) onto the users table."""

from __future__ import annotations

import pytest

from access import audit, auth, oidc
from data_loaders.store import create_store

HOSPITAL = "https://login.example-hospital.org/realms/staff"
OTHER = "https://login.microsoftonline.com/attacker-tenant/v2.0"


def _token(email: str | None, sub: str, iss: str = HOSPITAL, verified: object = True, **more: object) -> dict:
    claims = {"iss": iss, "sub": sub, **more}
    if email is not None:
        claims |= {"email": email, "email_verified": verified}
    return claims


@pytest.fixture
def engine(tmp_path):
    engine = create_store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    auth.add_user(engine, "Ann.Lee@Example.org", "dept_head", password=None, units=("ICU",))
    auth.add_user(engine, "bob@example.org", "executive", password=None)
    auth.create_demo_accounts(engine)
    return engine


def test_role_and_units_come_from_the_users_table_by_email(engine):
    account = oidc.resolve_account(engine, _token("ann.lee@example.org", "x1", name="Ann Lee"))
    assert (account.username, account.role, account.units) == ("Ann.Lee@Example.org", "dept_head", frozenset({"ICU"}))
    assert account.display_name == "Ann Lee"


def test_unknown_identity_is_refused_with_instructions(engine):
    with pytest.raises(oidc.SignInRefused, match=r"not registered.*add-user"):
        oidc.resolve_account(engine, _token("mallory@example.org", "x2"))


def test_disabled_and_demo_accounts_are_refused(engine):
    auth.set_active(engine, "bob@example.org", False)
    with pytest.raises(oidc.SignInRefused, match="disabled"):
        oidc.resolve_account(engine, _token("bob@example.org", "x3"))
    with pytest.raises(oidc.SignInRefused, match="demo"):
        oidc.resolve_account(engine, _token("demo.admin", "x5"))


def test_role_claim_overrides_the_table_and_units_claim_scopes_a_dept_head(engine):
    claims = _token("bob@example.org", "x4", roles=["Reader", "dept_head"], units="ED, OR")
    account = oidc.resolve_account(engine, claims, role_claim="roles", units_claim="units")
    assert account.role == "dept_head" and account.units == frozenset({"ED", "OR"})
    assert account.context().units == frozenset({"ED", "OR"})


def test_role_claim_without_a_product_role_is_refused(engine):
    with pytest.raises(oidc.SignInRefused, match="none of this app's roles"):
        oidc.resolve_account(engine, _token("bob@example.org", "x6", roles=["Reader"]), role_claim="roles")


def test_dept_head_from_claim_without_units_is_refused(engine):
    claims = _token("bob@example.org", "x7", groups="dept_head")
    with pytest.raises(oidc.SignInRefused, match="no units"):
        oidc.resolve_account(engine, claims, role_claim="groups", units_claim="units")


def test_sign_in_and_refusal_are_audited(engine):
    environ = {"HOSPITAL_OIDC_ROLE_CLAIM": ""}
    oidc.sign_in_with_claims(engine, _token("bob@example.org", "x8", provider="keycloak"), environ)
    with pytest.raises(oidc.SignInRefused):
        hostile = _token("eve@example.org\n=cmd|' /C calc'!A0", "x9", provider="keycloak")
        oidc.sign_in_with_claims(engine, hostile, environ)
    ok = audit.search(engine, action="sign_in").iloc[0]
    failed = audit.search(engine, action="sign_in_failed").iloc[0]
    assert ok["username"] == "bob@example.org" and '"method": "oidc"' in ok["details"]
    assert failed["username"] == "(unknown identity)" and "not registered" in failed["details"]
    assert "\\n=cmd" not in failed["details"] and "eve@example.org" in failed["details"]


def test_first_verified_link_binds_the_account_to_issuer_and_subject(engine):
    oidc.resolve_account(engine, _token("bob@example.org", "kc-bob"))
    account = auth.get_account(engine, "bob@example.org")
    assert (account.oidc_issuer, account.oidc_subject) == (HOSPITAL, "kc-bob")
    # afterwards the e-mail no longer matters: the same issuer and subject are the same person
    assert oidc.resolve_account(engine, _token("robert@example.org", "kc-bob")).username == "bob@example.org"


def test_token_from_another_issuer_with_a_matching_email_is_refused(engine):
    oidc.resolve_account(engine, _token("bob@example.org", "kc-bob"))
    with pytest.raises(oidc.SignInRefused, match="another identity provider"):
        oidc.resolve_account(engine, _token("BOB@example.org", "attacker-1", iss=OTHER))
    with pytest.raises(oidc.SignInRefused, match="another identity provider"):
        oidc.resolve_account(engine, _token("bob@example.org", "someone-else"))  # same issuer, other subject


def test_an_account_pinned_to_an_issuer_refuses_any_other_even_on_the_first_link(engine):
    auth.add_user(engine, "cy@example.org", "executive", password=None, oidc_issuer=HOSPITAL)
    with pytest.raises(oidc.SignInRefused, match="another identity provider"):
        oidc.resolve_account(engine, _token("cy@example.org", "attacker-2", iss=OTHER))
    assert oidc.resolve_account(engine, _token("cy@example.org", "kc-cy")).username == "cy@example.org"


@pytest.mark.parametrize("verified", [None, False, "false", 0])
def test_an_unverified_email_is_never_linked(engine, verified):
    claims = _token("bob@example.org", "x10", verified=verified)
    if verified is None:
        del claims["email_verified"]
    with pytest.raises(oidc.SignInRefused, match="not verified"):
        oidc.resolve_account(engine, claims)
    assert auth.get_account(engine, "bob@example.org").oidc_subject is None


def test_the_subject_is_never_taken_for_a_username(engine):
    with pytest.raises(oidc.SignInRefused):
        oidc.resolve_account(engine, _token(None, "bob@example.org"))
    with pytest.raises(oidc.SignInRefused, match="issuer"):
        oidc.resolve_account(engine, {"sub": "bob@example.org", "email": "bob@example.org", "email_verified": True})


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
