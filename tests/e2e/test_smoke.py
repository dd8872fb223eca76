"""Smoke test as a person would: start the app, sign in as each demo role, open every page offered, and check that
no page shows an error or a traceback. Screenshots land in var/screenshots for people to look at."""

from __future__ import annotations

import pytest

from components.page_registry import PAGES
from tests.e2e.conftest import screenshot, sign_in, wait_for_app_idle

pytestmark = pytest.mark.e2e

ROLE_ACCOUNTS = {"admin": "demo.admin", "hr_officer": "demo.hr", "dept_head": "demo.icu", "executive": "demo.exec"}


@pytest.mark.parametrize("role", list(ROLE_ACCOUNTS))
def test_every_offered_page_opens_without_error(app_server, page, role):
    sign_in(page, app_server, ROLE_ACCOUNTS[role])
    wait_for_app_idle(page)
    screenshot(page, f"{role}-home")
    offered = [p for p in PAGES if role in p.roles]
    nav = page.get_by_test_id("stSidebarNav")
    for spec in offered:
        nav.get_by_role("link", name=spec.title, exact=True).click()
        page.wait_for_url(f"**/{spec.path.removeprefix('app_pages/').removesuffix('.py')}", timeout=60_000)
        wait_for_app_idle(page)
        screenshot(page, f"{role}-{spec.path.removeprefix('app_pages/').removesuffix('.py')}")
        assert page.get_by_test_id("stException").count() == 0, f"{spec.title} shows an exception for {role}"
        errors = page.get_by_test_id("stAlertContentError")
        assert errors.count() == 0, f"{spec.title} shows an error for {role}: {errors.first.inner_text()}"
    hidden = [p.title for p in PAGES if role not in p.roles]
    for title in hidden:
        assert nav.get_by_role("link", name=title, exact=True).count() == 0, f"{title} offered to {role}"


def test_wrong_password_is_refused_with_a_message(app_server, page):
    page.goto(app_server.url)
    page.get_by_label("Username").fill("demo.hr")
    page.get_by_label("Password", exact=True).fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text("Username or password is wrong").wait_for(timeout=30_000)
