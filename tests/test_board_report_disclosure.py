"""The executive's board report cannot be undone: every attack of issue 11 finding 2 recovers no hidden cell.

The reader is an executive of the sample hospital (``sample_engine``, scale 0.05). They download the board report
(:func:`analytics.board_report.board_report_xlsx` over the frame the Executive overview loads through the data-access
layer, :func:`components.kpi_tiles.load_kpis`; only the sensitive KPIs, which the layer protects apart from the others
anyway) six times — month, quarter and year, each with "Follow unit mergers" on
and off — and read the sensitive KPIs back from the workbook. The attacks are in :mod:`tests.disclosure_attacker`;
a recovery counts only when it hits the true value of a cell with people in it (computed by an HR officer from the
rows).
"""

from __future__ import annotations

import io
from collections import Counter

import pandas as pd
import pytest

from access.data_access import DataAccess, UserContext
from analytics import catalogue
from analytics.board_report import board_report_xlsx
from analytics.reference_benchmarks import load_benchmarks
from tests import disclosure_attacker as attacker

SENSITIVE = ["absence_rate", "enps", "pulse_average"]
VIEWS = [(freq, follow) for freq in ("M", "Q", "Y") for follow in (False, True)]
SHEETS = {"absence_rate": "Staffing", "enps": "Engagement", "pulse_average": "Engagement"}
COLUMNS = ["value", "numerator", "denominator", "people", "prior_value", "change"]


def _read_back(workbook: bytes, freq: str, follow: bool) -> pd.DataFrame:
    """The sensitive KPIs' rows of the board report's area sheets, as the reader sees them."""
    label_to_kpi = {catalogue.KPIS[n].label: n for n in SENSITIVE}
    parts = []
    for sheet in sorted(set(SHEETS.values())):
        table = pd.read_excel(io.BytesIO(workbook), sheet_name=sheet, header=1, engine="openpyxl")
        table = table.loc[table["KPI"].isin(label_to_kpi)]
        parts.append(table.assign(kpi=table["KPI"].map(label_to_kpi)))
    rows = pd.concat(parts, ignore_index=True)
    rows["period"] = pd.to_datetime(rows["period"])
    rows[COLUMNS] = rows[COLUMNS].apply(pd.to_numeric, errors="coerce")
    rows = rows.assign(freq=freq, follow_mergers=follow, unit=rows["unit"].astype(str), role=rows["role"].astype(str))
    return rows[[*attacker.KEY, *COLUMNS]]


@pytest.fixture(scope="module")
def reports(sample_engine) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, str]]:
    """(what the executive read from six board reports, the true values, the unit mergers)."""
    import streamlit as st

    from components.kpi_tiles import load_kpis

    st.cache_data.clear()
    executive = DataAccess(sample_engine, UserContext("attacker.exec", "executive"))
    hr = DataAccess(sample_engine, UserContext("truth.hr", "hr_officer"))
    tables = {name: hr.table(name) for name in catalogue.tables_for(SENSITIVE)}
    reference = load_benchmarks()
    published, truth = [], []
    for freq, follow in VIEWS:
        frame = load_kpis(executive, SENSITIVE, freq, follow)
        published.append(_read_back(board_report_xlsx(frame, reference), freq, follow))
        true = catalogue.compute_many(SENSITIVE, tables, freq, follow)
        truth.append(true.assign(freq=freq, follow_mergers=follow))
    units = executive.table("units")
    mergers = {str(u): str(m) for u, m in zip(units["unit_id"], units["merged_into"], strict=True) if pd.notna(m)}
    assert mergers, "the sample hospital merges a unit (MS5 into MS4), so attack (c) has something to try"
    return pd.concat(published, ignore_index=True), pd.concat(truth, ignore_index=True), mergers


def _summary(found: list[attacker.Recovery]) -> str:
    counts = Counter(r.attack for r in found)
    examples = "; ".join(f"{r.attack}: {r.cell} {r.column}={r.found:g}" for r in found[:3])
    return f"{len(found)} recovered ({dict(counts)}), e.g. {examples}"


def test_reports_hide_small_groups_at_all(reports):
    published, _, _ = reports
    hidden = attacker.hidden_rows(published)
    assert len(hidden) > 100, "the attacks below are only meaningful when the reports hide cells"
    assert published["people"].dropna().ge(5).all()


def test_prior_value_and_change_reveal_no_hidden_cell(reports):
    published, truth, _ = reports
    found = attacker.prior_and_change(published, truth)
    assert not found, _summary(found)


def test_differencing_quarters_years_totals_and_merged_units_recovers_nothing(reports):
    published, truth, mergers = reports
    found = attacker.differencing(published, truth, mergers)
    assert not found, _summary(found)


@pytest.mark.parametrize("kpi", SENSITIVE)
def test_no_linear_combination_of_published_cells_equals_a_hidden_cell(reports, kpi):
    published, truth, mergers = reports
    found = attacker.linear_combinations(published.loc[published["kpi"] == kpi], truth, mergers)
    assert not found, _summary(found)


def test_no_survey_cell_shows_every_respondent_giving_the_same_answer(reports):
    published, _, mergers = reports
    found = attacker.one_category_answers(published, mergers)
    assert not found, _summary(found)
