"""Deployment settings, read from the environment (never from files in the repository).

``HOSPITAL_STORE_URL``  SQLAlchemy URL of the store. Default: an embedded SQLite file
                        ``var/hospital.sqlite`` under the project directory.
``HOSPITAL_TIMEZONE``   IANA time zone of the hospital's local wall-clock times in exports.
                        Default ``America/New_York``.
``HOSPITAL_MAX_UPLOAD_MB`` Largest upload accepted, in MB. Default 200.
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
DEFAULT_STORE_PATH = PROJECT_DIR / "var" / "hospital.sqlite"


def store_url() -> str:
    """SQLAlchemy URL of the store (``HOSPITAL_STORE_URL`` or the embedded SQLite file)."""
    return os.environ.get("HOSPITAL_STORE_URL") or f"sqlite:///{DEFAULT_STORE_PATH}"


def hospital_timezone() -> str:
    """IANA name of the time zone that exported local timestamps are in."""
    return os.environ.get("HOSPITAL_TIMEZONE", "America/New_York")


def max_upload_mb() -> int:
    """Largest accepted upload in megabytes."""
    return int(os.environ.get("HOSPITAL_MAX_UPLOAD_MB", "200"))
