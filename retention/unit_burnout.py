"""Unit aggregates of the burnout index, before suppression: what department heads and executives may see.

Every function returns a ``people`` column (distinct employees behind each row) so that the data-access layer can
suppress groups of fewer than 5 people (``access.data_access.DataAccess.aggregate``); this module itself never
suppresses. Formulas: docs/risk_model.md section 2.
"""

from __future__ import annotations

import pandas as pd

from data_loaders.schema import TOTAL
from retention.burnout import DRIVER_COLUMNS, burnout_index, unit_driver_table


def unit_summary_table(features: pd.DataFrame) -> pd.DataFrame:
    """Unit aggregate of a risk-feature frame, before suppression.

    ``features``: :func:`retention.features.compute_risk_features` output. Returns columns ``unit`` (string),
    ``people`` (int, active employees), ``burnout_index`` (mean, 0-100) and the mean ``driver_*`` points (they sum
    to the unit's index), one row per unit plus an ``All`` row.
    """
    scored = burnout_index(features)
    per_unit = unit_driver_table(scored, features["unit"]).reset_index()
    total = scored[["burnout_index", *DRIVER_COLUMNS]].mean().to_frame().T
    total.insert(0, "people", len(scored))
    total.insert(0, "unit", TOTAL)
    out = pd.concat([per_unit, total], ignore_index=True) if len(scored) else per_unit
    out["unit"] = out["unit"].astype("string")
    out["people"] = out["people"].astype(int)
    return out


def unit_trend_table(panel: pd.DataFrame) -> pd.DataFrame:
    """Mean burnout index per unit and as-of date of a feature panel, plus ``All`` per date, before suppression.

    ``panel``: :func:`retention.features.feature_panel` output (an ``as_of`` column). Returns columns ``unit``
    (string), ``period`` (datetime64), ``people`` (int) and ``burnout_index`` (mean, 0-100).
    """
    if panel.empty:
        return pd.DataFrame(columns=["unit", "period", "people", "burnout_index"])
    scored = burnout_index(panel)
    frame = pd.DataFrame(
        {
            "unit": panel["unit"].astype("string").fillna("(no unit)"),
            "period": pd.to_datetime(panel["as_of"]),
            "burnout_index": scored["burnout_index"],
        }
    )
    stats = {"people": ("burnout_index", "size"), "burnout_index": ("burnout_index", "mean")}
    per_unit = frame.groupby(["unit", "period"]).agg(**stats).reset_index()
    total = frame.groupby("period").agg(**stats).reset_index().assign(unit=TOTAL)
    out = pd.concat([per_unit, total[per_unit.columns]], ignore_index=True)
    out["unit"] = out["unit"].astype("string")
    return out
