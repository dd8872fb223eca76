"""Browser tests: start the real app with ``streamlit run`` on a free loopback port and drive it in headless
Chromium (Debian's ``/usr/bin/chromium``) through Playwright.

The server gets its own SQLite store in a temporary folder, bootstrapped with a small sample hospital
(``HOSPITAL_SAMPLE_SCALE``), so tests never touch a developer's data.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
E2E_SCALE = os.environ.get("E2E_SAMPLE_SCALE", "0.05")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _require_chromium() -> None:
    if not Path(CHROMIUM).exists():
        message = f"Chromium not found at {CHROMIUM}: install Debian's chromium and chromium-driver packages."
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)


class AppServer:
    """A running ``streamlit run app.py``; ``url`` is its base address."""

    def __init__(self, workdir: Path, env: dict[str, str] | None = None) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = workdir / "streamlit.log"
        full_env = {
            **os.environ,
            "HOSPITAL_STORE_URL": f"sqlite:///{workdir / 'store.sqlite'}",
            "HOSPITAL_BOOTSTRAP_SAMPLE": "1",
            "HOSPITAL_DEMO_ACCOUNTS": "1",  # a scratch store holding the sample: keep its demo accounts
            "HOSPITAL_SAMPLE_SCALE": E2E_SCALE,
            "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
            **(env or {}),
        }
        self._process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                "app.py",
                "--server.headless",
                "true",
                "--server.port",
                str(self.port),
                "--server.address",
                "127.0.0.1",
            ],
            cwd=PROJECT_DIR,
            env=full_env,
            stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
        )
        self._wait_healthy()

    def _wait_healthy(self, timeout: float = 90.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"streamlit exited early:\n{self.log.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.5)
        raise RuntimeError(f"streamlit did not become healthy:\n{self.log.read_text()[-3000:]}")

    def stop(self) -> None:
        self._process.terminate()
        try:
            self._process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self._process.kill()


@pytest.fixture(scope="session")
def app_server(tmp_path_factory) -> Iterator[AppServer]:
    """The app on a store that already holds the small sample hospital (loaded before the server starts, so tests
    do not wait on the first-start bootstrap; tests/test_bootstrap.py covers that path)."""
    _require_chromium()
    workdir = tmp_path_factory.mktemp("app")
    prepare_sample_store(workdir / "store.sqlite")
    server = AppServer(workdir)
    yield server
    server.stop()


def prepare_sample_store(path: Path) -> None:
    """Fill the SQLite store at ``path`` with the sample hospital at ``E2E_SAMPLE_SCALE`` and the demo accounts."""
    from access.auth import create_demo_accounts
    from data_loaders.store import create_store
    from sample_data.bootstrap import load_sample_hospital

    engine = create_store(f"sqlite:///{path}")
    load_sample_hospital(engine, scale=float(E2E_SCALE))
    create_demo_accounts(engine)
    engine.dispose()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    _require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    yield page
    context.close()


def sign_in(page, server: AppServer, username: str, password: str = "demo") -> None:
    """Open the app and sign in through the form; waits until the Home page shows."""
    page.goto(server.url)
    page.get_by_label("Username").wait_for(timeout=180_000)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text("Sign out").wait_for(timeout=60_000)


def wait_for_app_idle(page, timeout: float = 180_000) -> None:
    """Wait until Streamlit has finished the script run: ``stApp`` not in script state "running", no spinner, no
    stale element, and that state held for a second (a rerun can start just after a click)."""
    page.wait_for_function(
        """() => {
            const busy = document.querySelector('[data-test-script-state="running"], [data-testid="stSpinner"],'
                + ' [data-stale="true"], [data-testid="stSkeleton"]');
            const now = Date.now();
            if (busy) { window.__idleSince = undefined; return false; }
            window.__idleSince = window.__idleSince || now;
            return now - window.__idleSince > 1000;
        }""",
        timeout=timeout,
        polling=250,
    )


SCREENSHOT_DIR = Path(os.environ.get("E2E_SCREENSHOTS", PROJECT_DIR / "var" / "screenshots"))


def screenshot(page, name: str) -> Path:
    """Save a full-page PNG under ``var/screenshots`` (or ``E2E_SCREENSHOTS``) for a person to look at."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOT_DIR / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
