"""What the app itself can set against framing, cross-site requests and exposure: Streamlit cannot send response
headers such as ``X-Frame-Options`` or ``Content-Security-Policy`` (the reverse proxy adds them; docs/security.md),
but its own settings pin the listening address, the XSRF cookie and the agent API."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import tomllib
import urllib.request
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parents[1]
SETTINGS = tomllib.loads((PROJECT_DIR / ".streamlit" / "config.toml").read_text())


def test_settings_pin_loopback_strict_xsrf_cookie_and_no_agent_api():
    server = SETTINGS["server"]
    assert server["address"] == "127.0.0.1"
    assert server["enableXsrfProtection"] is True and server["xsrfCookieSameSite"] == "strict"
    assert server["enableCORS"] is True and server["enableStaticServing"] is False
    assert server["enableAgentApi"] is False


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _other_address() -> str | None:
    """An address of this machine that is not loopback (None when it has none)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # TEST-NET-1: no packet is sent for a UDP connect
        except OSError:
            return None
        address = probe.getsockname()[0]
    return None if address.startswith("127.") else address


@pytest.fixture(scope="module")
def running_app(tmp_path_factory):
    """``streamlit run app.py`` with only the repository's settings (no --server.address on the command line)."""
    workdir = tmp_path_factory.mktemp("settings-app")
    port = _free_port()
    log = (workdir / "streamlit.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port)],
        cwd=PROJECT_DIR,
        env={
            "PATH": "/usr/bin:/bin",
            "HOME": str(workdir),
            "HOSPITAL_STORE_URL": f"sqlite:///{workdir / 'store.sqlite'}",
            "HOSPITAL_BOOTSTRAP_SAMPLE": "0",
        },
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2)
            break
        except OSError:
            time.sleep(0.5)
    yield port
    process.terminate()
    process.wait(timeout=15)


def test_server_listens_on_loopback_only(running_app):
    with urllib.request.urlopen(f"http://127.0.0.1:{running_app}/_stcore/health", timeout=5) as response:
        assert response.status == 200
    other = _other_address()
    if other is None:
        pytest.skip("this machine has no non-loopback address to try")
    with pytest.raises(OSError), socket.create_connection((other, running_app), timeout=3):
        pass


def test_xsrf_cookie_is_same_site_strict(running_app):
    with urllib.request.urlopen(f"http://127.0.0.1:{running_app}/_stcore/health", timeout=10) as response:
        cookies = response.headers.get_all("Set-Cookie") or []
    xsrf = [c for c in cookies if c.startswith("_streamlit_xsrf=")]
    assert xsrf and "samesite=strict" in xsrf[0].lower()
