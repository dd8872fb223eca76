"""Each KPI against a hand computation on a tiny hospital (two units, five people, Jan-Feb 2025)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analytics import catalogue, kpis, recruiting
from analytics.periods import duration_hours, period_range, split_at_period_boundaries
from analytics.reference_benchmarks import benchmark_for, load_benchmarks
from tests.real_data import real_file

NY = "America/New_York"
JAN, FEB = pd.Timestamp("2025-01-01"), pd.Timestamp("2025-02-01")
WINDOW = kpis.KpiScope(start="2025-01-01", end="2025-02-28")


def _d(value: str | None) -> pd.Timestamp:
    return pd.Timestamp(value) if value else pd.NaT


@pytest.fixture
def employees() -> pd.DataFrame:
    rows = [
        ("E1", "Ann", "Lee", "RN", "A", "2025-01-01", None, None, 1.0, "staff"),
        ("E2", "Bob", "Ng", "RN", "A", "2025-01-01", "2025-01-31", "voluntary", 0.5, "staff"),
        ("E3", "Cat", "Diaz", "CNA", "A", "2024-06-01", None, None, 1.0, "staff"),
        ("E4", "Dan", "Oh", "RN", "B", "2025-01-01", "2025-02-14", "involuntary", 1.0, "staff"),
        ("E5", "Eve", "Roe", "RN", "A", "2024-12-01", None, None, 1.0, "agency"),
    ]
    cols = ["employee_id", "first_name", "last_name", "role", "unit", "hire_date", "termination_date"]
    frame = pd.DataFrame(rows, columns=[*cols, "termination_reason", "fte", "employment_type"])
    for col in ("hire_date", "termination_date"):
        frame[col] = pd.to_datetime(frame[col]).astype("datetime64[ns]")
    return frame


@pytest.fixture
def units() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "unit_id": ["A", "B", "C"],
            "opened": pd.to_datetime(["2020-01-01", "2020-01-01", "2024-01-01"]),
            "closed": pd.to_datetime([None, "2025-02-15", None]),
            "merged_into": [None, "A", None],
        }
    )


def _row(frame: pd.DataFrame, period: pd.Timestamp, unit: str = "All", role: str = "All") -> pd.Series:
    hit = frame.loc[(frame["period"] == period) & (frame["unit"] == unit) & (frame["role"] == role)]
    assert len(hit) == 1, f"expected one row for {period:%Y-%m} {unit}/{role}, got {len(hit)}"
    return hit.iloc[0]


def _value(frame: pd.DataFrame, period: pd.Timestamp, unit: str = "All", role: str = "All") -> float:
    return float(_row(frame, period, unit, role)["value"])


# ---- shape -------------------------------------------------------------------------------------------------


def test_kpi_frame_has_tidy_columns_and_dtypes(employees):
    out = kpis.turnover_rate(employees, "M", scope=WINDOW)
    assert list(out.columns) == kpis.KPI_COLUMNS
    assert out["period"].dtype == "datetime64[ns]"
    assert out["unit"].dtype == "string" and out["role"].dtype == "string"
    assert out["people"].dtype == "int64"
    assert {"All"} <= set(out["unit"]) and {"All"} <= set(out["role"])


def test_unknown_period_granularity_is_refused(employees):
    with pytest.raises(ValueError, match="'M' \\(month\\)"):
        kpis.headcount(employees, "W")


# ---- headcount and FTE -------------------------------------------------------------------------------------


def test_headcount_counts_people_employed_on_the_last_day_excluding_agency(employees):
    out = kpis.headcount(employees, "M", scope=WINDOW)
    assert _value(out, JAN, "A") == 3  # E1, E2 (last day 31 Jan), E3; E5 is agency
    assert _value(out, JAN, "A", "RN") == 2
    assert _value(out, JAN) == 4
    assert _value(out, FEB, "A") == 2
    assert _row(out, FEB, "A")["change"] == -1


def test_fte_sums_contracted_fte(employees):
    out = kpis.fte(employees, "M", scope=WINDOW)
    assert _value(out, JAN, "A") == pytest.approx(2.5)
    assert _value(out, FEB) == pytest.approx(2.0)


# ---- turnover ----------------------------------------------------------------------------------------------


def test_turnover_is_separations_over_average_headcount_annualised(employees):
    out = kpis.turnover_rate(employees, "M", scope=WINDOW)
    jan_a = _row(out, JAN, "A")
    assert jan_a["numerator"] == 1 and jan_a["denominator"] == pytest.approx(3.0)
    assert jan_a["value"] == pytest.approx(1 / 3 * 100 * 12)
    assert _value(out, JAN, "A", "RN") == pytest.approx(1 / 2 * 1200)
    assert _value(out, JAN) == pytest.approx(1 / 4 * 1200)
    # February: E4 employed 14 of 28 days in B, so average headcount 0.5
    assert _value(out, FEB, "B") == pytest.approx(1 / 0.5 * 1200)
    assert _value(out, FEB) == pytest.approx(1 / 2.5 * 1200)


def test_month_with_no_exits_has_zero_turnover(employees):
    out = kpis.turnover_rate(employees, "M", scope=WINDOW)
    feb_a = _row(out, FEB, "A")
    assert feb_a["value"] == 0.0
    assert feb_a["prior_value"] == pytest.approx(400.0)
    assert feb_a["change"] == pytest.approx(-400.0)


def test_unit_with_no_staff_has_nan_turnover_not_an_error(employees, units):
    out = kpis.turnover_rate(employees, "M", scope=replace(WINDOW, units=units))
    empty_unit = _row(out, JAN, "C")
    assert np.isnan(empty_unit["value"])
    assert empty_unit["people"] == 0


def test_voluntary_turnover_counts_only_voluntary_exits(employees):
    out = kpis.voluntary_turnover_rate(employees, "M", scope=WINDOW)
    assert _value(out, JAN) == pytest.approx(1 / 4 * 1200)
    assert _value(out, FEB) == 0.0


def test_quarterly_turnover_annualises_by_four(employees):
    out = kpis.turnover_rate(employees, "Q", scope=kpis.KpiScope(start="2025-01-01", end="2025-03-31"))
    # Q1 2025 (90 days): E1 90, E2 31, E3 90, E4 45 days -> 256/90 average headcount; 2 exits
    assert _value(out, JAN) == pytest.approx(2 / (256 / 90) * 100 * 4)


def test_merged_unit_history_follows_its_successor(employees, units):
    out = kpis.turnover_rate(employees, "M", scope=replace(WINDOW, units=units, follow_mergers=True))
    assert "B" not in set(out["unit"])
    assert _value(out, FEB, "A") == pytest.approx(1 / 2.5 * 1200)


def test_merger_chain_resolves_to_final_successor():
    units = pd.DataFrame({"unit_id": ["A", "B", "C"], "merged_into": ["B", "C", None]})
    assert kpis.unit_successors(units) == {"A": "C", "B": "C"}


def test_merger_cycle_is_reported():
    units = pd.DataFrame({"unit_id": ["A", "B"], "merged_into": ["B", "A"]})
    with pytest.raises(ValueError, match="cycle"):
        kpis.unit_successors(units)


def test_first_year_turnover_counts_hires_leaving_within_365_days(employees):
    out = kpis.first_year_turnover_rate(employees, "M", scope=kpis.KpiScope(as_of="2026-06-01"))
    jan = _row(out, JAN)
    assert (jan["numerator"], jan["denominator"]) == (2, 3)  # E2 and E4 of the Jan 2025 hires E1, E2, E4
    assert jan["value"] == pytest.approx(200 / 3)


def test_first_year_turnover_omits_cohorts_whose_year_is_not_over(employees):
    out = kpis.first_year_turnover_rate(employees, "M", scope=kpis.KpiScope(as_of="2025-06-01"))
    assert out.empty


# ---- recruiting --------------------------------------------------------------------------------------------


@pytest.fixture
def requisitions() -> pd.DataFrame:
    rows = [
        ("R1", "A", "RN", "2025-01-10", "2025-02-20", "filled", 1.0),
        ("R2", "A", "RN", "2025-02-01", None, "open", 0.5),
        ("R3", "A", "CNA", "2025-01-05", None, "cancelled", 1.0),
        ("R4", "B", "RN", "2024-12-01", "2025-01-15", "filled", 1.0),
        ("R5", "A", "RN", "2025-01-01", "2025-02-10", "filled", 1.0),
    ]
    frame = pd.DataFrame(rows, columns=["requisition_id", "unit", "role", "opened", "filled", "status", "fte"])
    frame["opened"] = pd.to_datetime(frame["opened"])
    frame["filled"] = pd.to_datetime(frame["filled"])
    return frame


def test_vacancy_rate_is_open_fte_over_filled_plus_open(requisitions, employees):
    out = kpis.vacancy_rate(requisitions, employees, "M", scope=WINDOW)
    jan_a = _row(out, JAN, "A")
    # open on 31 Jan in A: R1 (1.0) + R5 (1.0); filled: E1 1.0 + E2 0.5 + E3 1.0
    assert jan_a["numerator"] == pytest.approx(2.0)
    assert jan_a["denominator"] == pytest.approx(4.5)
    assert jan_a["value"] == pytest.approx(200 / 4.5)
    assert _value(out, FEB, "A") == pytest.approx(0.5 / 2.5 * 100)  # R2 still open, cancelled R3 never counts


def test_time_to_fill_is_median_days_and_excludes_open_requisitions(requisitions):
    out = kpis.time_to_fill(requisitions, "M", scope=WINDOW)
    assert _value(out, JAN, "B") == 45  # R4: 1 Dec -> 15 Jan
    feb = _row(out, FEB, "A", "RN")
    assert feb["value"] == pytest.approx(40.5)  # R1 41 days, R5 40 days; R2 (open) excluded
    assert feb["denominator"] == 2


def test_open_requisitions_reports_open_age(requisitions):
    out = kpis.open_requisitions(requisitions, "2025-02-28")
    assert list(out["requisition_id"]) == ["R2"]
    assert out["open_days"].iloc[0] == 27


# ---- hours -------------------------------------------------------------------------------------------------


@pytest.fixture
def shifts() -> pd.DataFrame:
    rows = [
        ("E1", "A", "2025-01-31 19:00", "2025-02-01 07:00", 12.0, 4.0, False, "RN"),
        ("E3", "A", "2025-01-10 07:00", "2025-01-10 19:00", 12.0, 0.0, False, "CNA"),
        ("E5", "A", "2025-01-12 07:00", "2025-01-12 19:00", 12.0, 0.0, None, "RN"),
    ]
    cols = ["employee_id", "unit", "start", "end", "hours", "overtime_hours", "agency", "role"]
    frame = pd.DataFrame(rows, columns=cols)
    frame["start"] = pd.to_datetime(frame["start"])
    frame["end"] = pd.to_datetime(frame["end"])
    frame["agency"] = frame["agency"].astype("boolean")
    frame["status"] = "worked"
    return frame


def test_night_shift_hours_are_split_at_the_month_boundary(shifts, employees):
    out = kpis.overtime_share(shifts, "M", employees=employees, tz=NY, scope=WINDOW)
    jan, feb = _row(out, JAN, "A"), _row(out, FEB, "A")
    assert jan["denominator"] == pytest.approx(5 + 12 + 12)
    assert jan["numerator"] == pytest.approx(4 * 5 / 12)
    assert feb["denominator"] == pytest.approx(7)
    assert feb["value"] == pytest.approx(100 * (4 * 7 / 12) / 7)


def test_agency_share_uses_employment_type_when_shift_flag_is_empty(shifts, employees):
    out = kpis.agency_share(shifts, "M", employees=employees, tz=NY, scope=WINDOW)
    assert _value(out, JAN, "A") == pytest.approx(100 * 12 / 29)
    assert _value(out, FEB, "A") == 0.0


def test_hours_carried_past_the_last_shift_start_do_not_open_a_period(shifts, employees):
    out = kpis.overtime_share(shifts, "M", employees=employees, tz=NY)  # last shift starts 31 Jan, ends 1 Feb
    assert set(out["period"]) == {JAN}


def test_agency_share_from_staffed_hours_counts_contract_hours():
    staffed = pd.DataFrame(
        {
            "unit": ["A", "A", "A"],
            "date": pd.to_datetime(["2025-01-02"] * 3),
            "role": ["RN", "RN", "CNA"],
            "employment": ["employee", "contract", "employee"],
            "hours": [30.0, 10.0, 60.0],
        }
    )
    out = kpis.agency_share(None, "M", staffed_hours=staffed)
    assert _value(out, JAN, "A") == pytest.approx(10.0)
    assert _value(out, JAN, "A", "RN") == pytest.approx(25.0)


def test_shift_across_month_end_and_dst_change_is_measured_in_local_time():
    night = pd.DataFrame(
        {
            "employee_id": ["E1"],
            "unit": ["A"],
            "role": ["RN"],
            "start": [pd.Timestamp("2026-10-31 19:00")],
            "end": [pd.Timestamp("2026-11-01 07:00")],  # clocks go back at 02:00 on 1 Nov 2026
        }
    )
    hours = kpis.worked_hours("M", shifts=night, tz=NY)
    by_month = hours.groupby("period")["hours"].sum()
    assert by_month[pd.Timestamp("2026-10-01")] == pytest.approx(5.0)
    assert by_month[pd.Timestamp("2026-11-01")] == pytest.approx(8.0)


def test_night_is_11_hours_when_clocks_go_forward():
    start = pd.Series([pd.Timestamp("2025-03-08 19:00")])
    end = pd.Series([pd.Timestamp("2025-03-09 07:00")])
    assert duration_hours(start, end, NY).iloc[0] == pytest.approx(11.0)


@settings(max_examples=60, deadline=None)
@given(
    start=st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2026, 12, 31)),
    length=st.integers(min_value=1, max_value=24 * 60),
)
def test_splitting_never_changes_total_hours(start, length):
    frame = pd.DataFrame({"start": [pd.Timestamp(start)], "end": [pd.Timestamp(start + timedelta(minutes=length))]})
    frame["hours"] = length / 60
    out = split_at_period_boundaries(frame, "M", tz=NY)
    assert out["hours"].sum() == pytest.approx(length / 60)
    assert len(out) in (1, 2)


@pytest.fixture
def census() -> pd.DataFrame:
    daily = pd.DataFrame({"unit": "A", "timestamp": pd.date_range("2025-01-01", periods=31, freq="D"), "census": 10.0})
    hourly = pd.DataFrame({"unit": "B", "timestamp": pd.date_range("2025-01-01", periods=24, freq="h"), "census": 12.0})
    return pd.concat([daily, hourly], ignore_index=True)


def test_patient_days_from_midnight_and_hourly_census(census):
    days = kpis.patient_days(census, "M").set_index("unit")["patient_days"]
    assert days["A"] == pytest.approx(310)
    assert days["B"] == pytest.approx(12)


def test_hppd_is_nursing_hours_over_patient_days(census, shifts, employees):
    out = kpis.hppd(census, "M", shifts=shifts, employees=employees, tz=NY)
    assert _value(out, JAN, "A") == pytest.approx(29 / 310)
    assert _value(out, JAN, "A", "RN") == pytest.approx(17 / 310)
    assert _value(out, JAN, "A", "CNA") == pytest.approx(12 / 310)
    assert _value(out, JAN) == pytest.approx(29 / 322)
    assert _value(out, JAN, "B") == 0.0  # census but no nursing hours


def test_absence_rate_is_absence_hours_over_contracted_hours(employees):
    absences = pd.DataFrame(
        {
            "employee_id": ["E1", "E3"],
            "date": pd.to_datetime(["2025-01-15", "2025-01-20"]),
            "hours": [8.0, 12.0],
            "absence_type": ["sick", "PTO"],
        }
    )
    contracted_a = (1.0 + 0.5 + 1.0) * 40 * 31 / 7
    out = kpis.absence_rate(absences, employees, "M", scope=kpis.KpiScope(start="2025-01-01", end="2025-01-31"))
    assert _row(out, JAN, "A")["denominator"] == pytest.approx(contracted_a)
    assert _value(out, JAN, "A") == pytest.approx(100 * 20 / contracted_a)
    sick = kpis.absence_rate(
        absences, employees, "M", absence_types=("sick",), scope=kpis.KpiScope(start="2025-01-01", end="2025-01-31")
    )
    assert _value(sick, JAN, "A") == pytest.approx(100 * 8 / contracted_a)


# ---- training and rollouts ---------------------------------------------------------------------------------


@pytest.fixture
def training() -> pd.DataFrame:
    rows = [
        ("E1", "EMR-101", "EMR", "2025-01-31", "2025-01-20"),
        ("E1", "EMR-102", "EMR", "2025-02-28", "2025-01-25"),
        ("E3", "EMR-101", "EMR", "2025-01-31", "2025-02-03"),
        ("E1", "FIRE", "compliance", "2025-01-15", None),
    ]
    frame = pd.DataFrame(rows, columns=["employee_id", "course", "category", "due_date", "completion_date"])
    frame["due_date"] = pd.to_datetime(frame["due_date"])
    frame["completion_date"] = pd.to_datetime(frame["completion_date"])
    return frame


def test_training_compliance_is_on_time_completions_over_assignments_due(training, employees):
    out = kpis.training_compliance(training, employees, "M", scope=kpis.KpiScope(as_of="2025-03-31"))
    assert _value(out, JAN) == pytest.approx(100 / 3)  # EMR-101 on time (E1); late (E3); FIRE not done
    assert _value(out, FEB) == pytest.approx(100.0)
    emr = kpis.training_compliance(
        training, employees, "M", categories=("EMR",), scope=kpis.KpiScope(as_of="2025-03-31")
    )
    assert _value(emr, JAN) == pytest.approx(50.0)


def test_assignment_not_yet_due_is_not_counted_as_late(training, employees):
    out = kpis.training_compliance(training, employees, "M")  # as_of = latest completion, 3 Feb 2025
    assert set(out["period"]) == {JAN}


@pytest.fixture
def rollouts() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "system": ["EMR upgrade 2025"],
            "rollout_type": ["EMR_upgrade"],
            "unit": ["A"],
            "go_live": pd.to_datetime(["2025-02-01"]),
            "required_courses": ["EMR-101; EMR-102"],
        }
    )


def test_rollout_readiness_is_share_of_unit_staff_trained_before_go_live(rollouts, training, employees):
    out = kpis.rollout_readiness(rollouts, training, employees, "M")
    total = _row(out, FEB, "All")
    # staff of A on 1 Feb: E1 (ready), E3 (EMR-101 done after go-live), E5 (nothing); E2 left 31 Jan
    assert (total["numerator"], total["denominator"]) == (1, 3)
    assert total["system"] == "EMR upgrade 2025"
    assert _value(out, FEB, "A", "RN") == pytest.approx(50.0)


def test_readiness_gaps_name_who_misses_which_course(rollouts, training, employees):
    gaps = kpis.readiness_gaps(rollouts, training, employees, scope=kpis.KpiScope(as_of="2025-01-25"))
    assert dict(zip(gaps["employee_id"], gaps["missing_courses"], strict=True)) == {
        "E3": "EMR-101; EMR-102",
        "E5": "EMR-101; EMR-102",
    }
    assert set(gaps["days_to_go_live"]) == {7.0}


def test_rollout_courses_lists_required_courses(rollouts):
    assert kpis.rollout_courses(rollouts) == ["EMR-101", "EMR-102"]


# ---- surveys and outcomes ----------------------------------------------------------------------------------


@pytest.fixture
def pulse() -> pd.DataFrame:
    answers = [10, 9, 8, 6, 0, 10]
    frame = pd.DataFrame(
        {
            "respondent_id": [f"P{i}" for i in range(6)],
            "unit": "A",
            "date": pd.Timestamp("2025-01-10"),
            "dimension": "engagement",
            "score": [5.0, 4.0, 4.0, 2.0, 1.0, 5.0],
            "enps": [float(a) for a in answers],
        }
    )
    repeat = frame.iloc[[0]].assign(dimension="workload", score=3.0)  # same person, same day: one eNPS answer
    return pd.concat([frame, repeat], ignore_index=True)


def test_enps_is_percent_promoters_minus_percent_detractors(pulse):
    out = kpis.enps(pulse, "M")
    jan = _row(out, JAN, "A")
    assert (jan["numerator"], jan["denominator"], jan["people"]) == (1, 6, 6)
    assert jan["value"] == pytest.approx(100 / 6)


def test_pulse_average_by_dimension(pulse):
    assert _value(kpis.pulse_average(pulse, "M"), JAN, "A") == pytest.approx(24 / 7)
    assert _value(kpis.pulse_average(pulse, "M", dimension="workload"), JAN, "A") == pytest.approx(3.0)


def test_patient_experience_is_response_weighted():
    px = pd.DataFrame(
        {
            "unit": ["A", "B", "A"],
            "month": pd.to_datetime(["2025-01-01", "2025-01-01", "2025-02-01"]),
            "score": [80.0, 60.0, 90.0],
            "responses": [10, 30, 10],
        }
    )
    monthly = kpis.patient_experience_score(px, "M")
    assert _value(monthly, JAN) == pytest.approx(65.0)
    assert set(monthly["role"]) == {"All"}
    assert _value(kpis.patient_experience_score(px, "Q"), JAN, "A") == pytest.approx(85.0)


def test_empty_input_gives_empty_tidy_frame(employees):
    out = kpis.time_to_fill(pd.DataFrame(columns=["requisition_id", "unit", "role", "opened", "filled", "status"]))
    assert out.empty and list(out.columns) == kpis.KPI_COLUMNS


def test_period_range_covers_whole_quarters():
    assert list(period_range("2025-02-10", "2025-07-01", "Q")) == [
        pd.Timestamp("2025-01-01"),
        pd.Timestamp("2025-04-01"),
        pd.Timestamp("2025-07-01"),
    ]


def test_hppd_on_real_cms_payroll_based_journal_data():
    """One real nursing home (CMS PBJ public-use file): HPPD must land in the plausible 2-8 h range."""
    path = real_file("cms_pbj_daily_census_and_nurse_hours.csv")
    raw = pd.read_csv(path, nrows=400)
    date = pd.to_datetime(raw["WorkDate"].astype(str), format="%Y%m%d")
    census = pd.DataFrame({"unit": "NH", "timestamp": date, "census": raw["MDScensus"].astype(float)})
    parts = []
    for role, columns in {"RN": ["Hrs_RN"], "LPN": ["Hrs_LPN"], "CNA": ["Hrs_CNA"]}.items():
        for employment, suffix in (("employee", "_emp"), ("contract", "_ctr")):
            hours = sum(raw[c + suffix].astype(float) for c in columns)
            parts.append(
                pd.DataFrame({"unit": "NH", "date": date, "role": role, "employment": employment, "hours": hours})
            )
    staffed = pd.concat(parts, ignore_index=True)
    out = kpis.hppd(census, "M", staffed_hours=staffed)
    hospital = out.loc[(out["unit"] == "All") & (out["role"] == "All"), "value"]
    assert hospital.between(2, 8).all()
    expected = staffed["hours"].sum() / census["census"].sum()
    totals = out.loc[(out["unit"] == "All") & (out["role"] == "All")]
    assert totals["numerator"].sum() / totals["denominator"].sum() == pytest.approx(expected)


# ---- reference benchmarks ----------------------------------------------------------------------------------


def test_every_default_benchmark_names_its_source_and_year():
    table = load_benchmarks()
    assert (table["source"] != "").all() and (table["year"] >= 2024).all()
    rn_vacancy = benchmark_for(table, "vacancy_rate", "RN")
    assert rn_vacancy is not None and rn_vacancy.value == 9.6
    assert "NSI" in rn_vacancy.citation() and "as cited by" in rn_vacancy.citation()
    assert benchmark_for(table, "hppd") is None


def test_benchmarks_can_be_replaced_by_a_csv_named_in_the_environment(tmp_path, monkeypatch):
    path = tmp_path / "targets.csv"
    path.write_text("kpi,role,value,unit,label,source,year\nturnover_rate,All,12.5,%,System target,Board paper,2026\n")
    monkeypatch.setenv("HOSPITAL_BENCHMARKS_CSV", str(path))
    table = load_benchmarks()
    assert list(table["kpi"]) == ["turnover_rate"]
    assert benchmark_for(table, "turnover_rate").value == 12.5


def test_benchmark_csv_without_required_columns_is_explained(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("kpi,value\nturnover_rate,12\n")
    with pytest.raises(ValueError, match="lacks the column"):
        load_benchmarks(path)


# ---- catalogue and recruiting ------------------------------------------------------------------------------


def test_shared_worked_hours_give_the_same_kpis_as_separate_calls(shifts, employees, census):
    tables = {"shifts": shifts, "employees": employees, "census": census}
    together = catalogue.compute_many(["overtime_share", "agency_share", "hppd"], tables, "M")
    for name in ("overtime_share", "agency_share", "hppd"):
        alone = catalogue.compute(name, tables, "M")
        mine = together.loc[together["kpi"] == name].drop(columns="kpi").reset_index(drop=True)
        pd.testing.assert_frame_equal(mine, alone)


def test_catalogue_refuses_unknown_kpi():
    with pytest.raises(KeyError, match="Unknown KPI"):
        catalogue.compute("happiness", {}, "M")


def test_default_window_looks_back_at_most_five_years(employees):
    long_gone = employees.iloc[[0]].assign(
        employee_id="E8", hire_date=pd.Timestamp("1990-05-01"), termination_date=pd.Timestamp("2010-06-30")
    )
    veteran = employees.iloc[[0]].assign(employee_id="E9", hire_date=pd.Timestamp("1995-05-01"))
    out = kpis.headcount(pd.concat([employees, long_gone, veteran]), "Y")
    assert out["period"].min() == pd.Timestamp("2020-01-01")  # 5 years before the latest date, 14 Feb 2025


def test_default_window_starts_at_the_first_recorded_exit(employees):
    veteran = employees.iloc[[0]].assign(employee_id="E9", hire_date=pd.Timestamp("2021-05-01"))
    out = kpis.turnover_rate(pd.concat([employees, veteran]), "Y")
    assert out["period"].min() == pd.Timestamp("2025-01-01")  # first exit 31 Jan 2025; before it only survivors


def test_pipeline_counts_requisitions_by_status_with_open_age(requisitions):
    flow = recruiting.pipeline(requisitions, "2025-02-28").set_index(["unit", "role", "status"])
    assert flow.loc[("A", "RN", "open"), "requisitions"] == 1
    assert flow.loc[("A", "RN", "open"), "median_open_days"] == 27
    assert flow.loc[("A", "RN", "filled"), "requisitions"] == 2
    assert flow.loc[("A", "CNA", "cancelled"), "requisitions"] == 1


def test_skills_gap_compares_open_role_needs_with_skills_on_staff(requisitions, employees, training):
    reqs = requisitions.assign(required_skills=["RN; EMR-101", "EMR-101; ACLS", None, None, "RN"])
    gap = recruiting.skills_gap(reqs, employees, training, "2025-02-28").set_index(["unit", "skill"])
    # open on 28 Feb in A: R2 only (needs EMR-101 and ACLS); E1 completed EMR-101, E3 completed it late but has it
    assert gap.loc[("A", "EMR-101"), "open_requisitions"] == 1
    assert gap.loc[("A", "EMR-101"), "staff_with_skill"] == 2
    assert gap.loc[("A", "ACLS"), "staff_with_skill"] == 0


def test_readiness_gap_counts_give_numbers_without_names(rollouts, training, employees):
    counts = kpis.readiness_gap_counts(rollouts, training, employees, scope=kpis.KpiScope(as_of="2025-01-25"))
    assert "last_name" not in counts.columns
    assert counts.set_index("role")["not_ready"].to_dict() == {"CNA": 1, "RN": 1}


@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["A", "B", "C"]),
            st.sampled_from(["RN", "CNA"]),
            st.integers(min_value=0, max_value=700),
            st.one_of(st.none(), st.integers(min_value=0, max_value=700)),
        ),
        min_size=1,
        max_size=25,
    )
)
def test_turnover_totals_add_up_over_units_and_are_never_negative(people):
    day0 = pd.Timestamp("2024-01-01")
    rows = [
        {
            "employee_id": f"P{i}",
            "unit": unit,
            "role": role,
            "hire_date": day0 + pd.Timedelta(days=hired),
            "termination_date": day0 + pd.Timedelta(days=hired + stay) if stay is not None else pd.NaT,
            "termination_reason": "voluntary",
        }
        for i, (unit, role, hired, stay) in enumerate(people)
    ]
    out = kpis.turnover_rate(pd.DataFrame(rows), "Q", scope=kpis.KpiScope(start="2024-01-01", end="2026-12-31"))
    assert (out["value"].dropna() >= 0).all()
    units = (
        out.loc[(out["unit"] != "All") & (out["role"] == "All")].groupby("period")[["numerator", "denominator"]].sum()
    )
    total = out.loc[(out["unit"] == "All") & (out["role"] == "All")].set_index("period")[["numerator", "denominator"]]
    pd.testing.assert_frame_equal(units.sort_index(), total.sort_index(), check_names=False, check_exact=False)


def test_prior_and_change_next_to_a_hidden_value_are_blank():
    frame = pd.DataFrame(
        {
            "period": pd.to_datetime(["2026-01-01", "2026-02-01", "2026-03-01"]),
            "unit": pd.array(["A"] * 3, dtype="string"),
            "role": pd.array(["All"] * 3, dtype="string"),
            "value": [4.0, np.nan, 6.0],  # February suppressed
        }
    )
    out = kpis.add_prior_and_change(frame, "M")
    assert out.loc[1, "prior_value"] == 4.0
    assert pd.isna(out.loc[1, "change"])
    assert pd.isna(out.loc[2, "prior_value"]) and pd.isna(out.loc[2, "change"])
