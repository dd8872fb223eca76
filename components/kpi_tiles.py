"""KPI pages' shared UI: the filter bar, the cached KPI load through the data layer, and KPI tiles.

Data comes only through :class:`access.data_access.DataAccess`: KPIs are computed inside
``DataAccess.aggregate`` (so an executive never receives employee rows, and sensitive KPIs such as absence
rate and eNPS are suppressed below 5 people); pages only filter and draw the returned aggregate.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from access.data_access import DataAccess
from access.roles import SENSITIVE_TABLES
from access.suppression import LinkedTables
from analytics import catalogue, kpi_views
from analytics.catalogue import KPIS, KpiSpec, hospital_series
from analytics.kpis import TOTAL
from analytics.reference_benchmarks import benchmark_for, load_benchmarks
from components.caching import scoped_cache
from components.text import md_escape

FREQ_LABELS = {"M": "Month", "Q": "Quarter", "Y": "Year"}


@dataclass(frozen=True)
class KpiFilters:
    """What the user chose: period granularity, first and last period start, units (None = all visible)."""

    freq: str
    start: pd.Timestamp
    end: pd.Timestamp
    units: tuple[str, ...]
    follow_mergers: bool

    def recorded(self) -> dict[str, object]:
        """The filters as the audit trail records them (page views and exports): period granularity, first and last
        day (YYYY-MM-DD), units sorted, and whether unit mergers are followed."""
        return {
            "period": FREQ_LABELS[self.freq],
            "from": f"{self.start:%Y-%m-%d}",
            "to": f"{self.end:%Y-%m-%d}",
            "units": sorted(self.units),
            "follow_mergers": self.follow_mergers,
        }


def period_controls(key: str) -> tuple[str, bool]:
    """Granularity (month/quarter/year) and the follow-mergers switch; returns (freq, follow_mergers)."""
    cols = st.columns([2, 3], vertical_alignment="bottom")
    with cols[0]:
        freq = st.segmented_control(
            "Period", list(FREQ_LABELS), format_func=FREQ_LABELS.get, default="M", required=True, key=f"{key}_freq"
        )
    with cols[1]:
        follow = st.toggle(
            "Follow unit mergers",
            value=True,
            key=f"{key}_mergers",
            help="Count a merged unit's history in the unit that took it over (units.merged_into).",
        )
    return freq or "M", bool(follow)


def scope_controls(
    da: DataAccess, key: str, frame: pd.DataFrame, freq: str, follow_mergers: bool, default_periods: int = 24
) -> KpiFilters:
    """Date range (defaulting to the last ``default_periods`` months of data) and units (the user's units)."""
    visible = da.visible_units()
    periods = pd.to_datetime(frame["period"]) if not frame.empty else pd.Series([pd.Timestamp.today()])
    latest = periods.max()
    earliest = max(periods.min(), latest - pd.DateOffset(months=default_periods - 1))
    cols = st.columns([2, 3], vertical_alignment="bottom")
    with cols[0]:
        picked = st.date_input(
            "Date range",
            value=(earliest.date(), (latest + pd.offsets.MonthEnd(0)).date()),
            key=f"{key}_range",
            format="YYYY-MM-DD",
        )
    with cols[1]:
        units = st.multiselect("Units", visible, default=visible, key=f"{key}_units", placeholder="All your units")
    start, end = picked if isinstance(picked, tuple) and len(picked) == 2 else (earliest, latest)
    return KpiFilters(
        freq=freq, start=pd.Timestamp(start), end=pd.Timestamp(end), units=tuple(units or visible),
        follow_mergers=follow_mergers,
    )  # fmt: skip


def load_kpis(da: DataAccess, names: list[str], freq: str, follow_mergers: bool) -> pd.DataFrame:
    """Stacked tidy KPI frame (``kpi`` column, ``suppressed`` flag) for the user.

    Cached by :mod:`components.caching` (role, units, data version, arguments): every executive shares one
    computation, and each one's aggregate reads are recorded in the audit trail under their own name.

    KPIs over non-sensitive tables are computed in one aggregate call; KPIs that read sensitive tables are
    computed in one call per set of tables (eNPS and pulse average share one) in every view at once — each
    granularity, mergers followed or not (:mod:`analytics.kpi_views`) — so that suppression protects all views
    together and switching the view cannot undo it; prior value and change are derived from published cells only.
    """
    return _load_kpis(da, tuple(names), freq, follow_mergers)


@scoped_cache(show_spinner="Computing KPIs…")
def _load_kpis(da: DataAccess, names: tuple[str, ...], freq: str, follow_mergers: bool) -> pd.DataFrame:
    plain = [n for n in names if not set(KPIS[n].tables) & SENSITIVE_TABLES]
    sensitive = [n for n in names if n not in plain]
    parts = []
    if plain:
        parts.append(
            da.aggregate(
                lambda t: catalogue.compute_many(plain, t, freq, follow_mergers),
                tables=catalogue.tables_for(plain),
                value_columns=catalogue.VALUE_COLUMNS,
            )
        )
    by_tables: dict[tuple[str, ...], list[str]] = {}
    for name in sensitive:
        by_tables.setdefault(tuple(catalogue.tables_for([name])), []).append(name)
    for tables, group in by_tables.items():
        views = _load_linked_views(da, tuple(group), tables)
        parts.append(kpi_views.select_view(views, freq, follow_mergers))
    parts = [p for p in parts if not p.empty]
    if not parts:
        return pd.DataFrame(columns=["kpi", "period", "unit", "role", "value", "people", "suppressed"])
    return pd.concat(parts, ignore_index=True)


LINKED_KPI_VIEWS = LinkedTables(
    covers=kpi_views.COVER_COLUMNS,
    table="kpi",
    views=kpi_views.VIEW_COLUMNS,
    answer_ranges=kpi_views.ANSWER_RANGES,
    derived_columns=kpi_views.DERIVED_COLUMNS,
)
"""How the views of sensitive KPIs add up, for :meth:`access.data_access.DataAccess.aggregate`."""


@scoped_cache(show_spinner="Computing KPIs…")
def _load_linked_views(da: DataAccess, names: tuple[str, ...], tables: tuple[str, ...]) -> pd.DataFrame:
    """Every view of the sensitive KPIs ``names``, suppressed as one problem (cached apart from the view, so
    switching month/quarter/year or the merger setting only selects rows)."""
    return da.aggregate(
        lambda t: kpi_views.linked_views(list(names), t),
        tables=list(tables),
        value_columns=catalogue.VALUE_COLUMNS,
        linked=LINKED_KPI_VIEWS,
        derive=kpi_views.published_prior_and_change,
    )


def apply_filters(frame: pd.DataFrame, filters: KpiFilters) -> pd.DataFrame:
    """Rows within the chosen periods and units (the hospital total row of the user's scope is kept)."""
    if frame.empty:
        return frame
    first = filters.start.to_period(filters.freq).start_time
    in_range = (frame["period"] >= first) & (frame["period"] <= filters.end)
    in_units = frame["unit"].isin(filters.units) | (frame["unit"] == TOTAL)
    return frame.loc[in_range & in_units].reset_index(drop=True)


@st.cache_data(show_spinner=False, ttl=3600)
def benchmarks() -> pd.DataFrame:
    """The reference benchmark table (defaults or ``HOSPITAL_BENCHMARKS_CSV``)."""
    return load_benchmarks()


def kpi_tile(frame: pd.DataFrame, spec: KpiSpec, freq: str) -> None:
    """One bordered metric: latest value, change vs prior period, benchmark, and a trend sparkline."""
    series = hospital_series(frame, spec)
    bench = benchmark_for(benchmarks(), spec.name, spec.benchmark_role)
    label = spec.label + (
        f" ({spec.tile_role})" if spec.tile_role != TOTAL and spec.tile_role not in spec.label else ""
    )
    shown = series.dropna(subset=["value"])
    if shown.empty:
        suppressed = bool(series.get("suppressed", pd.Series(dtype=bool)).fillna(False).any())
        st.metric(label, "—", help=spec.help, border=True)
        st.caption("Suppressed: fewer than 5 people." if suppressed else "No data in this range.")
        return
    last = shown.iloc[-1]
    delta = None
    if pd.notna(last.get("change")):
        unit = " pp" if spec.unit == "%" else f" {spec.unit}"
        delta = f"{last['change']:+,.{spec.decimals}f}{unit} vs prior {FREQ_LABELS[freq].lower()}"
    color = "off" if spec.higher_is_better is None else ("normal" if spec.higher_is_better else "inverse")
    period = pd.Timestamp(last["period"]).to_period(freq)
    help_text = f"{spec.help} Latest period: {period}."
    if bench:
        help_text += f" Benchmark — {bench.citation()}."
    st.metric(
        label,
        spec.format(last["value"]),
        delta=delta,
        delta_color=color,
        help=help_text,
        border=True,
        chart_data=shown["value"].round(3).tolist() if len(shown) > 1 else None,
        chart_type="line",
    )
    if bench:
        st.caption(f"Benchmark {spec.format(bench.value)} ({md_escape(bench.label)}, NSI {bench.year}) · {period}")
    else:
        st.caption(f"{period} · no published benchmark configured")


def tiles(frame: pd.DataFrame, names: list[str], freq: str, per_row: int = 4) -> None:
    """A grid of :func:`kpi_tile` for ``names``."""
    for start in range(0, len(names), per_row):
        cols = st.columns(per_row)
        for col, name in zip(cols, names[start : start + per_row], strict=False):
            with col:
                kpi_tile(frame, KPIS[name], freq)
