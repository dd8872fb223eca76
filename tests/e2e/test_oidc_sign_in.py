"""A real OpenID Connect sign-in in headless Chromium: Streamlit's ``st.login`` against a local provider
(``oidc-provider-mock``) on 127.0.0.1, the identity mapped onto the ``users`` table.

The app server reads its ``[auth]`` secrets from a file in a temporary folder (``STREAMLIT_SECRETS_FILES``), so
nothing in the repository or the developer's home changes.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Iterator

import pytest
import werkzeug.serving
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from access import audit, auth
from access.oidc import UNKNOWN_IDENTITY
from data_loaders.store import create_store
from tests.e2e import conftest
from tests.e2e.conftest import AppServer, screenshot, wait_for_app_idle

pytestmark = pytest.mark.e2e

REGISTERED = "ann.lee@example.org"
PROVIDER = "hospital"


@pytest.fixture(scope="module")
def provider() -> Iterator[str]:
    """Base URL of a mock OpenID provider on a free loopback port, with one predefined user."""
    import oidc_provider_mock

    app = oidc_provider_mock.app(
        require_nonce=True,
        user_claims=[
            oidc_provider_mock.User(
                sub=REGISTERED, claims={"email": REGISTERED, "email_verified": True, "name": "Ann Lee"}
            )
        ],
    )
    server = werkzeug.serving.make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def oidc_server(tmp_path_factory, provider) -> Iterator[AppServer]:
    conftest._require_chromium()
    workdir = tmp_path_factory.mktemp("oidc-app")
    port = conftest._free_port()
    secrets_file = workdir / "secrets.toml"
    secrets_file.write_text(
        f"""
[auth]
redirect_uri = "http://127.0.0.1:{port}/oauth2callback"
cookie_secret = "{secrets.token_urlsafe(32)}"

[auth.{PROVIDER}]
client_id = "hospital-analytics"
client_secret = "{secrets.token_urlsafe(16)}"
server_metadata_url = "{provider}/.well-known/openid-configuration"
"""
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(conftest, "_free_port", lambda: port)
        server = AppServer(workdir, env={"STREAMLIT_SECRETS_FILES": str(secrets_file)})
    server.engine = create_store(f"sqlite:///{workdir / 'store.sqlite'}")
    auth.add_user(server.engine, REGISTERED, "dept_head", password=None, units=("ICU",), display_name="Ann Lee")
    yield server
    server.stop()


def _through_provider(page, server: AppServer, choose) -> None:
    page.goto(server.url)
    page.get_by_role("button", name="Sign in with Hospital").click(timeout=120_000)
    page.get_by_role("heading", name="Authorize Client").wait_for(timeout=30_000)
    choose(page)


def test_sign_in_through_the_identity_provider_lands_on_home_with_the_users_table_role(oidc_server, page):
    _through_provider(page, oidc_server, lambda p: p.get_by_role("button", name=REGISTERED).click())
    page.get_by_role("button", name="Sign out", exact=True).wait_for(timeout=60_000)
    wait_for_app_idle(page)
    screenshot(page, "oidc-signed-in-home")
    assert page.get_by_text("You are signed in as Department head").count() == 1
    assert "units: ICU" in page.get_by_test_id("stSidebar").inner_text()
    entry = audit.search(oidc_server.engine, action="sign_in", username=REGISTERED).iloc[0]
    assert '"method": "oidc"' in entry["details"] and f'"provider": "{PROVIDER}"' in entry["details"]


def test_a_page_not_offered_to_the_role_is_not_reachable_by_url(oidc_server, page):
    _through_provider(page, oidc_server, lambda p: p.get_by_role("button", name=REGISTERED).click())
    page.get_by_role("button", name="Sign out", exact=True).wait_for(timeout=60_000)
    page.goto(f"{oidc_server.url}/data_import")  # a new session: the identity cookie signs Ann in again
    page.get_by_role("button", name="Sign out", exact=True).wait_for(timeout=60_000)
    wait_for_app_idle(page)
    screenshot(page, "oidc-dept-head-asks-for-data-import")
    assert page.get_by_text("You are signed in as Department head").count() == 1
    assert page.get_by_text("Page not found").count() == 1  # Streamlit's own notice, then the default page
    assert page.get_by_role("heading", name="Data import").count() == 0
    nav = page.get_by_test_id("stSidebarNav")
    assert nav.get_by_role("link", name="Data import", exact=True).count() == 0


def test_an_identity_not_in_the_users_table_is_refused_and_audited(oidc_server, page):
    def unknown(p) -> None:
        p.get_by_placeholder("sub").fill("mallory@example.org")
        p.get_by_role("button", name="Authorize").click()

    _through_provider(page, oidc_server, unknown)
    page.get_by_text("this app does not admit you").wait_for(timeout=60_000)
    screenshot(page, "oidc-unknown-user-refused")
    assert page.get_by_role("button", name="Sign out", exact=True).count() == 0
    failed = audit.search(oidc_server.engine, action="sign_in_failed", username=UNKNOWN_IDENTITY)
    assert len(failed) == 1 and '"method": "oidc"' in failed.iloc[0]["details"]


def test_sign_out_ends_the_identity_provider_session_too_and_is_audited(oidc_server, page):
    _through_provider(page, oidc_server, lambda p: p.get_by_role("button", name=REGISTERED).click())
    page.get_by_role("button", name="Sign out", exact=True).wait_for(timeout=60_000)
    wait_for_app_idle(page)
    end_session = page.get_by_role("button", name="End session")  # the provider's logout page
    for _ in range(3):  # on a loaded machine a click can land during a rerun and be lost; click again
        if end_session.count():
            break
        sign_out = page.get_by_role("button", name="Sign out", exact=True)
        if sign_out.count():
            sign_out.click()
        try:
            end_session.wait_for(timeout=30_000)
        except PlaywrightTimeoutError:
            screenshot(page, "oidc-sign-out-retry")
    end_session.click(timeout=60_000)
    page.get_by_role("button", name="Sign in with Hospital").wait_for(timeout=60_000)
    screenshot(page, "oidc-signed-out")
    page.goto(oidc_server.url)  # a new session: the identity cookie is gone, nobody is signed in
    page.get_by_role("button", name="Sign in with Hospital").wait_for(timeout=60_000)
    assert page.get_by_role("button", name="Sign out", exact=True).count() == 0
    entry = audit.search(oidc_server.engine, action="sign_out", username=REGISTERED).iloc[0]
    assert '"method": "oidc"' in entry["details"] and '"reason": "signed out"' in entry["details"]
