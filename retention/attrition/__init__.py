"""Voluntary-exit (attrition) risk: data set, model and encoding, evaluation, and the app's training procedure.

``fit_attrition_model(frame, target)`` is the interface other tools rely on (any HR export of employee attributes
plus a left/stayed column). Modules: :mod:`~retention.attrition.dataset` (features at monthly as-of dates and their
labels), :mod:`~retention.attrition.model` (encoding, logistic regression, drivers),
:mod:`~retention.attrition.evaluation` (AUC, Brier, reliability table on a time split) and
:mod:`~retention.attrition.training` (horizon choice, evaluation, refit on all history).
"""

from retention.attrition.evaluation import Evaluation, TimeSplitEvaluation
from retention.attrition.hazard import ExitRiskModel
from retention.attrition.model import AttritionModel, coerce_target, fit_attrition_model
from retention.attrition.training import fit_history_model

__all__ = [
    "AttritionModel",
    "Evaluation",
    "ExitRiskModel",
    "TimeSplitEvaluation",
    "coerce_target",
    "fit_attrition_model",
    "fit_history_model",
]
