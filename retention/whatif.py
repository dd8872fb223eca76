"""What-if levers for a unit: cap overtime, remove quick returns, raise staffing.

Each lever edits the unit's risk features (``retention.features``) under a stated assumption, then the
burnout index (``retention.burnout``) and the attrition model (``retention.attrition``) are re-scored on the
edited features. The change in expected voluntary exits is the change in the sum of the employees' exit
probabilities over the model's horizon (12 months for the app's model): the expected count of leavers.
These are model-based scenarios, not causal estimates: the attrition model's coefficients are associations
learnt from the hospital's history, and the burnout index's weights are the documented house weights.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from retention.attrition import AttritionModel, ExitRiskModel
from retention.burnout import burnout_index

OVERTIME_COLUMNS = ("overtime_hours_per_week_4w", "overtime_hours_per_week_12w")
HOURS_COLUMNS = ("hours_per_week_4w", "hours_per_week_12w")
QUICK_RETURN_COLUMNS = ("quick_returns_4w", "quick_returns_12w")

ASSUMPTIONS = {
    "overtime_cap": (
        "Overtime above the cap is removed from each person's week (their worked hours fall by the same amount) "
        "and covered by new or redeployed staff at regular time; nobody else's overtime rises and other features "
        "stay as they are."
    ),
    "remove_quick_returns": (
        "Rosters are re-sequenced so every rest between shifts is at least 11 h; worked hours, night and weekend "
        "load are unchanged."
    ),
    "staffing_increase": (
        "Staffed hours on the unit rise by X% at regular time with the same census: patients per RN fall by the "
        "factor 1/(1 + X/100), and the added hours replace overtime first, so each person's overtime falls in "
        "proportion until the unit's overtime is used up (added hours = X% of the unit's worked hours)."
    ),
}
"""Plain-words assumption behind each lever (shown next to the result on the page)."""


@dataclass(frozen=True)
class WhatIfResult:
    """Scenario result for one unit.

    Burnout means are on the 0-100 index; expected exits are counts of people over the model's horizon.
    ``people``: frame indexed like the input rows with ``burnout_before``, ``burnout_after``,
    ``probability_before``, ``probability_after`` (NaN columns when no model was given). ``notes``: levers that
    cannot move expected exits under this model, and why (:func:`lever_notes`).
    """

    unit: str
    employees: int
    burnout_before: float
    burnout_after: float
    expected_exits_before: float
    expected_exits_after: float
    assumptions: tuple[str, ...]
    people: pd.DataFrame
    notes: tuple[str, ...] = ()

    @property
    def burnout_change(self) -> float:
        return self.burnout_after - self.burnout_before

    @property
    def exits_change(self) -> float:
        return self.expected_exits_after - self.expected_exits_before


LEVER_INPUTS = {
    "overtime_cap": ("overtime_hours_per_week_12w", "overtime"),
    "remove_quick_returns": ("quick_returns_12w", "quick returns"),
    "staffing_increase": ("patients_per_rn_12w", "patients per RN"),
}
"""The attrition-model input each lever acts through, and its name in words."""


def lever_notes(model: ExitRiskModel | AttritionModel | None, levers: Iterable[str]) -> tuple[str, ...]:
    """For each chosen lever (keys of :data:`LEVER_INPUTS`) whose input is not in ``model`` or whose coefficient
    the monotone constraint holds at 0, a sentence saying the lever does not move expected exits through it."""
    if model is None:
        return ()
    table = model.coefficients
    held = set(table.loc[table.get("held_at_zero", pd.Series(False, index=table.index)).astype(bool), "source"])
    notes = []
    for lever in levers:
        column, words = LEVER_INPUTS[lever]
        if column in held:
            reason = f"in this hospital's history more {words} did not go with more voluntary exits"
        elif column not in model.feature_columns:
            reason = f"{words} is not an input of the attrition model (too few exits to estimate it, or no data)"
        else:
            continue
        extra = " except through the overtime it replaces" if lever == "staffing_increase" else ""
        notes.append(
            f"Expected exits do not change with {words}{extra}: {reason}, so the model holds its effect at zero "
            "rather than let less of it raise the risk."
        )
    return tuple(notes)


def apply_levers(
    features: pd.DataFrame,
    *,
    overtime_cap: float | None = None,
    remove_quick_returns: bool = False,
    staffing_increase_pct: float = 0.0,
) -> pd.DataFrame:
    """Edited copy of ``features`` (risk-feature rows of one unit) under the levers; see :data:`ASSUMPTIONS`.

    ``overtime_cap``: hours/week (>= 0) or None; ``staffing_increase_pct``: percent (>= 0).
    Raises ``ValueError`` for a negative cap or staffing change.
    """
    if overtime_cap is not None and overtime_cap < 0:
        raise ValueError("The overtime cap must be zero or more hours per week.")
    if staffing_increase_pct < 0:
        raise ValueError("The staffing increase must be zero or more percent.")
    out = features.copy()
    if staffing_increase_pct > 0:
        factor = 1.0 + staffing_increase_pct / 100.0
        if "patients_per_rn_12w" in out:
            out["patients_per_rn_12w"] = out["patients_per_rn_12w"] / factor
        for ot_col, hours_col in zip(OVERTIME_COLUMNS, HOURS_COLUMNS, strict=True):
            if ot_col in out and hours_col in out:
                overtime = out[ot_col].fillna(0.0)
                total_ot = overtime.sum()
                added = staffing_increase_pct / 100.0 * out[hours_col].fillna(0.0).sum()
                share_left = max(0.0, 1.0 - added / total_ot) if total_ot > 0 else 1.0
                removed = overtime * (1.0 - share_left)
                out[ot_col] = overtime - removed
                out[hours_col] = out[hours_col] - removed
    if overtime_cap is not None:
        for ot_col, hours_col in zip(OVERTIME_COLUMNS, HOURS_COLUMNS, strict=True):
            if ot_col in out:
                excess = (out[ot_col] - overtime_cap).clip(lower=0.0).fillna(0.0)
                out[ot_col] = out[ot_col] - excess
                if hours_col in out:
                    out[hours_col] = out[hours_col] - excess
    if remove_quick_returns:
        for col in QUICK_RETURN_COLUMNS:
            if col in out:
                out[col] = np.where(out[col].notna(), 0.0, np.nan)
    return out


def simulate_unit(
    features: pd.DataFrame,
    unit: str,
    model: ExitRiskModel | AttritionModel | None = None,
    *,
    overtime_cap: float | None = None,
    remove_quick_returns: bool = False,
    staffing_increase_pct: float = 0.0,
) -> WhatIfResult:
    """Expected change in a unit's mean burnout index and expected voluntary exits under the levers.

    ``features``: risk-feature rows (``compute_risk_features``) for any units, with a ``unit`` column;
    ``unit``: the unit to change; ``model``: fitted attrition model (its horizon sets the exits' horizon; None
    skips the exits). Raises ``ValueError`` when the unit has no employees in ``features``.
    """
    rows = features[features["unit"].astype("string") == unit]
    if rows.empty:
        raise ValueError(f"Unit {unit!r} has no active employees in the risk features.")
    changed = apply_levers(
        rows,
        overtime_cap=overtime_cap,
        remove_quick_returns=remove_quick_returns,
        staffing_increase_pct=staffing_increase_pct,
    )
    people = pd.DataFrame(index=rows.index)
    people["burnout_before"] = burnout_index(rows)["burnout_index"]
    people["burnout_after"] = burnout_index(changed)["burnout_index"]
    if model is not None:
        people["probability_before"] = model.predict_proba(rows)
        people["probability_after"] = model.predict_proba(changed)
    else:
        people["probability_before"] = np.nan
        people["probability_after"] = np.nan
    assumptions = []
    if overtime_cap is not None:
        assumptions.append(ASSUMPTIONS["overtime_cap"])
    if remove_quick_returns:
        assumptions.append(ASSUMPTIONS["remove_quick_returns"])
    if staffing_increase_pct > 0:
        assumptions.append(ASSUMPTIONS["staffing_increase"])
    chosen = [
        name
        for name, on in (
            ("overtime_cap", overtime_cap is not None),
            ("remove_quick_returns", remove_quick_returns),
            ("staffing_increase", staffing_increase_pct > 0),
        )
        if on
    ]
    return WhatIfResult(
        unit=unit,
        employees=len(rows),
        burnout_before=float(people["burnout_before"].mean()),
        burnout_after=float(people["burnout_after"].mean()),
        expected_exits_before=float(people["probability_before"].sum(min_count=1)),
        expected_exits_after=float(people["probability_after"].sum(min_count=1)),
        assumptions=tuple(assumptions),
        people=people,
        notes=lever_notes(model, chosen),
    )
