"""How the app trains its attrition model: pick the label horizon, evaluate on a time split, refit on all history.

The evaluation is the held-out one (:mod:`retention.attrition.evaluation`); the model the page scores with is
refitted on every labelled row, so it uses the most exits. Definitions: docs/risk_model.md section 3.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from retention.attrition.dataset import TARGET_COLUMN, label_panel, model_columns
from retention.attrition.evaluation import evaluate_time_split
from retention.attrition.model import AttritionModel, fit_attrition_model


def fit_app_model(
    panel: pd.DataFrame,
    target: str = TARGET_COLUMN,
    *,
    horizon_months: int = 12,
    test_share: float = 1 / 3,
    bins: int = 10,
) -> AttritionModel:
    """The app's attrition model: evaluated on a time split, then refitted on every labelled row.

    ``panel``: :func:`attrition_dataset` output. The split puts roughly the last ``test_share`` of the
    labelled as-of dates in the test set, moved later if needed so that at least one as-of date has its
    whole label window before the first test date. The returned model is fitted on all labelled rows (the
    most history for scoring today's staff); its ``evaluation`` is the held-out :class:`TimeSplitEvaluation`.
    Raises ``ValueError`` when the history is too short for any such split.
    """
    labelled = panel[panel[target].notna()]
    dates = sorted(pd.to_datetime(labelled["as_of"]).unique())
    first_test = max(1, round(len(dates) * (1 - test_share)))
    evaluation = None
    for position in range(first_test, len(dates)):
        test_start = pd.Timestamp(dates[position])
        if pd.Timestamp(dates[0]) + pd.DateOffset(months=horizon_months) <= test_start:
            _, evaluation = evaluate_time_split(
                panel, target, test_start=test_start, horizon_months=horizon_months, bins=bins
            )
            break
    if evaluation is None:
        raise ValueError(
            f"The labelled history spans {len(dates)} as-of dates; a time-ordered test needs more than "
            f"{horizon_months} months between the first and the last."
        )
    columns = model_columns(labelled, target)
    model = fit_attrition_model(
        labelled, target, id_columns=("employee_id",), groups="employee_id", feature_columns=columns
    )
    model.evaluation = evaluation
    model.horizon_months = horizon_months
    return model


APP_HORIZONS = (12, 6)
"""Label horizons tried by :func:`fit_history_model`, longest first (the brief's 12 or 6 months)."""


def fit_history_model(
    history: pd.DataFrame,
    employees: pd.DataFrame,
    data_end: object,
    horizons: Sequence[int] = APP_HORIZONS,
) -> AttritionModel:
    """Fit the app's model on a feature history with the longest horizon whose time split is possible.

    ``history``: :func:`retention.features.feature_panel` output (monthly as-of dates); ``employees``: canonical table;
    ``data_end``: last date covered. A 12-month label needs more than 12 months between the first labelled as-of
    date and the first test date, plus 12 months of follow-up after it, so two years of data only support the
    6-month horizon. Returns the model (``horizon_months`` set). Raises ``ValueError`` when no horizon works,
    with the reason for each.
    """
    problems = []
    for horizon in horizons:
        panel = label_panel(history, employees, horizon, data_end)
        try:
            return fit_app_model(panel, f"left_within_{horizon}m", horizon_months=horizon)
        except ValueError as problem:
            problems.append(f"{horizon} months: {problem}")
    raise ValueError("No label horizon can be evaluated on this history. " + " ".join(problems))
