"""Where the real public exports live: ``tests/fixtures/real/`` in this repository (sources and licences in its
README.md), so the suite passes on a clone alone. ``HOSPITAL_REAL_DATA`` points elsewhere (e.g. a folder with newer
copies).

``real_file(name)`` returns the path, or fails the test with the reason when the file is missing (it never skips:
the files are part of the repository).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REAL_DATA_DIR = Path(os.environ.get("HOSPITAL_REAL_DATA", Path(__file__).resolve().parent / "fixtures" / "real"))


def real_file(name: str) -> Path:
    """Path of a file in the real-data folder; fails the test if it is missing."""
    path = REAL_DATA_DIR / name
    if path.is_file():
        return path
    pytest.fail(f"real data file {path} not present (tests/fixtures/real/ is part of the repository)")
