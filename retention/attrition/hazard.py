"""Exit risk over a horizon from a recalibrated discrete-time (monthly) hazard model.

The monthly hazard h(x) = P(voluntary exit in the next month | employed at the start of the month, features x) is a
penalised logistic regression (:func:`retention.attrition.model.fit_attrition_model`) on person-month rows: the
discrete-time survival model (Singer & Willett 1993, J Educ Stat 18(2):155-195; Allison 1982, Sociol Methodol
13:61-98). Its log-odds are recalibrated on a later window, logit h' = a + b x logit h (logistic recalibration, Cox
1958, Biometrika 45:562-565), and the probability of leaving within H months is

    P(exit within H) = 1 - prod_{k=0}^{H-1} (1 - h'(x_k)),

where x_k are the as-of features with tenure advanced by k months (``tenure_years`` + k/12, ``new_starter`` = tenure
below 1 year) and every other feature held at its as-of value. Competing exits (involuntary, retirement) are not
modelled: a person who leaves for another reason stays in the product, so P is slightly high for them.

Drivers are stated in percentage points of P: for each input, P(row) minus P(row with that input's contribution
to the log-odds removed, i.e. at its training mean or reference level), so every effect is bounded by the
probability itself. Formulas: docs/risk_model.md section 3.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy.special import expit

from retention.attrition.model import AttritionModel
from retention.features import FEATURES

if TYPE_CHECKING:
    from retention.attrition.evaluation import TimeSplitEvaluation

DERIVED_INPUTS = {
    "regular_hours_per_week_12w": "Worked hours per week minus overtime hours per week, last 12 weeks (hours/week).",
}
"""Inputs computed from the risk features before the model reads them (:func:`with_model_inputs`). Regular hours and
overtime enter separately, so removing overtime (hours fall with it) moves the risk only through overtime's
coefficient, which is constrained to be >= 0."""


def with_model_inputs(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` plus :data:`DERIVED_INPUTS` (computed when the source columns are present). Returns a copy."""
    out = frame.copy()
    if {"hours_per_week_12w", "overtime_hours_per_week_12w"} <= set(out.columns):
        overtime = out["overtime_hours_per_week_12w"].astype(float).fillna(0.0)
        out["regular_hours_per_week_12w"] = (out["hours_per_week_12w"].astype(float) - overtime).clip(lower=0.0)
    return out


def _tenure_advanced(frame: pd.DataFrame, months: int) -> pd.DataFrame:
    if months == 0 or "tenure_years" not in frame:
        return frame
    out = frame.copy()
    out["tenure_years"] = out["tenure_years"].astype(float) + months / 12.0
    if "new_starter" in out:
        out["new_starter"] = (out["tenure_years"] < 1.0).astype(float).where(out["tenure_years"].notna())
    return out


def horizon_probability(monthly_logits: np.ndarray) -> np.ndarray:
    """1 - prod over months of (1 - expit(logit)): ``monthly_logits`` shape (rows, months) -> shape (rows,)."""
    return 1.0 - np.prod(1.0 - expit(monthly_logits), axis=1)


@dataclass
class ExitRiskModel:
    """Probability of a voluntary exit within ``horizon_months`` from a recalibrated monthly hazard model.

    ``hazard``: the monthly-hazard :class:`AttritionModel`; ``recalibration``: (a, b) of logit h' = a + b logit h
    (b > 0); ``evaluation``: the held-out :class:`TimeSplitEvaluation` of the same procedure run on earlier windows;
    ``windows``: as-of ranges of the rows used for this model's fit and recalibration.
    """

    hazard: AttritionModel
    horizon_months: int
    recalibration: tuple[float, float]
    evaluation: TimeSplitEvaluation | None = None
    windows: dict[str, tuple[pd.Timestamp, pd.Timestamp]] = field(default_factory=dict)

    @property
    def coefficients(self) -> pd.DataFrame:
        """The monthly hazard's coefficient table (log-odds of leaving in a month, before recalibration)."""
        return self.hazard.coefficients

    @property
    def feature_columns(self) -> list[str]:
        return self.hazard.feature_columns

    @property
    def ignored(self) -> dict[str, str]:
        return self.hazard.ignored

    @property
    def fit_warnings(self) -> list[str]:
        return self.hazard.fit_warnings

    @property
    def n_train(self) -> int:
        return self.hazard.n_train

    def inputs_held_at_zero(self) -> list[str]:
        """Input columns whose coefficient the monotone constraint holds at 0 (the data pointed the other way)."""
        table = self.coefficients
        if "held_at_zero" not in table:
            return []
        return sorted(set(table.loc[table["held_at_zero"].astype(bool), "source"]))

    def monthly_logits(self, frame: pd.DataFrame) -> np.ndarray:
        """Recalibrated log-odds of leaving in each of the next ``horizon_months`` months, shape (rows, months)."""
        a, b = self.recalibration
        prepared = with_model_inputs(frame)
        columns = [
            self.hazard.linear_predictor(_tenure_advanced(prepared, k)).to_numpy() for k in range(self.horizon_months)
        ]
        return a + b * np.column_stack(columns)

    def predict_proba(self, frame: pd.DataFrame) -> pd.Series:
        """P(voluntary exit within ``horizon_months``), one float in (0, 1) per row, with ``frame``'s index.

        Raises ``ValueError`` if a column the model uses is missing.
        """
        if frame.empty:
            return pd.Series(dtype=float, index=frame.index, name="probability")
        return pd.Series(horizon_probability(self.monthly_logits(frame)), index=frame.index, name="probability")

    def point_effects(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Percentage points each input adds to (or, negative, takes from) each row's horizon probability.

        P(row) - P(row without that input's log-odds contribution, i.e. at its training mean or reference level),
        contributions measured at the as-of date. Returns a float DataFrame (rows x model inputs) in points 0-100.
        """
        logits = self.monthly_logits(frame)
        full = horizon_probability(logits)
        contrib = self.hazard.contributions(with_model_inputs(frame)) * self.recalibration[1]
        effects = {
            column: 100.0 * (full - horizon_probability(logits - contrib[column].to_numpy()[:, None]))
            for column in contrib.columns
        }
        return pd.DataFrame(effects, index=frame.index)

    def drivers(self, frame: pd.DataFrame, top: int = 3) -> pd.DataFrame:
        """Each row's ``top`` inputs that raise its exit probability most, in percentage points and in words.

        Returns a long DataFrame with columns ``row``, ``rank``, ``feature``, ``value``, ``typical``, ``points``
        (percentage points, > 0) and ``text``.
        """
        effects = self.point_effects(frame)
        prepared = with_model_inputs(frame)
        typical = {n.name: n.mean for n in self.hazard.numeric} | {c.name: c.reference for c in self.hazard.categorical}
        records = []
        values = effects.to_numpy()
        for i, row_label in enumerate(effects.index):
            order = np.argsort(-values[i], kind="stable")[:top]
            for rank, j in enumerate(order, start=1):
                points = float(values[i, j])
                if not points >= 0.05:  # under a twentieth of a point (or NaN) is not a driver worth a sentence
                    continue
                feature = effects.columns[j]
                value = prepared[feature].iloc[i]
                text = driver_sentence(feature, value, typical.get(feature), points, self.horizon_months)
                records.append((row_label, rank, feature, value, typical.get(feature), points, text))
        return pd.DataFrame.from_records(
            records, columns=["row", "rank", "feature", "value", "typical", "points", "text"]
        )

    def driver_summary(self, frame: pd.DataFrame, top: int = 3) -> pd.Series:
        """One string per row joining its risk-raising drivers (``"; "``-separated); "" when none."""
        long = self.drivers(frame, top=top)
        joined = long.groupby("row", sort=False)["text"].agg("; ".join)
        return joined.reindex(frame.index).fillna("").astype("string")


DRIVER_LABELS = {
    "overtime_hours_per_week_12w": "Overtime (12 weeks)",
    "regular_hours_per_week_12w": "Regular hours (12 weeks)",
    "hours_per_week_12w": "Worked hours (12 weeks)",
    "new_starter": "In the first year since hire",
    "tenure_years": "Tenure",
    "pulse_score": "Pulse-survey score (1-5, 5 best)",
    "pulse_change": "Change in pulse score since the quarter before",
    "quick_returns_12w": "Quick returns (under 11 h rest) in 12 weeks",
    "long_shift_share_12w": "Share of 12 h+ shifts",
    "night_shift_share_12w": "Share of night shifts",
    "sick_hours_per_week_12w": "Sick absence (12 weeks)",
    "patients_per_rn_12w": "Patients per RN on the unit",
    "longest_run_days_12w": "Longest run of consecutive days",
    "missed_break_share_12w": "Share of shifts with a missed break",
    "pto_not_taken_share_12w": "Share of PTO not taken",
    "training_courses_due": "Training courses due",
    "fte": "Contracted FTE",
}
"""Plain labels of the model's inputs for the driver sentences (other columns: the name with spaces)."""


def driver_sentence(feature: str, value: object, typical: object, points: float, horizon_months: int) -> str:
    """A driver in plain words, e.g. "Overtime hours per week, last 12 weeks: 9.5 (typical 2.1) adds 3.2 percentage
    points to the chance of leaving within 6 months"."""
    spec = FEATURES.get(feature)
    label = DRIVER_LABELS.get(feature, feature.replace("_", " "))
    if isinstance(typical, str):
        shown = "(missing)" if value is None or pd.isna(value) else str(value)
        what = f"{feature.replace('_', ' ')} {shown} (most common: {typical})"
    elif value is None or pd.isna(value):
        what = f"{label}: not recorded"
    elif spec is not None and spec.unit == "0/1":
        what = f"{label}: {'yes' if float(value) >= 0.5 else 'no'}"
    elif spec is not None and spec.unit == "share 0-1":
        what = f"{label}: {float(value):.0%} (typical {float(typical):.0%})"
    else:
        unit = f" {spec.unit}" if spec and spec.unit not in ("count", "1-5", "points (1-5 scale)") else ""
        what = f"{label}: {float(value):.1f}{unit} (typical {float(typical):.1f})"
    return f"{what} adds {points:.1f} percentage points to the chance of leaving within {horizon_months} months"
