"""Engagement KPIs: employee Net Promoter Score and pulse-survey averages (sensitive), and patient experience."""

from __future__ import annotations

import pandas as pd

from analytics.kpis.engine import TOTAL, WHOLE_HISTORY, KpiScope, cube, empty_kpi, reads
from analytics.kpis.inputs import attach_employee, date_column, map_units, number_column, text_column
from analytics.periods import check_freq, period_start, window


def _pulse(pulse_surveys: pd.DataFrame, employees: pd.DataFrame | None, scope: KpiScope) -> pd.DataFrame:
    rows = attach_employee(pulse_surveys, employees, id_column="respondent_id")
    rows["date"] = date_column(rows, "date")
    return map_units(rows, scope)


@reads("pulse_surveys", "employees", "units")
def enps(
    pulse_surveys: pd.DataFrame,
    freq: str = "M",
    *,
    employees: pd.DataFrame | None = None,
    scope: KpiScope | None = None,
) -> pd.DataFrame:
    """Employee Net Promoter Score: % promoters (9-10) − % detractors (0-6), from −100 to +100.

    Source: Bain & Company, Net Promoter System (eNPS). One answer per respondent and survey date (the
    first non-empty ``enps`` of that respondent's rows that day). The respondent's role comes from the
    employees table when ``respondent_id`` is an employee id; anonymous answers count in the "All" rows
    only. ``numerator`` = promoters − detractors, ``denominator`` = respondents. Sensitive: aggregate
    through ``DataAccess.aggregate`` (groups under 5 people are suppressed). ``scope`` (:class:`KpiScope`;
    ``as_of`` not used, ``units`` only for mergers).
    """
    freq = check_freq(freq)
    scope = scope or WHOLE_HISTORY
    rows = _pulse(pulse_surveys, employees, scope)
    rows["enps"] = number_column(rows, "enps")
    rows = rows.dropna(subset=["enps"]).drop_duplicates(["person", "date"])
    rows["period"] = period_start(rows["date"], freq)
    periods = window([rows["period"]], freq, scope.start, scope.end)
    if rows.empty or len(periods) == 0:
        return empty_kpi(freq)
    rows["num"] = (rows["enps"] >= 9).astype(float) - (rows["enps"] <= 6).astype(float)
    rows["den"] = 1.0
    return cube(rows, rows, periods, freq, scale=100.0)


@reads("pulse_surveys", "employees", "units")
def pulse_average(
    pulse_surveys: pd.DataFrame,
    freq: str = "M",
    *,
    dimension: str | None = None,
    employees: pd.DataFrame | None = None,
    scope: KpiScope | None = None,
) -> pd.DataFrame:
    """Pulse-survey average: mean Likert ``score`` (1 worst - 5 best) of the answers in the period.

    ``dimension`` (e.g. ``"workload"``) limits it to one question theme; default all dimensions pooled.
    ``numerator`` = sum of scores, ``denominator`` = answers. Sensitive (see :func:`enps`). ``scope`` as for
    :func:`enps`.
    """
    freq = check_freq(freq)
    scope = scope or WHOLE_HISTORY
    rows = _pulse(pulse_surveys, employees, scope)
    if dimension is not None:
        rows = rows.loc[(text_column(rows, "dimension") == dimension).fillna(False).to_numpy()]
    rows["num"] = number_column(rows, "score")
    rows = rows.dropna(subset=["num"])
    rows["period"] = period_start(rows["date"], freq)
    rows["den"] = 1.0
    periods = window([rows["period"]], freq, scope.start, scope.end)
    if rows.empty or len(periods) == 0:
        return empty_kpi(freq)
    return cube(rows, rows, periods, freq)


@reads("patient_experience", "units")
def patient_experience_score(
    patient_experience: pd.DataFrame,
    freq: str = "M",
    *,
    scope: KpiScope | None = None,
) -> pd.DataFrame:
    """Patient-experience top-box score (%): response-weighted mean of monthly unit scores.

    value = Σ(score × responses) / Σ responses (HCAHPS top-box scores are percentages of respondents; a
    month without ``responses`` weighs 1). Role is not meaningful: only ``role == "All"`` rows.
    ``people`` = survey responses behind the row. ``scope`` as for :func:`enps`.
    """
    freq = check_freq(freq)
    scope = scope or WHOLE_HISTORY
    px = pd.DataFrame(
        {
            "unit": text_column(patient_experience, "unit"),
            "month": date_column(patient_experience, "month"),
            "score": number_column(patient_experience, "score"),
            "den": number_column(patient_experience, "responses").fillna(1.0),
        }
    ).dropna(subset=["score", "month"])
    px = map_units(px, scope)
    px["period"] = period_start(px["month"], freq)
    px["num"] = px["score"] * px["den"]
    px["role"] = pd.NA
    px["person"] = pd.NA
    periods = window([px["period"]], freq, scope.start, scope.end)
    if px.empty or len(periods) == 0:
        return empty_kpi(freq)
    out = cube(px, px, periods, freq, people_weight="den")
    return out.loc[out["role"] == TOTAL].reset_index(drop=True)
