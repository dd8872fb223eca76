"""Opening the store with every table, and filling an empty embedded store with the sample hospital."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine

import access.auth
import access.sign_in_throttle  # registers the sign_in_throttle table with the store
from data_loaders.settings import hospital_timezone
from data_loaders.store import create_store, import_tables

Progress = Callable[[float, str], None]

SAMPLE_USERNAME = access.auth.SAMPLE_IMPORTER


def open_store(url: str | None = None) -> Engine:
    """Engine for the store at ``url`` (default from settings), its schema at the newest migration
    (:func:`data_loaders.store.create_store`: the embedded store is migrated, a server store only checked)."""
    return create_store(url)


def should_bootstrap_sample() -> bool:
    """Load the sample hospital into an empty store? Yes for the default embedded store, unless
    ``HOSPITAL_BOOTSTRAP_SAMPLE=0``; for a configured ``HOSPITAL_STORE_URL`` only if ``HOSPITAL_BOOTSTRAP_SAMPLE=1``."""
    flag = os.environ.get("HOSPITAL_BOOTSTRAP_SAMPLE")
    if flag is not None:
        return flag == "1"
    return "HOSPITAL_STORE_URL" not in os.environ


def load_sample_hospital(
    engine: Engine, *, scale: float = 1.0, end: date | None = None, progress: Progress | None = None
) -> int:
    """Generate the sample hospital (``sample_data``), validate it like any import and write it in one transaction.

    Also creates the demo accounts unless ``HOSPITAL_DEMO_ACCOUNTS=0``. Returns the number of rows stored.
    Raises ``RuntimeError`` if the generator produced rows the validation rejects (a bug, not a user error).
    """
    from data_loaders import load_frames
    from sample_data import generate_hospital

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
        username=SAMPLE_USERNAME,
        progress=write_progress,
    )
    if os.environ.get("HOSPITAL_DEMO_ACCOUNTS", "1") != "0":
        access.auth.create_demo_accounts(engine)
    return sum(len(f) for f in result.tables.values())


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
