"""In the browser, a table offers no built-in "Download as CSV" (issue 11 finding 7): the only way to take data
away is the page's audited download button (components/downloads.py)."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import sign_in, wait_for_app_idle

pytestmark = pytest.mark.e2e


def test_the_table_toolbar_has_no_csv_download_but_the_page_has_the_audited_one(app_server, page):
    sign_in(page, app_server, "demo.admin")
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Audit trail", exact=True).click()
    page.wait_for_url("**/admin_audit", timeout=60_000)
    wait_for_app_idle(page)
    table = page.get_by_test_id("stDataFrame").first
    table.hover()
    toolbar = page.get_by_test_id("stElementToolbar").first
    toolbar.get_by_role("button", name="Search").wait_for(timeout=30_000)  # the toolbar is showing
    assert page.get_by_role("button", name="Download as CSV").count() == 0
    assert page.get_by_test_id("stDownloadButton").get_by_role("button").count() == 1
