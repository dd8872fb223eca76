"""The board report: the executive pages as one XLSX workbook that is safe to open.

One sheet per area (Summary, Workforce, Recruiting, Staffing, Training, Engagement, Outcomes) plus the
definitions of every number and its benchmark source. Every cell written from data goes through
:func:`data_loaders.export.neutralise_cells` (text that a spreadsheet would run as a formula — starting with
``=``, ``+``, ``-``, ``@``, tab or CR — is prefixed with an apostrophe, OWASP "CSV Injection") and is written as a
string or number, never a formula (XlsxWriter ``strings_to_formulas=False``, ``strings_to_urls=False``).
"""

from __future__ import annotations

import io
from datetime import datetime

import pandas as pd

from analytics.catalogue import KPIS, hospital_series
from analytics.outcomes import CAUTION, OutcomeModel
from analytics.reference_benchmarks import benchmark_for
from data_loaders.export import neutralise_cells, neutralise_text

AREAS = ("Workforce", "Recruiting", "Staffing", "Training", "Engagement", "Outcomes")


def latest_summary(kpi_frame: pd.DataFrame, benchmarks: pd.DataFrame) -> pd.DataFrame:
    """One row per KPI: the hospital value of its latest period with prior value, change and benchmark.

    ``kpi_frame`` is the stacked tidy frame of :func:`analytics.catalogue.compute_many` (``kpi`` column).
    The row shown is the KPI's tile role (``KpiSpec.tile_role``, e.g. RN for vacancy) over all units.
    Returns columns area, kpi, label, period, value, prior_value, change, unit, benchmark, benchmark_source.
    """
    rows = []
    for name, spec in KPIS.items():
        hospital = hospital_series(kpi_frame, spec)
        if hospital.empty:
            continue
        last = hospital.dropna(subset=["value"]).tail(1)
        if last.empty:
            continue
        row = last.iloc[0]
        bench = benchmark_for(benchmarks, name, spec.benchmark_role)
        rows.append(
            {
                "area": spec.area,
                "kpi": name,
                "label": spec.label,
                "period": row["period"],
                "value": row["value"],
                "prior_value": row["prior_value"],
                "change": row["change"],
                "unit": spec.unit,
                "benchmark": bench.value if bench else float("nan"),
                "benchmark_source": bench.citation() if bench else "",
            }
        )
    return pd.DataFrame(rows)


def area_table(kpi_frame: pd.DataFrame, area: str) -> pd.DataFrame:
    """The area's KPIs by period, unit and role as a readable table (labels instead of function names)."""
    names = [n for n, s in KPIS.items() if s.area == area]
    rows = kpi_frame.loc[kpi_frame["kpi"].isin(names)].copy()
    rows.insert(0, "KPI", rows["kpi"].map(lambda n: KPIS[n].label))
    rows.insert(1, "unit of measure", rows["kpi"].map(lambda n: KPIS[n].unit))
    rows["period"] = pd.to_datetime(rows["period"]).dt.date
    keep = [
        "KPI",
        "unit of measure",
        *[c for c in ("system",) if c in rows and rows[c].notna().any()],
        "period",
        "unit",
        "role",
        "value",
        "numerator",
        "denominator",
        "people",
        "prior_value",
        "change",
        *[c for c in ("suppressed",) if c in rows],
    ]
    return rows[keep].reset_index(drop=True)


def definitions(benchmarks: pd.DataFrame) -> pd.DataFrame:
    """Every KPI with its definition and the benchmark's published source."""
    rows = []
    for name, spec in KPIS.items():
        bench = benchmark_for(benchmarks, name, spec.benchmark_role)
        rows.append(
            {
                "KPI": spec.label,
                "function": f"analytics.kpis.{name}",
                "unit of measure": spec.unit,
                "definition": spec.help,
                "benchmark": bench.citation() if bench else "no published reference configured",
            }
        )
    return pd.DataFrame(rows)


def outcome_sheet(model: OutcomeModel | None, reason: str = "") -> pd.DataFrame:
    """The outcome model as rows of a sheet: one line per driver, then its plain sentence and the caution."""
    if model is None:
        return pd.DataFrame({"finding": [reason or "The outcome model could not be fitted.", CAUTION]})
    table = model.coefficients.rename(
        columns={
            "words": "staffing driver",
            "step": "per step of",
            "estimate": "score points",
            "ci_low": "95% CI low",
            "ci_high": "95% CI high",
            "p_value": "p-value",
        }
    ).drop(columns=["column"])
    table["finding"] = model.sentences
    notes = pd.DataFrame(
        {
            "finding": [
                f"{model.n_obs} unit-months in {model.n_units} units; R² = {model.r_squared:.2f}; "
                "OLS with standard errors clustered by unit.",
                model.caution,
            ]
        }
    )
    return pd.concat([table, notes], ignore_index=True)


def board_report_xlsx(
    kpi_frame: pd.DataFrame,
    benchmarks: pd.DataFrame,
    *,
    outcome: OutcomeModel | None = None,
    outcome_reason: str = "",
    title: str = "Workforce board report",
    scope: str = "",
    generated: datetime | None = None,
) -> bytes:
    """XLSX bytes of the board report: Summary, one sheet per area, Outcomes and Definitions.

    ``kpi_frame`` is a stacked tidy KPI frame (``kpi`` column, optionally ``suppressed``), already limited
    to what the reader may see. Every data cell is neutralised and written as a value; headers are bold,
    numbers have two decimals, the first row is frozen. Raises nothing for empty input (sheets are empty).
    """
    stamp = (generated or datetime.now()).strftime("%Y-%m-%d %H:%M")
    sheets: dict[str, pd.DataFrame] = {"Summary": latest_summary(kpi_frame, benchmarks)}
    for area in AREAS[:-1]:
        sheets[area] = area_table(kpi_frame, area)
    sheets["Outcomes"] = pd.concat(
        [area_table(kpi_frame, "Outcomes"), outcome_sheet(outcome, outcome_reason)], ignore_index=True
    )
    sheets["Definitions"] = definitions(benchmarks)
    buffer = io.BytesIO()
    options = {"strings_to_formulas": False, "strings_to_urls": False, "nan_inf_to_errors": False}
    with pd.ExcelWriter(buffer, engine="xlsxwriter", engine_kwargs={"options": options}) as writer:
        book = writer.book
        bold = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True})
        heading = book.add_format({"bold": True, "font_size": 14})
        number = book.add_format({"num_format": "#,##0.00"})
        for name, frame in sheets.items():
            safe = neutralise_cells(_excel_ready(frame))
            safe.to_excel(writer, sheet_name=name, index=False, startrow=2, header=False)
            sheet = writer.sheets[name]
            sheet.write_string(
                0, 0, neutralise_text(f"{title} — {name}{' · ' + scope if scope else ''} · {stamp}"), heading
            )
            for col, header in enumerate(safe.columns):
                sheet.write_string(1, col, str(header), bold)
                numeric = pd.api.types.is_numeric_dtype(safe[header])
                longest = max((len(str(v)) for v in safe[header] if not pd.isna(v)), default=0)
                width = min(60, max(10, len(str(header)) + 2, int(longest) + 2))
                sheet.set_column(col, col, width, number if numeric else None)
            sheet.freeze_panes(2, 0)
    return buffer.getvalue()


def _excel_ready(frame: pd.DataFrame) -> pd.DataFrame:
    """Copy with pandas extension dtypes turned into plain Python values XlsxWriter can write."""
    out = frame.copy()
    for col in out.columns:
        series = out[col]
        if pd.api.types.is_datetime64_any_dtype(series):
            out[col] = series.dt.strftime("%Y-%m-%d")
        elif pd.api.types.is_bool_dtype(series) or str(series.dtype) == "boolean":
            out[col] = series.astype("object").where(series.notna(), None)
        elif pd.api.types.is_numeric_dtype(series):
            out[col] = pd.to_numeric(series, errors="coerce").astype("float64")
        else:
            out[col] = series.astype("object").where(series.notna(), None)
            out[col] = out[col].map(lambda v: v if v is None or isinstance(v, (int, float, str)) else str(v))
    return out
