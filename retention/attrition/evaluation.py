"""How good an attrition model is: ROC AUC, Brier score and a reliability table, on a time-ordered split.

:func:`evaluate_time_split` trains on as-of dates whose whole label window closed before the first test as-of date
and tests on the later dates, against a baseline logistic regression on overtime alone. ROC AUC is the Mann-Whitney
U statistic over (events x non-events) (Hanley & McNeil 1982, Radiology 143:29-36); the Brier score is the mean
squared difference of probability and outcome (Brier 1950, Mon Weather Rev 78:1-3); the reliability (calibration)
table bins predictions into equal-count groups and compares the mean predicted probability with the observed exit
rate in each; the calibration slope and intercept summarise it. The app's recalibration on a later window is in
:mod:`retention.attrition.training`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy.stats import mannwhitneyu

from retention.attrition.dataset import TARGET_COLUMN, model_columns
from retention.attrition.model import AttritionModel, coerce_target, fit_attrition_model

BASELINE_FEATURE = "overtime_hours_per_week_12w"
"""The overtime-only baseline's single feature."""


@dataclass(frozen=True)
class Evaluation:
    """How well probabilities match outcomes on a set of rows.

    ``auc``: ROC AUC (0.5 = chance, 1 = perfect ranking); ``brier``: Brier score (0 best; lower is better);
    ``brier_base_rate``: Brier score of always predicting the observed exit rate (a model must beat it);
    ``calibration``: DataFrame with columns ``bin``, ``n``, ``mean_predicted``, ``observed_rate`` (one row per
    equal-count bin); ``calibration_slope`` (1 = ideal; < 1: predictions too extreme) and ``calibration_intercept``
    (0 = ideal; < 0: over-prediction on average), see :func:`calibration_slope_intercept`; ``auc_low``/``auc_high``:
    95% interval of the AUC (:func:`auc_interval`).
    """

    n: int
    events: int
    auc: float
    brier: float
    brier_base_rate: float
    calibration: pd.DataFrame
    calibration_slope: float = float("nan")
    calibration_intercept: float = float("nan")
    auc_low: float = float("nan")
    auc_high: float = float("nan")


@dataclass(frozen=True)
class TimeSplitEvaluation:
    """Model and overtime-only baseline evaluated on the same later rows."""

    model: Evaluation
    baseline: Evaluation
    train_as_of: tuple[pd.Timestamp, pd.Timestamp]
    test_as_of: tuple[pd.Timestamp, pd.Timestamp]
    train_rows: int
    test_rows: int
    validation_as_of: tuple[pd.Timestamp, pd.Timestamp] | None = None
    validation_rows: int = 0


def roc_auc(y_true: Iterable[float], score: Iterable[float]) -> float:
    """ROC AUC = U / (n_events x n_non_events), U the Mann-Whitney statistic of event scores (ties count 1/2).

    Raises ``ValueError`` when there are no events or no non-events.
    """
    y = np.asarray(list(y_true), dtype=float)
    s = np.asarray(list(score), dtype=float)
    pos, neg = s[y == 1], s[y == 0]
    if len(pos) == 0 or len(neg) == 0:
        raise ValueError("ROC AUC needs at least one exit and one stayer among the rows evaluated.")
    u = mannwhitneyu(pos, neg, alternative="two-sided").statistic
    return float(u / (len(pos) * len(neg)))


def brier_score(y_true: Iterable[float], probability: Iterable[float]) -> float:
    """Mean of (probability - outcome)^2 over rows (outcomes 0/1)."""
    y = np.asarray(list(y_true), dtype=float)
    p = np.asarray(list(probability), dtype=float)
    return float(np.mean((p - y) ** 2))


def calibration_table(y_true: Iterable[float], probability: Iterable[float], bins: int = 10) -> pd.DataFrame:
    """Reliability table: rows sorted by probability and cut into ``bins`` groups of (nearly) equal size.

    Returns columns ``bin`` (1..k), ``n``, ``mean_predicted`` and ``observed_rate`` (both probabilities 0-1).
    """
    y = np.asarray(list(y_true), dtype=float)
    p = np.asarray(list(probability), dtype=float)
    order = np.argsort(p, kind="stable")
    groups = np.array_split(order, min(bins, max(len(p), 1)))
    rows = [
        {"bin": i + 1, "n": len(g), "mean_predicted": float(p[g].mean()), "observed_rate": float(y[g].mean())}
        for i, g in enumerate(groups)
        if len(g)
    ]
    return pd.DataFrame(rows, columns=["bin", "n", "mean_predicted", "observed_rate"])


def calibration_slope_intercept(y_true: Iterable[float], probability: Iterable[float]) -> tuple[float, float]:
    """Calibration slope and intercept of predicted probabilities against 0/1 outcomes (Van Calster et al. 2019, BMC
    Med 17:230; Cox 1958, Biometrika 45:562-565).

    Slope: b of the logistic regression logit P(y = 1) = a + b logit(p) (1 ideal; below 1 the predictions are too
    extreme, above 1 too timid). Intercept (calibration-in-the-large): a of logit P(y = 1) = a + logit(p) with
    logit(p) as an offset (0 ideal; negative = over-prediction on average). Probabilities are clipped to
    [1e-12, 1 - 1e-12]. Returns (slope, intercept).
    """
    y = np.asarray(list(y_true), dtype=float)
    p = np.clip(np.asarray(list(probability), dtype=float), 1e-12, 1 - 1e-12)
    logit = np.log(p / (1 - p))
    binomial = sm.families.Binomial()
    slope = sm.GLM(y, sm.add_constant(logit, has_constant="add"), family=binomial).fit().params[1]
    intercept = sm.GLM(y, np.ones((len(y), 1)), family=binomial, offset=logit).fit().params[0]
    return float(slope), float(intercept)


AUC_RESAMPLES = 400
"""Bootstrap resamples for the AUC interval."""


def auc_interval(
    y_true: Iterable[float],
    score: Iterable[float],
    groups: Iterable[object] | None = None,
    *,
    confidence: float = 0.95,
    resamples: int = AUC_RESAMPLES,
    seed: int = 0,
) -> tuple[float, float]:
    """Percentile bootstrap interval of the ROC AUC, resampling whole ``groups`` (employees) when given.

    The same employee appears at several as-of dates, so rows are not independent: resampling employees
    (cluster bootstrap; Field & Welsh 2007, J R Stat Soc B 69(3):369-390) keeps that dependence, which DeLong's
    row-level variance would ignore. Returns (low, high); resamples without an exit or a stayer are skipped.
    """
    y = np.asarray(list(y_true), dtype=float)
    s = np.asarray(list(score), dtype=float)
    codes = pd.factorize(pd.Series(list(groups)))[0] if groups is not None else np.arange(len(y))
    members = pd.Series(np.arange(len(y))).groupby(codes).apply(np.asarray).to_list()
    rng = np.random.default_rng(seed)
    values = []
    for _ in range(resamples):
        picked = rng.integers(0, len(members), len(members))
        rows = np.concatenate([members[g] for g in picked])
        yy = y[rows]
        if 0 < yy.sum() < len(yy):
            values.append(roc_auc(yy, s[rows]))
    tail = (1 - confidence) / 2
    return float(np.quantile(values, tail)), float(np.quantile(values, 1 - tail))


def evaluate_predictions(
    y_true: Iterable[float],
    probability: Iterable[float],
    bins: int = 10,
    groups: Iterable[object] | None = None,
) -> Evaluation:
    """AUC with its bootstrap interval (resampling ``groups`` when given), Brier score (and the base-rate reference),
    calibration slope and intercept, and the calibration table for predictions."""
    y = np.asarray(list(y_true), dtype=float)
    p = np.asarray(list(probability), dtype=float)
    rate = float(y.mean())
    slope, intercept = calibration_slope_intercept(y, p)
    low, high = auc_interval(y, p, groups)
    return Evaluation(
        n=len(y),
        events=int(y.sum()),
        auc=roc_auc(y, p),
        brier=brier_score(y, p),
        brier_base_rate=brier_score(y, np.full(len(y), rate)),
        calibration=calibration_table(y, p, bins),
        calibration_slope=slope,
        calibration_intercept=intercept,
        auc_low=low,
        auc_high=high,
    )


def evaluate_time_split(
    panel: pd.DataFrame,
    target: str = TARGET_COLUMN,
    *,
    test_start: object,
    horizon_months: int = 12,
    time_column: str = "as_of",
    id_column: str = "employee_id",
    feature_columns: Sequence[str] | None = None,
    baseline_feature: str = BASELINE_FEATURE,
    bins: int = 10,
) -> tuple[AttritionModel, TimeSplitEvaluation]:
    """Train on the past, test on later as-of dates, and compare with the overtime-only baseline.

    Training rows: labelled rows with ``time_column + horizon_months <= test_start`` (their outcome was known
    before the test period began). Test rows: labelled rows with ``time_column >= test_start``.
    Returns the model fitted on the training rows (its ``evaluation`` set) and the evaluation. Raises
    ``ValueError`` when either side has no exits or no stayers.
    """
    test_start = pd.Timestamp(test_start)
    labelled = panel[panel[target].notna()]
    times = pd.to_datetime(labelled[time_column])
    train = labelled[times + pd.DateOffset(months=horizon_months) <= test_start]
    test = labelled[times >= test_start]
    if train.empty or test.empty:
        raise ValueError(
            f"A time split at {test_start:%Y-%m-%d} leaves {len(train)} training and {len(test)} test rows; "
            "choose a split date with labelled history on both sides."
        )
    columns = list(feature_columns) if feature_columns is not None else model_columns(train, target, id_column)
    model = fit_attrition_model(train, target, id_columns=(id_column,), groups=id_column, feature_columns=columns)
    baseline = fit_attrition_model(train, target, groups=id_column, feature_columns=[baseline_feature])
    y_test = coerce_target(test[target]).to_numpy()
    evaluation = TimeSplitEvaluation(
        model=evaluate_predictions(y_test, model.predict_proba(test).to_numpy(), bins, test[id_column]),
        baseline=evaluate_predictions(y_test, baseline.predict_proba(test).to_numpy(), bins, test[id_column]),
        train_as_of=(pd.to_datetime(train[time_column]).min(), pd.to_datetime(train[time_column]).max()),
        test_as_of=(pd.to_datetime(test[time_column]).min(), pd.to_datetime(test[time_column]).max()),
        train_rows=len(train),
        test_rows=len(test),
    )
    model.evaluation = evaluation
    return model, evaluation
