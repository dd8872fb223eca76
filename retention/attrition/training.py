"""How the app trains its exit-risk model: monthly hazard, recalibration on a later window, time-ordered test.

Three windows in time order, none of whose outcomes overlap the next (person-month rows carry the label "voluntary
exit within the next month", so a window's outcomes are known one month after its last as-of date):

1. **train**: the monthly hazard (:mod:`retention.attrition.hazard`) is fitted on the earliest person-months;
2. **validation**: later as-of dates whose H-month outcome closed before the test period; the hazard's log-odds
   are recalibrated there (logit h' = a + b logit h, a and b maximising the likelihood of the H-month outcomes);
3. **test**: the last labelled as-of dates (about a third), each with the label "voluntary exit within H months";
   the recalibrated H-month probabilities are evaluated there (AUC with a cluster-bootstrap interval, Brier score,
   calibration slope and intercept, reliability table), against an overtime-only model trained the same way.

The model the page scores with runs the same procedure rolled forward: fitted on every labelled month before the
last validation-sized window and recalibrated on that window (the most recent outcomes), so its recalibration is as
recent as the data allow. Definitions: docs/risk_model.md section 3.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy.optimize import minimize

from retention.attrition.dataset import MONOTONE_INPUTS, label_panel, model_columns
from retention.attrition.evaluation import BASELINE_FEATURE, TimeSplitEvaluation, evaluate_predictions
from retention.attrition.hazard import ExitRiskModel, horizon_probability, with_model_inputs
from retention.attrition.model import AttritionModel, coerce_target, fit_attrition_model

HAZARD_TARGET = "left_within_1m"
"""Label of the person-month rows: voluntary exit within the month after the as-of date."""

MIN_TRAIN_MONTHS = 4
"""At least four monthly as-of dates to fit the hazard on. With two years of data and a 6-month horizon, four leave
room for a five-month test window; six (tried first) left three test dates and a calibration slope estimate too noisy
to read (0.85 there against 0.99 on five dates, docs/risk_model.md)."""

MIN_VALIDATION_MONTHS = 3
"""At least three months of outcomes to recalibrate on; otherwise a third of the months before the test period."""

TEST_SHARE = 1 / 3
"""Share of the labelled H-month as-of dates held out as the test window (the latest)."""


def _months(rows: pd.DataFrame) -> list[pd.Timestamp]:
    return sorted(pd.to_datetime(rows["as_of"]).unique())


def _windows(
    months: Sequence[pd.Timestamp], outcome_dates: Sequence[pd.Timestamp], before: pd.Timestamp, horizon_months: int
) -> tuple[list[pd.Timestamp], list[pd.Timestamp]]:
    """(train months, validation as-of dates) whose outcomes are all known by ``before``.

    Validation: the last third (at least :data:`MIN_VALIDATION_MONTHS`) of the as-of dates whose ``horizon_months``
    outcome closed by ``before``; train: the person-months before the first validation date (their one-month
    outcomes close by then). Raises ``ValueError`` when fewer than :data:`MIN_TRAIN_MONTHS` train months remain.
    """
    closed = [d for d in outcome_dates if d + pd.DateOffset(months=horizon_months) <= before]
    size = max(MIN_VALIDATION_MONTHS, round(len(closed) / 3))
    validation = closed[-size:]
    train = [m for m in months if validation and m < validation[0]]
    if len(validation) < MIN_VALIDATION_MONTHS or len(train) < MIN_TRAIN_MONTHS:
        raise ValueError(
            f"{len(closed)} as-of dates with a closed {horizon_months}-month outcome before {before:%Y-%m-%d}: need "
            f"{MIN_TRAIN_MONTHS} months to train on and then {MIN_VALIDATION_MONTHS} dates to recalibrate on."
        )
    return train, validation


def _recalibration(
    hazard: AttritionModel, validation: pd.DataFrame, target: str, horizon_months: int
) -> tuple[float, float]:
    """(a, b) of logit h' = a + b logit h maximising the likelihood of the ``horizon_months`` outcomes of the
    ``validation`` rows under P = 1 - prod_k (1 - h'(x_k)) (scipy L-BFGS-B, b >= 0.01).

    Recalibrating on the horizon's own outcome, not the next month's, also absorbs what holding today's features
    fixed for the whole horizon overstates (features drift back towards the mean). Raises ``ValueError`` when the
    ranking does not hold on the later window (b at its floor).
    """
    y = coerce_target(validation[target]).to_numpy()
    logits = ExitRiskModel(hazard, horizon_months, (0.0, 1.0)).monthly_logits(validation)

    def loss(params: np.ndarray) -> float:
        p = np.clip(horizon_probability(params[0] + params[1] * logits), 1e-12, 1 - 1e-12)
        return float(-np.sum(y * np.log(p) + (1 - y) * np.log(1 - p)))

    result = minimize(loss, np.array([0.0, 1.0]), method="L-BFGS-B", bounds=[(None, None), (0.01, None)])
    a, b = (float(v) for v in result.x)
    if b <= 0.011:
        raise ValueError("On the later window the model's ranking does not hold; its probabilities would mislead.")
    return a, b


def _fit_and_recalibrate(
    monthly: pd.DataFrame,
    outcomes: pd.DataFrame,
    train_months: Sequence[pd.Timestamp],
    validation_dates: Sequence[pd.Timestamp],
    horizon_months: int,
    feature_columns: Sequence[str] | None = None,
) -> ExitRiskModel:
    """Hazard fitted on ``train_months`` person-months, recalibrated on the ``validation_dates`` horizon outcomes."""
    train = monthly[pd.to_datetime(monthly["as_of"]).isin(train_months)]
    validation = outcomes[pd.to_datetime(outcomes["as_of"]).isin(validation_dates)]
    columns = list(feature_columns) if feature_columns is not None else model_columns(train, HAZARD_TARGET)
    hazard = fit_attrition_model(
        train,
        HAZARD_TARGET,
        id_columns=("employee_id",),
        groups="employee_id",
        feature_columns=columns,
        nonnegative=[c for c in MONOTONE_INPUTS if c in columns],
    )
    recalibration = _recalibration(hazard, validation, f"left_within_{horizon_months}m", horizon_months)
    windows = {
        "train": (pd.Timestamp(min(train_months)), pd.Timestamp(max(train_months))),
        "validation": (pd.Timestamp(min(validation_dates)), pd.Timestamp(max(validation_dates))),
    }
    return ExitRiskModel(hazard, horizon_months, recalibration, windows=windows)


def fit_app_model(
    history: pd.DataFrame, employees: pd.DataFrame, data_end: object, horizon_months: int
) -> ExitRiskModel:
    """The app's exit-risk model for one horizon: evaluated on the time-ordered test, then rolled forward.

    ``history``: :func:`retention.features.feature_panel` output (monthly as-of dates); ``employees``: canonical
    table; ``data_end``: last date covered. The test window is the last third of the as-of dates with a closed
    ``horizon_months`` outcome, shortened when the train and validation windows need the room. Returns an
    :class:`ExitRiskModel` whose ``evaluation`` is the held-out :class:`TimeSplitEvaluation`. Raises
    ``ValueError`` when the history is too short for the three windows or the recalibration fails.
    """
    monthly = with_model_inputs(label_panel(history, employees, 1, data_end))
    monthly = monthly[monthly[HAZARD_TARGET].notna()]
    target = f"left_within_{horizon_months}m"
    outcomes = with_model_inputs(label_panel(history, employees, horizon_months, data_end))
    outcomes = outcomes[outcomes[target].notna()]
    dates, months = _months(outcomes), _months(monthly)
    if not dates or not months:
        raise ValueError(f"No as-of date has a closed {horizon_months}-month outcome.")
    earliest = months[0] + pd.DateOffset(months=MIN_TRAIN_MONTHS + MIN_VALIDATION_MONTHS - 1 + horizon_months)
    share = dates[min(len(dates) - 1, round(len(dates) * (1 - TEST_SHARE)))]
    test_start = max(pd.Timestamp(share), pd.Timestamp(earliest))
    test = outcomes[pd.to_datetime(outcomes["as_of"]) >= test_start]
    if test.empty:
        raise ValueError(
            f"A {horizon_months}-month test needs as-of dates from {test_start:%Y-%m} with a closed outcome; "
            f"the last is {dates[-1]:%Y-%m}."
        )
    train_months, validation_dates = _windows(months, dates, test_start, horizon_months)
    evaluated = _fit_and_recalibrate(monthly, outcomes, train_months, validation_dates, horizon_months)
    baseline = _fit_and_recalibrate(
        monthly, outcomes, train_months, validation_dates, horizon_months, feature_columns=[BASELINE_FEATURE]
    )
    y_test = coerce_target(test[target]).to_numpy()
    if y_test.sum() == 0 or y_test.sum() == len(y_test):
        raise ValueError("The test window needs both voluntary exits and stayers.")
    ids = test["employee_id"]
    evaluation = TimeSplitEvaluation(
        model=evaluate_predictions(y_test, evaluated.predict_proba(test).to_numpy(), groups=ids),
        baseline=evaluate_predictions(y_test, baseline.predict_proba(test).to_numpy(), groups=ids),
        train_as_of=evaluated.windows["train"],
        test_as_of=(pd.Timestamp(test_start), pd.Timestamp(pd.to_datetime(test["as_of"]).max())),
        train_rows=int(pd.to_datetime(monthly["as_of"]).isin(train_months).sum()),
        test_rows=len(test),
        validation_as_of=evaluated.windows["validation"],
        validation_rows=int(pd.to_datetime(outcomes["as_of"]).isin(validation_dates).sum()),
    )
    final_train, final_validation = _windows(
        months, dates, pd.Timestamp(dates[-1]) + pd.DateOffset(months=horizon_months), horizon_months
    )
    model = _fit_and_recalibrate(monthly, outcomes, final_train, final_validation, horizon_months)
    model.evaluation = evaluation
    return model


APP_HORIZONS = (12, 6)
"""Label horizons tried by :func:`fit_history_model`, longest first (the brief's 12 or 6 months)."""


def fit_history_model(
    history: pd.DataFrame,
    employees: pd.DataFrame,
    data_end: object,
    horizons: Sequence[int] = APP_HORIZONS,
) -> ExitRiskModel:
    """Fit the app's model with the longest horizon whose three-window evaluation is possible.

    A 12-month test needs the test as-of dates' 12 months of follow-up plus at least
    :data:`MIN_TRAIN_MONTHS` + :data:`MIN_VALIDATION_MONTHS` months before them, so two years of data support only
    the 6-month horizon. Returns the model. Raises ``ValueError`` when no horizon works, with the reason for each.
    """
    problems = []
    for horizon in horizons:
        try:
            return fit_app_model(history, employees, data_end, horizon)
        except ValueError as problem:
            problems.append(f"{horizon} months: {problem}")
    raise ValueError("No label horizon can be evaluated on this history. " + " ".join(problems))
