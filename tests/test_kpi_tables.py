"""What each KPI reads is declared once (``@reads`` on the KPI function) and is exactly what it reads."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from analytics import catalogue
from sample_data import generate_hospital


class _RecordingTables(dict):
    """A table dict that notes every table name looked up."""

    def __init__(self, tables: dict[str, pd.DataFrame]) -> None:
        super().__init__(tables)
        self.looked_up: set[str] = set()

    def get(self, key, default=None):
        self.looked_up.add(key)
        return super().get(key, default)

    def __getitem__(self, key):
        self.looked_up.add(key)
        return super().__getitem__(key)

    def __contains__(self, key):
        self.looked_up.add(key)
        return super().__contains__(key)


@pytest.fixture(scope="module")
def hospital() -> dict[str, pd.DataFrame]:
    return generate_hospital(scale=0.1, years=2, end=date(2025, 12, 31))


def _looked_up(name: str, tables: dict[str, pd.DataFrame]) -> set[str]:
    recording = _RecordingTables(tables)
    catalogue._COMPUTE[name](recording, "M", True)
    return recording.looked_up - {catalogue.WORKED_HOURS}


@pytest.mark.parametrize("name", list(catalogue.KPIS))
def test_a_kpi_looks_up_exactly_the_tables_it_declares(name, hospital):
    without_shifts = {t: f for t, f in hospital.items() if t != "shifts"}
    looked_up = _looked_up(name, hospital) | _looked_up(name, without_shifts)
    assert looked_up == set(catalogue.KPIS[name].tables)


@pytest.mark.parametrize("name", list(catalogue.KPIS))
def test_a_kpi_computed_from_only_its_declared_tables_is_the_kpi_from_every_table(name, hospital):
    declared = {t: hospital[t] for t in catalogue.KPIS[name].tables}
    alone = catalogue._COMPUTE[name](declared, "M", True)
    assert not alone.empty
    pd.testing.assert_frame_equal(alone, catalogue.compute(name, hospital, "M", follow_mergers=True))


def test_a_kpi_is_handed_no_table_it_does_not_declare(hospital, monkeypatch):
    seen: list[set[str]] = []
    monkeypatch.setitem(catalogue._COMPUTE, "headcount", lambda t, f, m: seen.append(set(t)) or pd.DataFrame())
    catalogue.compute("headcount", hospital)
    assert seen == [{"employees", "units"}]
