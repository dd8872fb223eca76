"""The import layers of pyproject.toml's ``[tool.importlinter]`` hold: pages and CLI on top, then components, then
access and the computation packages (independent of each other), then the loaders; nothing below components imports
streamlit. ``make lint`` runs the same check; this test makes ``pytest`` alone catch a broken layer too."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_import_layer_contract_is_kept():
    lint = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run([str(lint)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-4000:]
    assert "3 kept, 0 broken" in done.stdout
