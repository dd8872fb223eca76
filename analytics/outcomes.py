"""Outcome KPIs: patient experience beside the staffing that drives it, per unit and month.

:func:`outcome_panel` lines up, for every unit and month, the patient-experience top-box score with nursing
HPPD, overtime share, turnover and training compliance (all from :mod:`analytics.kpis`).
:func:`fit_outcome_model` regresses the score on the four by ordinary least squares (statsmodels) with
standard errors clustered by unit — months of one unit are not independent observations — and t-based 95%
confidence intervals with G−1 degrees of freedom, the usual small-cluster correction (Cameron & Miller, "A
Practitioner's Guide to Cluster-Robust Inference", *Journal of Human Resources* 50(2), 2015). The result is
stated in plain words, with the caution that it is an association, not proof of cause: sicker or busier units
differ in many ways at once, and with few units the intervals are wide.

The link itself is well documented (e.g. Aiken et al., "Patient safety, satisfaction, and quality of hospital
care", *BMJ* 2012;344:e1717: better nurse staffing and work environments go with higher patient ratings);
this model only asks how strong it is in this hospital's own data.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import statsmodels.formula.api as smf

from analytics.kpis import TOTAL

OUTCOME = "patient_experience_score"


@dataclass(frozen=True)
class Driver:
    """A staffing driver in the model: KPI column, plain-words name and the step a sentence talks about."""

    column: str
    words: str
    step: float
    step_words: str


DRIVERS: tuple[Driver, ...] = (
    Driver("hppd", "nursing hours per patient day", 1.0, "1 more nursing hour per patient day"),
    Driver("overtime_share", "overtime share", 1.0, "1 percentage point more overtime"),
    Driver("turnover_rate", "annualised turnover", 10.0, "10 percentage points more annualised turnover"),
    Driver("training_compliance", "training compliance", 10.0, "10 percentage points more training compliance"),
)

MIN_UNITS = 3
"""Fewest units (clusters) for which the model is fitted at all."""

MIN_DRIVER_COVERAGE = 0.5
"""A driver enters the model only if it is known for at least this share of the unit-months with a score
(e.g. training compliance exists only in months when courses fall due); otherwise it would discard most data."""

CAUTION = (
    "Association, not proof: units differ in case mix, size and management at the same time, so these "
    "numbers show how patient experience moved together with staffing in this hospital's data, not what a "
    "change in staffing would cause. With few units the intervals are wide; read them, not only the estimate."
)


@dataclass(frozen=True)
class OutcomeModel:
    """A fitted outcome model.

    ``coefficients``: one row per driver — column, words, step, estimate (score points per ``step``),
    ci_low, ci_high (95%), p_value (all float64). ``panel``: the unit-months used. ``sentences``: one plain
    sentence per driver. ``summary``: statsmodels' text summary (its own diagnostics).
    """

    coefficients: pd.DataFrame
    panel: pd.DataFrame
    n_obs: int
    n_units: int
    r_squared: float
    sentences: list[str]
    summary: str
    caution: str = field(default=CAUTION)


def outcome_panel(kpi_frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Unit-month table of the outcome and its drivers from tidy monthly KPI frames.

    ``kpi_frames`` maps KPI name (``patient_experience_score``, ``hppd``, ``overtime_share``,
    ``turnover_rate``, ``training_compliance``) to its tidy frame at ``freq="M"``; the unit-total rows
    (role ``"All"``, unit not ``"All"``) are used. Returns columns period (datetime64[ns]), unit (string),
    patient_experience_score and one float64 column per driver; rows are unit-months with a score (drivers
    may be NaN). Raises ``KeyError`` if the patient-experience frame is missing.
    """
    outcome = _unit_rows(kpi_frames[OUTCOME]).rename(columns={"value": OUTCOME})
    panel = outcome
    for driver in DRIVERS:
        frame = kpi_frames.get(driver.column)
        if frame is None or frame.empty:
            panel[driver.column] = np.nan
            continue
        panel = panel.merge(
            _unit_rows(frame).rename(columns={"value": driver.column}), on=["period", "unit"], how="left"
        )
    return panel.sort_values(["unit", "period"]).reset_index(drop=True)


def _unit_rows(frame: pd.DataFrame) -> pd.DataFrame:
    rows = frame.loc[(frame["role"] == TOTAL) & (frame["unit"] != TOTAL), ["period", "unit", "value"]]
    return rows.astype({"value": "float64"})


def fit_outcome_model(panel: pd.DataFrame, drivers: tuple[Driver, ...] = DRIVERS) -> OutcomeModel:
    """OLS of patient experience on the drivers, cluster-robust (by unit) 95% CIs, in plain words.

    Drivers that are constant, or known for under :data:`MIN_DRIVER_COVERAGE` of the unit-months, are left
    out; unit-months with a missing value in the remaining columns are dropped. Raises ``ValueError`` (a
    sentence saying what is missing) when fewer than :data:`MIN_UNITS` units or too few unit-months remain.
    """
    usable = [
        d
        for d in drivers
        if d.column in panel and panel[d.column].notna().mean() >= MIN_DRIVER_COVERAGE and panel[d.column].nunique() > 1
    ]
    if not usable:
        raise ValueError(
            "No staffing driver is known for enough unit-months and varies across them, so there is nothing to "
            "relate patient-experience scores to."
        )
    data = panel[["unit", OUTCOME, *[d.column for d in usable]]].dropna().reset_index(drop=True)
    n_units = data["unit"].nunique()
    if n_units < MIN_UNITS or len(data) < len(usable) + 3:
        raise ValueError(
            f"Too little data for the outcome model: {len(data)} complete unit-months in {n_units} unit(s); "
            f"it needs at least {MIN_UNITS} units and {len(usable) + 3} unit-months with patient-experience scores "
            "and staffing data."
        )
    formula = f"{OUTCOME} ~ " + " + ".join(d.column for d in usable)
    groups = pd.factorize(data["unit"])[0]
    fit = smf.ols(formula, data=data).fit(cov_type="cluster", cov_kwds={"groups": groups}, use_t=True)
    ci = fit.conf_int(alpha=0.05)
    rows = []
    for d in usable:
        rows.append(
            {
                "column": d.column,
                "words": d.words,
                "step": d.step,
                "estimate": float(fit.params[d.column] * d.step),
                "ci_low": float(ci.loc[d.column, 0] * d.step),
                "ci_high": float(ci.loc[d.column, 1] * d.step),
                "p_value": float(fit.pvalues[d.column]),
            }
        )
    coefficients = pd.DataFrame(rows)
    sentences = [_sentence(d, row) for d, row in zip(usable, coefficients.itertuples(), strict=True)]
    return OutcomeModel(
        coefficients=coefficients,
        panel=data,
        n_obs=int(fit.nobs),
        n_units=int(n_units),
        r_squared=float(fit.rsquared),
        sentences=sentences,
        summary=str(fit.summary()),
    )


def _sentence(driver: Driver, row) -> str:
    interval = f"95% CI {row.ci_low:+.1f} to {row.ci_high:+.1f} points"
    if row.ci_low <= 0 <= row.ci_high:
        return (
            f"No clear association with {driver.words}: with {driver.step_words}, patient-experience scores changed by "
            f"{row.estimate:+.1f} points on average, but the {interval} includes zero."
        )
    direction = "higher" if row.estimate > 0 else "lower"
    return (
        f"Unit-months with {driver.step_words} scored {abs(row.estimate):.1f} points {direction} "
        f"on patient experience ({interval}), other drivers held equal."
    )
