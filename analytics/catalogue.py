"""The KPI catalogue: which tables each KPI needs, how to show it, and one call to compute it from tables.

Pages and the board report never call the KPI functions with hand-picked arguments; they ask
:func:`compute` with the table dictionary that ``DataAccess.aggregate`` hands them, so every role gets the
same numbers and the data layer can suppress small groups of sensitive data.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from analytics import kpis

Tables = dict[str, pd.DataFrame]


@dataclass(frozen=True)
class KpiSpec:
    """How one KPI is computed and shown.

    ``tables`` are the canonical tables it reads, as its KPI function declares them (``@reads``); ``unit`` its
    unit of measure ("%", "days", "HPPD" ...);
    ``decimals`` for display; ``higher_is_better`` colours the change (None = neutral); ``benchmark_role``
    is the role whose benchmark is shown on the hospital tile (e.g. RN vacancy); ``area`` groups KPIs into
    pages and board-report sheets.
    """

    name: str
    label: str
    unit: str
    decimals: int
    area: str
    tables: tuple[str, ...]
    higher_is_better: bool | None
    help: str
    benchmark_role: str = kpis.TOTAL
    tile_role: str = kpis.TOTAL

    def format(self, value: float | None) -> str:
        """``value`` formatted with its unit, or an em dash when missing."""
        if value is None or pd.isna(value):
            return "—"
        return f"{value:,.{self.decimals}f}{_SUFFIX.get(self.unit, f' {self.unit}')}"


def _reads(*functions: Callable[..., object]) -> tuple[str, ...]:
    """The tables the KPI functions declare they read (:func:`analytics.kpis.engine.reads`), in order, once each."""
    return tuple(dict.fromkeys(table for function in functions for table in function.tables))  # type: ignore[attr-defined]


_SUFFIX = {"%": "%", "people": "", "FTE": "", "points": "", "HPPD": " h", "of 5": " / 5"}
"""How a value's unit is written after it on a tile (the label already names people, FTE and eNPS)."""


def _opts(tables: Tables, follow_mergers: bool) -> dict:
    return {"scope": kpis.KpiScope(units=tables.get("units"), follow_mergers=follow_mergers)}


def _empty_table(name: str) -> pd.DataFrame:
    from data_loaders.schema import TABLES

    return pd.DataFrame(columns=TABLES[name].column_names)


def _get(tables: Tables, name: str) -> pd.DataFrame:
    frame = tables.get(name)
    return frame if frame is not None else _empty_table(name)


def _hours_source(tables: Tables) -> dict:
    if WORKED_HOURS in tables:
        return {"hours": tables[WORKED_HOURS]}
    shifts = tables.get("shifts")
    if shifts is not None and not shifts.empty:
        return {"shifts": shifts}
    return {"staffed_hours": _get(tables, "staffed_hours")}


WORKED_HOURS = "_worked_hours"
"""Key under which :func:`compute_many` shares one :func:`analytics.kpis.worked_hours` frame between KPIs."""
HOURS_KPIS = ("overtime_share", "agency_share", "hppd")


_COMPUTE: dict[str, Callable[[Tables, str, bool], pd.DataFrame]] = {
    "headcount": lambda t, f, m: kpis.headcount(_get(t, "employees"), f, **_opts(t, m)),
    "fte": lambda t, f, m: kpis.fte(_get(t, "employees"), f, **_opts(t, m)),
    "turnover_rate": lambda t, f, m: kpis.turnover_rate(_get(t, "employees"), f, **_opts(t, m)),
    "voluntary_turnover_rate": lambda t, f, m: kpis.voluntary_turnover_rate(_get(t, "employees"), f, **_opts(t, m)),
    "first_year_turnover_rate": lambda t, f, m: kpis.first_year_turnover_rate(_get(t, "employees"), f, **_opts(t, m)),
    "vacancy_rate": lambda t, f, m: kpis.vacancy_rate(_get(t, "requisitions"), _get(t, "employees"), f, **_opts(t, m)),
    "time_to_fill": lambda t, f, m: kpis.time_to_fill(_get(t, "requisitions"), f, **_opts(t, m)),
    "overtime_share": lambda t, f, m: kpis.overtime_share(
        _get(t, "shifts"), f, employees=t.get("employees"), hours=t.get(WORKED_HOURS), **_opts(t, m)
    ),
    "agency_share": lambda t, f, m: kpis.agency_share(
        freq=f, employees=t.get("employees"), **_hours_source(t), **_opts(t, m)
    ),
    "hppd": lambda t, f, m: kpis.hppd(
        _get(t, "census"), f, employees=t.get("employees"), **_hours_source(t), **_opts(t, m)
    ),
    "absence_rate": lambda t, f, m: kpis.absence_rate(_get(t, "absences"), _get(t, "employees"), f, **_opts(t, m)),
    "training_compliance": lambda t, f, m: kpis.training_compliance(
        _get(t, "training"), _get(t, "employees"), f, **_opts(t, m)
    ),
    "rollout_training_compliance": lambda t, f, m: kpis.training_compliance(
        _get(t, "training"),
        _get(t, "employees"),
        f,
        courses=kpis.rollout_courses(_get(t, "tech_rollouts")),
        **_opts(t, m),
    ),
    "rollout_readiness": lambda t, f, m: kpis.rollout_readiness(
        _get(t, "tech_rollouts"), _get(t, "training"), _get(t, "employees"), f, **_opts(t, m)
    ),
    "enps": lambda t, f, m: kpis.enps(_get(t, "pulse_surveys"), f, employees=t.get("employees"), **_opts(t, m)),
    "pulse_average": lambda t, f, m: kpis.pulse_average(
        _get(t, "pulse_surveys"), f, employees=t.get("employees"), **_opts(t, m)
    ),
    "patient_experience_score": lambda t, f, m: kpis.patient_experience_score(
        _get(t, "patient_experience"), f, **_opts(t, m)
    ),
}

KPIS: dict[str, KpiSpec] = {
    s.name: s
    for s in (
        KpiSpec("headcount", "Headcount", "people", 0, "Workforce", _reads(kpis.headcount), None,
                "Employees (staff and per-diem) employed on the last day of the period."),
        KpiSpec("fte", "FTE", "FTE", 1, "Workforce", _reads(kpis.fte), None,
                "Contracted full-time equivalents on the last day of the period (1.0 = 40 h/week)."),
        KpiSpec("turnover_rate", "Turnover (annualised)", "%", 1, "Workforce", _reads(kpis.turnover_rate), False,
                "Separations ÷ average headcount, annualised (NSI)."),
        KpiSpec("voluntary_turnover_rate", "Voluntary turnover", "%", 1, "Workforce",
                _reads(kpis.voluntary_turnover_rate), False,
                "Voluntary separations ÷ average headcount, annualised."),
        KpiSpec("first_year_turnover_rate", "First-year turnover", "%", 1, "Workforce",
                _reads(kpis.first_year_turnover_rate), False,
                "Share of a hiring cohort that left within 365 days (cohorts whose year is over).",
                benchmark_role="RN", tile_role="RN"),
        KpiSpec("vacancy_rate", "RN vacancy rate", "%", 1, "Recruiting", _reads(kpis.vacancy_rate), False,
                "Open FTE ÷ (filled + open FTE) on the last day of the period.", benchmark_role="RN", tile_role="RN"),
        KpiSpec("time_to_fill", "RN time to fill", "days", 0, "Recruiting", _reads(kpis.time_to_fill), False,
                "Median days from requisition opened to offer accepted.", benchmark_role="RN", tile_role="RN"),
        KpiSpec("overtime_share", "Overtime share", "%", 1, "Staffing", _reads(kpis.overtime_share), False,
                "Overtime hours ÷ worked hours."),
        KpiSpec("agency_share", "Agency/travel share", "%", 1, "Staffing",
                _reads(kpis.agency_share), False,
                "Agency and travel hours ÷ worked hours."),
        KpiSpec("hppd", "Nursing HPPD", "HPPD", 2, "Staffing",
                _reads(kpis.hppd), None,
                "Worked nursing (RN, LPN, CNA) hours ÷ patient days."),
        KpiSpec("absence_rate", "Absence rate", "%", 1, "Staffing", _reads(kpis.absence_rate), False,
                "Absence hours ÷ contracted hours."),
        KpiSpec("training_compliance", "Training compliance", "%", 1, "Training", _reads(kpis.training_compliance),
                True, "Assignments completed by their due date ÷ assignments due."),
        KpiSpec("rollout_training_compliance", "Rollout-course compliance", "%", 1, "Training",
                _reads(kpis.training_compliance, kpis.rollout_courses), True,
                "On-time completion of the courses required before technology go-lives."),
        KpiSpec("rollout_readiness", "Rollout readiness", "%", 1, "Training",
                _reads(kpis.rollout_readiness), True,
                "Share of a unit's staff who completed every required course by go-live."),
        KpiSpec("enps", "eNPS", "points", 0, "Engagement", _reads(kpis.enps), True,
                "% promoters (9-10) − % detractors (0-6)."),
        KpiSpec("pulse_average", "Pulse average", "of 5", 2, "Engagement", _reads(kpis.pulse_average),
                True, "Mean pulse-survey answer, 1 (worst) to 5 (best)."),
        KpiSpec("patient_experience_score", "Patient experience", "%", 1, "Outcomes",
                _reads(kpis.patient_experience_score), True, "Response-weighted top-box score."),
    )
}  # fmt: skip
"""Every KPI the pages show, by function name."""

VALUE_COLUMNS = ["value", "numerator", "denominator", "prior_value", "change"]
"""Columns the data layer blanks when it suppresses a small group."""


def compute(name: str, tables: Tables, freq: str = "M", follow_mergers: bool = False) -> pd.DataFrame:
    """Compute KPI ``name`` from ``tables`` ({table name: canonical DataFrame}); missing tables count as empty.

    The KPI is handed only the tables its spec declares (:attr:`KpiSpec.tables`, taken from the KPI function's
    :func:`analytics.kpis.engine.reads`) and the shared worked-hours frame. Returns the tidy frame of
    :mod:`analytics.kpis` (``rollout_readiness`` adds system and go_live).
    Raises ``KeyError`` for an unknown KPI name.
    """
    if name not in _COMPUTE:
        raise KeyError(f"Unknown KPI {name!r}; choose one of {', '.join(KPIS)}.")
    declared = {table: tables[table] for table in (*KPIS[name].tables, WORKED_HOURS) if table in tables}
    return _COMPUTE[name](declared, freq, follow_mergers)


def compute_many(names: list[str], tables: Tables, freq: str = "M", follow_mergers: bool = False) -> pd.DataFrame:
    """Several KPIs stacked into one tidy frame with a ``kpi`` column first (for one aggregate call)."""
    if sum(n in HOURS_KPIS for n in names) > 1 and WORKED_HOURS not in tables:
        shifts = tables.get("shifts")
        source = {"shifts": shifts} if shifts is not None and not shifts.empty else {}
        hours = kpis.worked_hours(
            freq, employees=tables.get("employees"), staffed_hours=tables.get("staffed_hours"), **source
        )
        tables = {**tables, WORKED_HOURS: hours}
    parts = [compute(n, tables, freq, follow_mergers).assign(kpi=n) for n in names]
    parts = [p for p in parts if not p.empty]
    if not parts:
        return pd.DataFrame(columns=["kpi", *kpis.KPI_COLUMNS])
    out = pd.concat(parts, ignore_index=True)
    return out[["kpi", *[c for c in out.columns if c != "kpi"]]]


def hospital_series(frame: pd.DataFrame, spec: KpiSpec, role: str | None = None) -> pd.DataFrame:
    """The KPI's total rows (unit "All", role ``role`` or the spec's tile role) of a stacked frame, by period.

    Rollout readiness has one total per go-live; a period's go-lives are pooled (Σ ready ÷ Σ staff) and, as
    each go-live stands alone, ``prior_value`` and ``change`` are NaN.
    """
    if frame.empty:
        return frame
    role = role or spec.tile_role
    rows = frame.loc[(frame["kpi"] == spec.name) & (frame["unit"] == kpis.TOTAL) & (frame["role"] == role)]
    if spec.name == "rollout_readiness" and not rows.empty:
        rows = rows.groupby("period", as_index=False).agg(
            numerator=("numerator", "sum"), denominator=("denominator", "sum"), people=("people", "sum")
        )
        rows["value"] = 100 * rows["numerator"] / rows["denominator"].where(rows["denominator"] > 0)
        rows["prior_value"] = float("nan")
        rows["change"] = float("nan")
        rows["suppressed"] = False
    return rows.sort_values("period").reset_index(drop=True)


def tables_for(names: list[str]) -> list[str]:
    """The union of tables the KPIs ``names`` read, in a stable order."""
    seen: dict[str, None] = {}
    for name in names:
        for table in KPIS[name].tables:
            seen.setdefault(table, None)
    return list(seen)
