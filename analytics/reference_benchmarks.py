"""Published reference values shown beside each KPI, each with its source and year.

The defaults are national US hospital figures from the 2025 NSI National Health Care Retention & RN
Staffing Report (NSI Nursing Solutions, Inc.; calendar year 2024 data). The figures were checked against
two independent summaries of that report (OR Manager, "Hospital staffing report: nurse turnover eases but
vacancies, costs remain high", 2025; Staff Relief Inc., "2025 NSI National Health Care Retention & RN
Staffing Report" executive summary) — the primary PDF sits behind a form, so they are given "as cited by".
No figure here is estimated: a KPI without a published reference simply has none.

A hospital can replace the table with its own (a regional report, its system's targets): put a CSV with the
columns of :data:`BENCHMARK_COLUMNS` at a path and set ``HOSPITAL_BENCHMARKS_CSV`` to it.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass
from pathlib import Path

import pandas as pd

from data_loaders.schema import TOTAL

ENV_VAR = "HOSPITAL_BENCHMARKS_CSV"
BENCHMARK_COLUMNS = ["kpi", "role", "value", "unit", "label", "source", "year", "cited_by"]

_NSI_2025 = "NSI Nursing Solutions, 2025 NSI National Health Care Retention & RN Staffing Report (CY2024 data)"
_NSI_CITED_BY = "OR Manager (2025) and Staff Relief Inc. (2025) summaries of the report"


@dataclass(frozen=True)
class Benchmark:
    """One reference value: the KPI (a function name in :mod:`analytics.kpis`), the role it is for
    (``"All"`` = all hospital employees), the value in the KPI's unit, and where it was published."""

    kpi: str
    role: str
    value: float
    unit: str
    label: str
    source: str
    year: int
    cited_by: str = ""

    def citation(self) -> str:
        """One-line citation, e.g. for a tile caption or a spreadsheet note."""
        text = f"{self.label}: {self.value:g} {self.unit} — {self.source}, {self.year}"
        return text + (f" (as cited by {self.cited_by})" if self.cited_by else "")


DEFAULT_BENCHMARKS: tuple[Benchmark, ...] = (
    Benchmark("turnover_rate", TOTAL, 18.3, "%", "US hospital turnover", _NSI_2025, 2025, _NSI_CITED_BY),
    Benchmark("turnover_rate", "RN", 16.4, "%", "US hospital RN turnover", _NSI_2025, 2025, _NSI_CITED_BY),
    Benchmark("vacancy_rate", "RN", 9.6, "%", "US hospital RN vacancy rate", _NSI_2025, 2025, _NSI_CITED_BY),
    Benchmark("time_to_fill", "RN", 83.0, "days", "Time to recruit an experienced RN", _NSI_2025, 2025, _NSI_CITED_BY),
    Benchmark(
        "first_year_turnover_rate",
        "RN",
        22.3,
        "%",
        "Newly hired RNs leaving within their first year",
        _NSI_2025,
        2025,
        "OR Manager (2025) summary of the report",
    ),
)


def load_benchmarks(path: str | os.PathLike | None = None) -> pd.DataFrame:
    """The benchmark table: from ``path``, else from ``$HOSPITAL_BENCHMARKS_CSV``, else the defaults.

    Returns a DataFrame with :data:`BENCHMARK_COLUMNS` (value float64, year Int64, text as string).
    Raises ``ValueError`` naming the missing columns if the CSV lacks any of kpi, role, value, source, year;
    ``FileNotFoundError`` if the configured file does not exist.
    """
    chosen = path or os.environ.get(ENV_VAR)
    if not chosen:
        frame = pd.DataFrame([asdict(b) for b in DEFAULT_BENCHMARKS], columns=BENCHMARK_COLUMNS)
    else:
        file = Path(chosen)
        if not file.exists():
            raise FileNotFoundError(f"Benchmark file {file} (from {ENV_VAR}) does not exist; fix the path or unset it.")
        frame = pd.read_csv(file, dtype=str)
        missing = [c for c in ("kpi", "role", "value", "source", "year") if c not in frame.columns]
        if missing:
            raise ValueError(
                f"Benchmark file {file} lacks the column(s) {', '.join(missing)}; "
                f"expected the header {','.join(BENCHMARK_COLUMNS)}."
            )
        for col in BENCHMARK_COLUMNS:
            if col not in frame.columns:
                frame[col] = ""
        frame = frame[BENCHMARK_COLUMNS]
    out = frame.copy()
    out["value"] = pd.to_numeric(out["value"], errors="coerce").astype("float64")
    out["year"] = pd.to_numeric(out["year"], errors="coerce").astype("Int64")
    for col in ("kpi", "role", "unit", "label", "source", "cited_by"):
        out[col] = out[col].astype("string").fillna("")
    return out.dropna(subset=["value"]).reset_index(drop=True)


def benchmark_for(benchmarks: pd.DataFrame, kpi: str, role: str = TOTAL) -> Benchmark | None:
    """The reference value for ``kpi`` and ``role`` (exact role match only), or None."""
    hit = benchmarks.loc[(benchmarks["kpi"] == kpi) & (benchmarks["role"] == role)]
    if hit.empty:
        return None
    row = hit.iloc[0]
    return Benchmark(
        kpi=str(row["kpi"]),
        role=str(row["role"]),
        value=float(row["value"]),
        unit=str(row["unit"]),
        label=str(row["label"]) or str(row["kpi"]),
        source=str(row["source"]),
        year=int(row["year"]) if pd.notna(row["year"]) else 0,
        cited_by=str(row["cited_by"]),
    )
