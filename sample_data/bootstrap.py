"""Filling an empty store with the sample hospital: generate it, validate it like any import, write it.

The settings that decide whether and what to load live here too: ``HOSPITAL_BOOTSTRAP_SAMPLE``,
``HOSPITAL_SAMPLE_SCALE`` and ``HOSPITAL_SAMPLE_END``. Demo accounts are not made here: accounts belong to
``access`` (:func:`access.auth.create_sample_demo_accounts`), and the entry points call both.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine

from data_loaders import load_frames
from data_loaders.settings import hospital_timezone
from data_loaders.store import import_tables
from sample_data.hospital import generate_hospital

Progress = Callable[[float, str], None]
"""Called with the fraction done (0-1) and what is happening, e.g. to move a progress bar."""

SAMPLE_IMPORTER = "sample-hospital-bootstrap"
"""Username under which :func:`load_sample_hospital` imports the generated sample hospital (the import history
and :func:`access.auth.is_sample_import` tell it apart from real data by this name)."""


def should_bootstrap_sample() -> bool:
    """Load the sample hospital into an empty store? Yes for the default embedded store, unless
    ``HOSPITAL_BOOTSTRAP_SAMPLE=0``; for a configured ``HOSPITAL_STORE_URL`` only if ``HOSPITAL_BOOTSTRAP_SAMPLE=1``."""
    flag = os.environ.get("HOSPITAL_BOOTSTRAP_SAMPLE")
    if flag is not None:
        return flag == "1"
    return "HOSPITAL_STORE_URL" not in os.environ


def sample_scale() -> float:
    """Size of the bootstrapped sample hospital (``HOSPITAL_SAMPLE_SCALE``, default 1 = about 2,000 employees)."""
    return float(os.environ.get("HOSPITAL_SAMPLE_SCALE", "1"))


def sample_end(now: datetime | None = None) -> date:
    """Last day of the bootstrapped sample hospital's history: ``HOSPITAL_SAMPLE_END`` (YYYY-MM-DD), else yesterday
    in the hospital's time zone, so that on first start the forecasts and the scheduled roster lie ahead of today.

    ``now`` is an aware instant (default: the current time); the day is taken on the hospital's wall clock.
    """
    configured = os.environ.get("HOSPITAL_SAMPLE_END")
    if configured:
        return date.fromisoformat(configured)
    instant = now if now is not None else datetime.now(UTC)
    return instant.astimezone(ZoneInfo(hospital_timezone())).date() - timedelta(days=1)


def load_sample_hospital(
    engine: Engine, *, scale: float = 1.0, end: date | None = None, progress: Progress | None = None
) -> int:
    """Generate the sample hospital (:func:`sample_data.generate_hospital`), validate it like any import
    (:func:`data_loaders.load_frames`) and write it in one transaction as :data:`SAMPLE_IMPORTER`.

    Returns the number of rows stored. Raises ``RuntimeError`` if the generator produced rows the validation rejects
    (a bug, not a user error); then nothing is stored.
    """
    if progress:
        progress(0.05, "Generating the sample hospital")
    frames = generate_hospital(scale=scale) if end is None else generate_hospital(scale=scale, end=end)
    if progress:
        progress(0.3, "Validating")
    result = load_frames(frames)
    errors = result.problems[result.problems["severity"] == "error"]
    if not errors.empty:
        raise RuntimeError(f"The sample hospital failed validation:\n{errors.head(20).to_string()}")
    digest = hashlib.sha256(f"sample-hospital scale={scale} end={end}".encode()).hexdigest()

    def write_progress(fraction: float, message: str) -> None:
        if progress:
            progress(0.4 + 0.6 * fraction, message)

    import_tables(
        engine,
        result.tables,
        file_name=f"sample hospital (scale {scale})",
        sha256=digest,
        username=SAMPLE_IMPORTER,
        progress=write_progress,
    )
    return sum(len(f) for f in result.tables.values())
