"""Workforce KPIs and the analyses built on them — pure functions, no UI.

- :mod:`analytics.kpis` — one function per KPI (``turnover_rate``, ``vacancy_rate``, ``hppd`` …) returning a tidy
  frame by period, unit and role with the change against the prior period (formulas: ``docs/kpis.md``); a package
  with one module per family (workforce, recruiting, hours, training, engagement) over a shared aggregation engine.
- :mod:`analytics.periods` — month/quarter/year periods; hours split at period boundaries, time-zone aware.
- :mod:`analytics.catalogue` — labels, units and tables of each KPI; one ``compute`` call from a table dict.
- :mod:`analytics.reference_benchmarks` — published reference values with source and year.
- :mod:`analytics.outcomes` — patient experience against the previous month's staffing within units, weighted by
  survey responses; few-cluster intervals from :mod:`analytics.cluster_inference` (wild cluster bootstrap, CR2).
- :mod:`analytics.recruiting` — requisition pipeline and skills gap.
- :mod:`analytics.board_report` — the board report workbook (XLSX, formula-safe).
"""
