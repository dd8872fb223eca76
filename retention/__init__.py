"""Retention risk: risk features, burnout index, attrition model, what-if — pure functions, no UI, no data access.

Callers hand in the canonical tables as DataFrames (the app reads them through ``access.DataAccess``) and get
DataFrames back. The page's entry point is :func:`retention.service.retention_view`. Formulas, thresholds and
sources: ``docs/risk_model.md``.
"""
