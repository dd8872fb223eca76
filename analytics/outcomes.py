"""Outcome model: does a unit's patient experience move with its own staffing of the month before?

:func:`outcome_panel` lines up, for every unit and month, the patient-experience top-box score and its number of
survey responses with nursing HPPD, overtime share, turnover and training compliance (all from
:mod:`analytics.kpis`). :func:`fit_outcome_model` then fits, by weighted least squares (statsmodels),

    score[u, m] = Σ_d β_d · driver_d[u, m − lag] + unit effect[u] + month effect[m] + error,

- **unit fixed effects** so each unit is compared only with itself: units differ in case mix and baseline
  ratings (an ICU has far more nursing hours per patient day than a medical ward and different patients), and a
  regression pooled across units mostly measures those differences — in the sample hospital it even gives the
  HPPD association the opposite sign of the within-unit one;
- **month fixed effects** for what moves every unit at once (season, survey-vendor or questionnaire changes);
- **weights = survey responses** of the unit-month (12 to 2,000 in the sample hospital): a top-box share from n
  responses has sampling variance p(1 − p)/n, so a score from 2,000 responses says more than one from 12
  (Solon, Haider & Wooldridge, "What are we weighting for?", *Journal of Human Resources* 50(2):301–316, 2015;
  the cluster-robust inference below does not rely on the weights being exactly right);
- **drivers lagged by one month** by default (:data:`DEFAULT_LAG`): HCAHPS surveys go out 48 hours to 6 weeks
  after discharge (CMS, *HCAHPS Quality Assurance Guidelines*), so the care a month's respondents rate was
  largely given in that month and the one before, and last month's staffing is already fixed when this month's
  shocks arrive (a census surge that both thins staffing and sours ratings in the same month biases a
  same-month regression). ``lag=0`` fits the contemporaneous model, shown beside it as a sensitivity check;
- **inference for ~12 clusters**: intervals and p-values from the restricted wild cluster bootstrap with
  Webb weights, inverted for the interval (Cameron, Gelbach & Miller 2008; Roodman et al. 2019), with CR2
  standard errors and t(G−1) as the fallback when the bootstrap interval is unbounded
  (:mod:`analytics.cluster_inference`).

Every result is stated in plain words (:func:`sentence`) with the caution that it is an association, not proof
of cause. The link itself is well documented (Aiken et al., "Patient safety, satisfaction, and quality of
hospital care", *BMJ* 2012;344:e1717); this model only asks how strong it is within this hospital's units.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import statsmodels.formula.api as smf

from analytics.cluster_inference import BOOTSTRAP_DRAWS, Interval, cr2_interval, wild_cluster_bootstrap
from analytics.kpis import TOTAL

OUTCOME = "patient_experience_score"
RESPONSES = "responses"

DEFAULT_LAG = 1
"""Months between the staffing and the patient-experience score it is related to (see the module docstring)."""

INFERENCE_METHODS = ("wild", "cr2")


@dataclass(frozen=True)
class Driver:
    """A staffing driver: KPI column, plain-words name, and the change a sentence talks about.

    ``step`` is a change a manager could make or see within a unit in a month (about one within-unit standard
    deviation in the sample hospital), in the KPI's own unit; ``step_words`` says it in words.
    """

    column: str
    words: str
    step: float
    step_words: str


DRIVERS: tuple[Driver, ...] = (
    Driver("hppd", "nursing hours per patient day", 0.5, "0.5 more nursing hours per patient day"),
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
    "Association, not proof: each unit is compared with itself and months that moved every unit are set aside, "
    "but a unit's staffing and its patients can still change together for other reasons, so these numbers show "
    "how patient experience moved with staffing in this hospital's data, not what a change in staffing would "
    "cause. With about a dozen units the intervals are wide; read them, not only the estimate."
)


@dataclass(frozen=True)
class OutcomeModel:
    """A fitted outcome model.

    ``coefficients``: one row per driver — column, words, step, estimate (score points per ``step``), ci_low,
    ci_high (95%; ±inf when unbounded), p_value (for no association), method (how the interval was obtained).
    ``panel``: the unit-months used, with the lagged drivers. ``lag``: months between staffing and score.
    ``r_squared``: share of the variation left after unit and month effects that the drivers explain (within
    R²). ``sentences``: one plain sentence per driver. ``description``: the model in one sentence.
    ``summary``: statsmodels' text summary of the point estimates.
    """

    coefficients: pd.DataFrame
    panel: pd.DataFrame
    lag: int
    n_obs: int
    n_units: int
    n_responses: int
    r_squared: float
    sentences: list[str]
    description: str
    summary: str
    caution: str = field(default=CAUTION)


def outcome_panel(kpi_frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Unit-month table of the outcome, its survey responses and the drivers, from tidy monthly KPI frames.

    ``kpi_frames`` maps KPI name (``patient_experience_score``, ``hppd``, ``overtime_share``, ``turnover_rate``,
    ``training_compliance``) to its tidy frame at ``freq="M"``; the unit-total rows (role ``"All"``, unit not
    ``"All"``) are used. Returns columns period (datetime64[ns], month start), unit (string),
    patient_experience_score (top-box %), responses (float64, the KPI's ``people``: survey responses behind the
    score) and one float64 column per driver; rows are unit-months with a score (drivers may be NaN). Raises
    ``KeyError`` if the patient-experience frame is missing.
    """
    outcome = kpi_frames[OUTCOME]
    panel = _unit_rows(outcome, ["value", "people"]).rename(columns={"value": OUTCOME, "people": RESPONSES})
    for driver in DRIVERS:
        frame = kpi_frames.get(driver.column)
        if frame is None or frame.empty:
            panel[driver.column] = np.nan
            continue
        panel = panel.merge(
            _unit_rows(frame, ["value"]).rename(columns={"value": driver.column}), on=["period", "unit"], how="left"
        )
    return panel.sort_values(["unit", "period"]).reset_index(drop=True)


def _unit_rows(frame: pd.DataFrame, values: list[str]) -> pd.DataFrame:
    rows = frame.loc[(frame["role"] == TOTAL) & (frame["unit"] != TOTAL), ["period", "unit", *values]]
    return rows.astype(dict.fromkeys(values, "float64"))


def lagged_panel(panel: pd.DataFrame, lag: int, drivers: tuple[Driver, ...] = DRIVERS) -> pd.DataFrame:
    """``panel`` with each driver column replaced by the same unit's value ``lag`` calendar months earlier.

    Matching is by calendar month, not by row, so a gap in a unit's months gives NaN rather than the wrong month.
    Raises ``ValueError`` for a negative lag.
    """
    if lag < 0:
        raise ValueError(f"The lag is a number of months before the score, 0 or more (got {lag}).")
    columns = [d.column for d in drivers if d.column in panel]
    if lag == 0:
        return panel.copy()
    earlier = panel[["unit", "period", *columns]].copy()
    earlier["period"] = earlier["period"] + pd.DateOffset(months=lag)
    return panel.drop(columns=columns).merge(earlier, on=["unit", "period"], how="left")


def fit_outcome_model(
    panel: pd.DataFrame,
    drivers: tuple[Driver, ...] = DRIVERS,
    *,
    lag: int = DEFAULT_LAG,
    inference: str = "wild",
) -> OutcomeModel:
    """Weighted least squares of patient experience on lagged drivers with unit and month fixed effects.

    ``panel``: as from :func:`outcome_panel` (period, unit, patient_experience_score, responses, drivers).
    ``lag``: months between staffing and score (0 = same month). ``inference``: ``"wild"`` (restricted wild
    cluster bootstrap by unit, Webb weights, 9,999 draws, interval by test inversion; CR2 where the bootstrap
    interval is unbounded) or ``"cr2"`` (CR2 standard errors with t(G−1) only; faster). Deterministic: the same
    panel always gives the same result (fixed bootstrap seed), so callers may cache it.

    Drivers known for under :data:`MIN_DRIVER_COVERAGE` of the unit-months, or that never change within a unit,
    are left out; unit-months with a missing value in the remaining columns are dropped. Raises ``ValueError``
    (a sentence saying what is missing) for an unknown inference method, a panel without period or responses,
    or fewer than :data:`MIN_UNITS` units or too few unit-months to estimate the effects.
    """
    if inference not in INFERENCE_METHODS:
        raise ValueError(f"Unknown inference method {inference!r}; use one of {', '.join(INFERENCE_METHODS)}.")
    missing = {"unit", "period", OUTCOME, RESPONSES} - set(panel.columns)
    if missing:
        raise ValueError(
            f"The outcome panel lacks {', '.join(sorted(missing))}: the model needs each unit-month's period, "
            "score and number of survey responses."
        )
    shifted = lagged_panel(panel, lag, drivers)
    usable = [d for d in drivers if _usable(shifted, d.column)]
    if not usable:
        raise ValueError(
            "No staffing driver is known for enough unit-months and changes within units, so there is nothing to "
            "relate patient-experience scores to."
        )
    data = _complete_rows(shifted, usable)
    n_units = data["unit"].nunique()
    n_params = len(usable) + n_units + data["period"].nunique() - 1
    if n_units < MIN_UNITS or len(data) < n_params + 3:
        raise ValueError(
            f"Too little data for the outcome model: {len(data)} complete unit-months in {n_units} unit(s); it "
            f"needs at least {MIN_UNITS} units and {n_params + 3} unit-months with patient-experience scores, "
            f"survey responses and the staffing of {_lag_words(lag)}."
        )
    columns = [d.column for d in usable]
    fit = smf.wls(
        f"{OUTCOME} ~ {' + '.join(columns)} + C(unit) + C(month)",
        data=data.assign(month=data["period"].dt.strftime("%Y-%m")),
        weights=data[RESPONSES],
    ).fit()
    if np.linalg.matrix_rank(fit.model.wexog) < fit.model.wexog.shape[1]:
        raise ValueError(
            "The staffing drivers cannot be told apart from the unit and month effects in these data (a driver "
            "moves in lockstep with another or with the calendar); choose a wider date range or more units."
        )
    names = list(fit.model.exog_names)
    intervals = [_infer(fit, names.index(d.column), data["unit"].to_numpy(), inference) for d in usable]
    coefficients = pd.DataFrame(
        [
            {
                "column": d.column,
                "words": d.words,
                "step": d.step,
                "estimate": i.estimate * d.step,
                "ci_low": i.low * d.step,
                "ci_high": i.high * d.step,
                "p_value": i.p_value,
                "method": i.method,
            }
            for d, i in zip(usable, intervals, strict=True)
        ]
    )
    return OutcomeModel(
        coefficients=coefficients,
        panel=data,
        lag=lag,
        n_obs=int(fit.nobs),
        n_units=int(n_units),
        n_responses=int(data[RESPONSES].sum()),
        r_squared=_within_r_squared(fit, data),
        sentences=[
            sentence(d, row.estimate, row.ci_low, row.ci_high, lag)
            for d, row in zip(usable, coefficients.itertuples(), strict=True)
        ],
        description=_description(lag, inference, int(fit.nobs), int(n_units)),
        summary=str(fit.summary()),
    )


def _usable(panel: pd.DataFrame, column: str) -> bool:
    if column not in panel or panel[column].notna().mean() < MIN_DRIVER_COVERAGE:
        return False
    within = panel.groupby("unit")[column].nunique()
    return bool((within > 1).any())


def _complete_rows(panel: pd.DataFrame, usable: list[Driver]) -> pd.DataFrame:
    columns = ["period", "unit", OUTCOME, RESPONSES, *[d.column for d in usable]]
    data = panel[columns].dropna()
    data = data.loc[data[RESPONSES] > 0]
    return data.sort_values(["unit", "period"]).reset_index(drop=True)


def _infer(fit, k: int, units: np.ndarray, inference: str) -> Interval:
    x, y = fit.model.wexog, fit.model.wendog
    fallback = cr2_interval(x, y, units, k)
    if inference == "cr2":
        return fallback
    half_width = (fallback.high - fallback.low) / 2
    wild = wild_cluster_bootstrap(x, y, units, k, guide_se=half_width / 2)
    if math.isinf(wild.low) or math.isinf(wild.high):
        return Interval(fallback.estimate, fallback.low, fallback.high, fallback.p_value, "CR2 (bootstrap unbounded)")
    return wild


def _within_r_squared(fit, data: pd.DataFrame) -> float:
    """1 − SSR(model) / SSR(unit and month effects only), both weighted: what the drivers add."""
    effects_only = smf.wls(
        f"{OUTCOME} ~ C(unit) + C(month)",
        data=data.assign(month=data["period"].dt.strftime("%Y-%m")),
        weights=data[RESPONSES],
    ).fit()
    return float(1 - fit.ssr / effects_only.ssr) if effects_only.ssr > 0 else float("nan")


def _lag_words(lag: int) -> str:
    return {0: "the same month", 1: "the month before"}.get(lag, f"{lag} months before")


def _description(lag: int, inference: str, n_obs: int, n_units: int) -> str:
    how = (
        f"95% intervals from a wild cluster bootstrap by unit (Webb weights, {BOOTSTRAP_DRAWS:,} draws, null imposed)"
        if inference == "wild"
        else "95% intervals from CR2 cluster-robust standard errors by unit with t(G−1)"
    )
    return (
        f"Weighted least squares over {n_obs} unit-months in {n_units} units, weighted by survey responses, with "
        f"unit and month fixed effects; staffing of {_lag_words(lag)}; {how}."
    )


def sentence(driver: Driver, estimate: float, low: float, high: float, lag: int = DEFAULT_LAG) -> str:
    """One plain sentence for a driver's effect per ``driver.step``, in score (top-box percentage) points.

    Digits follow the interval: two significant digits of its width, more where a bound would otherwise round
    to 0 (so 0.034 reads "0.034", not "0.0"). An interval that includes zero reads "No clear association".
    """
    when = _lag_words(lag)
    if not (math.isfinite(low) and math.isfinite(high)):
        return (
            f"No clear association with {driver.words} of {when}: the data cannot bound the interval, so the "
            "effect of this driver is unknown."
        )
    decimals = _decimals(low, high)
    est, lo, hi = (_number(v, _decimals_to_show(v, decimals)) for v in (estimate, low, high))
    if low <= 0 <= high:
        return (
            f"No clear association with {driver.words} of {when}: within a unit, {driver.step_words} went with "
            f"a change of {_signed(est)} points in the patient-experience score, but the 95% CI "
            f"({_signed(lo)} to {_signed(hi)}) includes zero."
        )
    direction = "higher" if estimate > 0 else "lower"
    return (
        f"Within a unit, {driver.step_words} in {when} went with a patient-experience score "
        f"{est.lstrip('−')} points {direction} (95% CI {_signed(lo)} to {_signed(hi)}), with the other "
        "drivers held equal and hospital-wide monthly swings set aside."
    )


def _decimals(low: float, high: float) -> int:
    """Decimals that show two significant digits of the interval's width (at least 0)."""
    width = high - low
    return 1 if width <= 0 else max(0, 1 - math.floor(math.log10(width)))


def _decimals_to_show(value: float, decimals: int) -> int:
    """``decimals``, or enough for one significant digit of a non-zero number that would round to 0."""
    if value == 0 or round(value, decimals) != 0:
        return decimals
    return -math.floor(math.log10(abs(value)))


def _number(value: float, decimals: int) -> str:
    text = f"{value:,.{decimals}f}"
    if float(text.replace(",", "")) == 0:
        text = text.lstrip("-")
    return text.replace("-", "−")


def _signed(text: str) -> str:
    return text if text.startswith("−") or float(text.replace(",", "")) == 0 else f"+{text}"
