"""The retention-risk page's one computation: feature history, attrition model, scores, unit tables, watch list.

:func:`retention_view` takes the canonical tables (as DataFrames, e.g. read through ``access.DataAccess.table``)
and an as-of date and returns a :class:`RetentionView`. The part that depends on the data only, not on the as-of
date — monthly risk features and the fitted attrition model, the slow part — is :func:`risk_history`; pass its
result as ``history`` to score other dates without refitting (a caller may cache it per data version).

Unit tables in the view are NOT suppressed: small-group suppression is an access rule, applied by the caller
(``components.risk_views.suppress_unit_views``). Formulas and sources: docs/risk_model.md.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

import pandas as pd

from retention.attrition.dataset import data_end_of, monthly_as_of_dates
from retention.attrition.hazard import ExitRiskModel
from retention.attrition.training import fit_history_model
from retention.burnout import individual_burnout
from retention.features import LONG_WEEKS, compute_risk_features, daily_census, prepare_shifts
from retention.unit_burnout import unit_summary_table, unit_trend_table
from retention.whatif import WhatIfResult, simulate_unit

Progress = Callable[[float, str], None]
"""callable(fraction 0-1, message) reporting how far a long computation is."""

HISTORY_MONTHS = 36
"""Most recent monthly as-of dates used to fit the attrition model (three years: a 12-month label needs them)."""

TREND_MONTHS = 12
"""Months shown in the unit trend."""

WATCH_COLUMNS = (
    "employee_id",
    "first_name",
    "last_name",
    "unit",
    "role",
    "burnout_index",
    "band",
    "burnout_drivers",
    "exit_probability",
    "exit_drivers",
    "overtime_hours_per_week_4w",
    "quick_returns_4w",
    "tenure_years",
)
"""Columns of the watch list, in order (the exit columns only when a model was fitted)."""


@dataclass(frozen=True)
class RiskHistory:
    """What the data alone determines: monthly risk features and the attrition model fitted on them.

    ``months``: as-of dates (first of each month); ``panel``: :func:`retention.features.feature_panel`-shaped frame
    (``employee_id`` and ``as_of`` columns); ``model``: None when it could not be fitted, with the reason in
    ``model_problem`` (None too when there is no history at all); ``prepared_shifts`` / ``census``: the shift and
    census preparation, reused when scoring another date.
    """

    data_end: pd.Timestamp
    months: tuple[pd.Timestamp, ...]
    panel: pd.DataFrame
    model: ExitRiskModel | None
    model_problem: str | None
    prepared_shifts: pd.DataFrame | None
    census: pd.DataFrame


@dataclass(frozen=True)
class RetentionView:
    """Everything the retention-risk page shows for one as-of date.

    ``features``: risk features of everyone employed on ``as_of`` (indexed by ``employee_id``); ``people``: the same
    rows with the burnout index, band, coverage, driver points, ``burnout_drivers``, ``first_name``/``last_name`` and,
    with a model, ``exit_probability`` (0-1, within ``horizon_months``) and ``exit_drivers``; ``unit_summary``:
    :func:`retention.unit_burnout.unit_summary_table` of ``features``; ``unit_trend``:
    :func:`retention.unit_burnout.unit_trend_table` of the last :data:`TREND_MONTHS` history months up to ``as_of``
    (empty when there are none). Unit tables are unsuppressed until the caller suppresses them.
    """

    as_of: pd.Timestamp
    data_end: pd.Timestamp
    features: pd.DataFrame
    people: pd.DataFrame
    model: ExitRiskModel | None
    model_problem: str | None
    unit_summary: pd.DataFrame
    unit_trend: pd.DataFrame

    @property
    def horizon_months(self) -> int | None:
        """Horizon of the exit probabilities in months (None without a model)."""
        return self.model.horizon_months if self.model is not None else None

    def watch_list(self, units: Iterable[str] = (), min_burnout_index: float = 0.0, top: int = 25) -> pd.DataFrame:
        """The ``top`` people by exit probability (by burnout index without a model) in ``units`` (all when empty)
        whose index is at least ``min_burnout_index``; :data:`WATCH_COLUMNS`, ``exit_probability`` given as
        ``exit_percent_horizon``: percent 0-100 rounded to 1 decimal (below 0.1 shows as 0.1, never as 0)."""
        rows = self.people.reset_index()
        wanted = list(units)
        if wanted:
            rows = rows[rows["unit"].isin(wanted)]
        rows = rows[rows["burnout_index"] >= min_burnout_index]
        sort_by = "exit_probability" if self.model is not None else "burnout_index"
        rows = rows.sort_values(sort_by, ascending=False).head(int(top))
        shown = [c for c in WATCH_COLUMNS if c in rows.columns]
        out = rows[shown].rename(columns={"exit_probability": "exit_percent_horizon"})
        if "exit_percent_horizon" in out:
            out["exit_percent_horizon"] = (100.0 * out["exit_percent_horizon"]).round(1).clip(lower=0.1, upper=99.9)
        return out

    def what_if(
        self,
        unit: str,
        *,
        overtime_cap: float | None = None,
        remove_quick_returns: bool = False,
        staffing_increase_pct: float = 0.0,
    ) -> WhatIfResult:
        """:func:`retention.whatif.simulate_unit` for ``unit`` on this view's features and model."""
        return simulate_unit(
            self.features,
            unit,
            self.model,
            overtime_cap=overtime_cap,
            remove_quick_returns=remove_quick_returns,
            staffing_increase_pct=staffing_increase_pct,
        )


def risk_history(
    frames: Mapping[str, pd.DataFrame],
    *,
    history_months: int = HISTORY_MONTHS,
    progress: Progress | None = None,
) -> RiskHistory:
    """Monthly risk features (from 12 weeks after the first timecard to the end of the data, at most
    ``history_months`` months) and the attrition model fitted on them (:func:`fit_history_model`).

    ``frames``: canonical tables, ``employees`` required (see :data:`retention.features.RISK_TABLES`). Raises
    ``ValueError`` when the data has no employees' dates or shifts to tell where it ends. A model that cannot be
    fitted is not an error: ``model`` is None and ``model_problem`` says why.
    """
    end = data_end_of(frames)
    shifts = frames.get("shifts")
    prepared = prepare_shifts(shifts) if shifts is not None and not shifts.empty else None
    census = daily_census(frames.get("census"))
    first = prepared["local_date"].min() if prepared is not None else end
    months = monthly_as_of_dates(first + pd.Timedelta(weeks=LONG_WEEKS), end)[-history_months:]
    parts = []
    for i, month in enumerate(months, start=1):
        parts.append(
            compute_risk_features(frames, month, prepared_shifts=prepared, prepared_census=census).reset_index()
        )
        if progress:
            progress(0.9 * i / len(months), f"Risk features as of {month:%b %Y} ({i}/{len(months)})")
    panel = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    model, problem = None, None
    if not panel.empty:
        if progress:
            progress(0.9, "Fitting the attrition model on past voluntary exits")
        try:
            model = fit_history_model(panel, frames["employees"], end)
        except ValueError as error:
            problem = str(error)
    if progress:
        progress(1.0, "Risk history ready")
    return RiskHistory(end, tuple(months), panel, model, problem, prepared, census)


def retention_view(
    frames: Mapping[str, pd.DataFrame],
    as_of: object,
    *,
    history: RiskHistory | None = None,
    progress: Progress | None = None,
) -> RetentionView:
    """Burnout index and exit probability with drivers for everyone employed on ``as_of``, and unit tables.

    ``frames``: canonical tables (``employees`` required); ``as_of``: date (normalised to midnight); ``history``:
    :func:`risk_history` of the same ``frames`` (built here when None; ``progress`` reports on that).
    Returns a :class:`RetentionView`; its ``people`` is empty when nobody was employed on ``as_of``. Raises
    ``ValueError`` as :func:`risk_history` does.
    """
    as_of = pd.Timestamp(as_of).normalize()
    if history is None:
        history = risk_history(frames, progress=progress)
    features = compute_risk_features(
        frames, as_of, prepared_shifts=history.prepared_shifts, prepared_census=history.census
    )
    people = individual_burnout(features)
    names = frames["employees"].drop_duplicates("employee_id").set_index("employee_id")
    people = people.join(names[[c for c in ("first_name", "last_name") if c in names.columns]], how="left")
    if history.model is not None and not features.empty:
        people["exit_probability"] = history.model.predict_proba(features)
        people["exit_drivers"] = history.model.driver_summary(features)
    recent = [m for m in history.months if m <= as_of][-TREND_MONTHS:]
    trend_panel = history.panel[history.panel["as_of"].isin(recent)] if recent else pd.DataFrame()
    return RetentionView(
        as_of=as_of,
        data_end=history.data_end,
        features=features,
        people=people,
        model=history.model,
        model_problem=history.model_problem,
        unit_summary=unit_summary_table(features),
        unit_trend=unit_trend_table(trend_panel),
    )
