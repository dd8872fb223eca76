"""Census against staffed beds: hours above capacity, and the census that staffing may plan for.

A unit cannot hold more patients than its staffed beds (``units.beds``, "Staffed beds" in
``data_loaders.schema``). A forecast or percentile above that number is real information - demand that
will be boarded elsewhere, diverted or needs surge beds - but nurses cannot be planned for patients who
cannot be in the unit, so the census used for staffing is capped at the staffed beds (staffed beds:
beds set up and staffed for use, as in the AHA Annual Survey of hospitals). Units without a positive
bed count (telehealth, missing data) are not capped.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

CHECKED_COLUMNS = ("mean", "p80", "p95", "hi95")
"""Forecast columns compared with the staffed beds, in the order they are reported."""


def staffed_beds(beds: object) -> float | None:
    """The bed count as a float, or ``None`` when missing, not a number or not positive (no cap)."""
    value = pd.to_numeric(pd.Series([beds]), errors="coerce").iloc[0]
    return float(value) if pd.notna(value) and value > 0 else None


@dataclass(frozen=True)
class CapacityCheck:
    """Forecast and history against staffed beds.

    ``beds``: staffed beds (``None``: no cap). ``hours_above``: per forecast column in
    :data:`CHECKED_COLUMNS`, the number of forecast hours above ``beds``. ``forecast_hours``: hours in the
    forecast. ``history_share_above``: fraction (0-1) of observed history values above ``beds`` (NaN without
    beds or history). ``staffing_hours_capped``: forecast hours whose census at the service level was capped.
    ``service_level``: the column staffed for.
    """

    beds: float | None
    hours_above: dict[str, int]
    forecast_hours: int
    history_share_above: float
    staffing_hours_capped: int
    service_level: str

    def messages(self) -> list[str]:
        """Plain sentences for the page and the workbook (empty when nothing is above the beds)."""
        if self.beds is None:
            return []
        out = []
        if self.history_share_above > 0:
            out.append(
                f"The recorded census was above the {self.beds:g} staffed beds in {self.history_share_above:.1%} of "
                "past hours: check the bed count in the units table, or the census export."
            )
        above = {column: n for column, n in self.hours_above.items() if n}
        if above:
            listed = ", ".join(f"{column} {n} of {self.forecast_hours} hours" for column, n in above.items())
            out.append(f"Forecast above the {self.beds:g} staffed beds: {listed}.")
        if self.staffing_hours_capped:
            out.append(
                f"Staffing is planned for at most {self.beds:g} patients (the staffed beds): in "
                f"{self.staffing_hours_capped} hours the {self.service_level} census was higher, and patients who "
                "cannot be in the unit are not staffed here (surge beds or diversion are a separate decision)."
            )
        return out


def cap_at_beds(census: pd.Series, beds: float | None) -> pd.Series:
    """``census`` with every value above ``beds`` replaced by ``beds`` (unchanged when ``beds`` is None)."""
    return census if beds is None else census.clip(upper=beds)


def check_capacity(
    forecast: pd.DataFrame, history: pd.Series, beds: object, service_level: str
) -> tuple[CapacityCheck, pd.Series]:
    """Compare ``forecast`` (columns of :data:`CHECKED_COLUMNS` present) and ``history`` with ``beds``.

    Returns the :class:`CapacityCheck` and the census to staff for: ``forecast[service_level]`` capped at the
    staffed beds. Raises ``KeyError`` if ``service_level`` is not a forecast column.
    """
    cap = staffed_beds(beds)
    census = forecast[service_level].astype(float)
    if cap is None:
        hours_above = dict.fromkeys([c for c in CHECKED_COLUMNS if c in forecast], 0)
        return CapacityCheck(None, hours_above, len(forecast), np.nan, 0, service_level), census
    hours_above = {c: int((forecast[c] > cap + 1e-9).sum()) for c in CHECKED_COLUMNS if c in forecast}
    observed = history.dropna()
    share = float((observed > cap + 1e-9).mean()) if len(observed) else np.nan
    capped = int((census > cap + 1e-9).sum())
    return CapacityCheck(cap, hours_above, len(forecast), share, capped, service_level), cap_at_beds(census, cap)
