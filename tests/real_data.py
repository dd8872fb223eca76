"""Where the real public exports live: ``../shared/data/real/`` beside the checkout (CI has it too).

``real_file(name)`` returns the path, or skips the test with the reason when the folder is not there (a checkout
without ``shared/``); under ``CI=true`` a missing file fails instead, because CI always has it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REAL_DATA_DIR = Path(os.environ.get("HOSPITAL_REAL_DATA", Path(__file__).resolve().parents[2] / "shared/data/real"))


def real_file(name: str) -> Path:
    """Path of a file in the real-data folder; skip (or fail under CI) if it is missing."""
    path = REAL_DATA_DIR / name
    if path.is_file():
        return path
    message = f"real data file {path} not present (set HOSPITAL_REAL_DATA to the folder holding shared/data/real)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip(message)
