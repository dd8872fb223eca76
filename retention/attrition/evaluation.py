"""How good an attrition model is: ROC AUC, Brier score and a reliability table, on a time-ordered split.

:func:`evaluate_time_split` trains on as-of dates whose whole label window closed before the first test as-of date
and tests on the later dates, against a baseline logistic regression on overtime alone. ROC AUC is the Mann-Whitney
U statistic over (events x non-events) (Hanley & McNeil 1982, Radiology 143:29-36); the Brier score is the mean
squared difference of probability and outcome (Brier 1950, Mon Weather Rev 78:1-3); the reliability (calibration)
table bins predictions into equal-count groups and compares the mean predicted probability with the observed exit
rate in each. Calibration is measured here, not adjusted: see docs/risk_model.md section 3.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
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
    equal-count bin).
    """

    n: int
    events: int
    auc: float
    brier: float
    brier_base_rate: float
    calibration: pd.DataFrame


@dataclass(frozen=True)
class TimeSplitEvaluation:
    """Model and overtime-only baseline evaluated on the same later rows."""

    model: Evaluation
    baseline: Evaluation
    train_as_of: tuple[pd.Timestamp, pd.Timestamp]
    test_as_of: tuple[pd.Timestamp, pd.Timestamp]
    train_rows: int
    test_rows: int


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


def evaluate_predictions(y_true: Iterable[float], probability: Iterable[float], bins: int = 10) -> Evaluation:
    """AUC, Brier score (and the base-rate reference) and the calibration table for predictions."""
    y = np.asarray(list(y_true), dtype=float)
    p = np.asarray(list(probability), dtype=float)
    rate = float(y.mean())
    return Evaluation(
        n=len(y),
        events=int(y.sum()),
        auc=roc_auc(y, p),
        brier=brier_score(y, p),
        brier_base_rate=brier_score(y, np.full(len(y), rate)),
        calibration=calibration_table(y, p, bins),
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
        model=evaluate_predictions(y_test, model.predict_proba(test).to_numpy(), bins),
        baseline=evaluate_predictions(y_test, baseline.predict_proba(test).to_numpy(), bins),
        train_as_of=(pd.to_datetime(train[time_column]).min(), pd.to_datetime(train[time_column]).max()),
        test_as_of=(pd.to_datetime(test[time_column]).min(), pd.to_datetime(test[time_column]).max()),
        train_rows=len(train),
        test_rows=len(test),
    )
    model.evaluation = evaluation
    return model, evaluation
