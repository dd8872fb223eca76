"""The layer rule for the computation packages, checked statically by import-linter (lazy imports included)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

CONTRACT = """
[importlinter]
root_packages =
    retention
    forecasting
    access
    components
include_external_packages = True

[importlinter:contract:computation]
name = retention and forecasting import neither streamlit, access nor components
type = forbidden
source_modules =
    retention
    forecasting
forbidden_modules =
    streamlit
    access
    components

[importlinter:contract:access]
name = access imports neither retention nor forecasting
type = forbidden
source_modules =
    access
forbidden_modules =
    retention
    forecasting
"""


def test_retention_and_forecasting_never_import_streamlit_or_access_and_access_never_imports_them(tmp_path):
    config = tmp_path / "layers.ini"
    config.write_text(CONTRACT)
    lint = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run([str(lint), str(config)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout[-3000:]
    assert "2 kept, 0 broken" in done.stdout
