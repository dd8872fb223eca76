"""Workforce KPIs, one function per KPI, each defined the way the industry defines it.

Every function takes canonical tables (DataFrames shaped as in :mod:`data_loaders.schema`) and a period
granularity ``freq`` (``"M"``, ``"Q"`` or ``"Y"``) and returns a **tidy** DataFrame with the columns of
:data:`KPI_COLUMNS`:

=============  ==================  ==================================================================
column         dtype               meaning
=============  ==================  ==================================================================
period         datetime64[ns]      first day of the month/quarter/year (see :mod:`analytics.periods`)
unit           string              unit id, or ``"All"`` (:data:`TOTAL`) for the hospital total
role           string              role (``schema.ROLES``), or ``"All"`` for all roles
value          float64             the KPI in its unit (%, days, hours per patient day, persons ...)
numerator      float64             what is counted above the line (NaN for medians and stocks)
denominator    float64             what is counted below the line (NaN for medians and stocks)
people         int64               distinct persons behind the row (for small-group suppression)
prior_value    float64             value of the same unit and role in the previous period
change         float64             ``value - prior_value`` (percentage points for % KPIs)
=============  ==================  ==================================================================

``prior_value`` and ``change`` copy a neighbouring row's value: on a table that will be suppressed they must be
derived again after suppression (:func:`add_prior_and_change`), as ``DataAccess.aggregate`` does for linked KPI
views (:mod:`analytics.kpi_views`).

Rows are given at four levels: each unit and role, each unit over all roles, each role over all units,
and the hospital total. A unit with nobody in the denominator has ``value`` NaN (never a 0/0 error);
a period with no event in the numerator (a month with no exits) has ``value`` 0. Which periods, which day and
which units a KPI covers is one value, :class:`KpiScope` (the ``scope`` keyword of every KPI function; fields and
meaning on the class); KPI-specific options (``employment_types``, ``tz`` ...) stay keywords of their own.

The package, one idea a module:

- :mod:`analytics.kpis.engine` — the scope of a KPI, the aggregation to the four levels, prior period and change.
- :mod:`analytics.kpis.inputs` — canonical tables read into typed rows; unit mergers; who was employed when.
- :mod:`analytics.kpis.workforce` — headcount, FTE, turnover, first-year turnover.
- :mod:`analytics.kpis.recruiting` — open requisitions, vacancy rate, time to fill.
- :mod:`analytics.kpis.hours` — worked hours, overtime and agency shares, HPPD, absence rate.
- :mod:`analytics.kpis.training` — training compliance, rollout readiness and its gaps.
- :mod:`analytics.kpis.engagement` — eNPS, pulse average, patient experience.

The formulas and their published sources are in ``docs/kpis.md``; each docstring repeats the formula.
"""

from analytics.kpis.engagement import enps, patient_experience_score, pulse_average
from analytics.kpis.engine import KPI_COLUMNS, LEVELS, SERIES_KEYS, WHOLE_HISTORY, KpiScope, add_prior_and_change
from analytics.kpis.hours import (
    CONTRACT_TYPES,
    HOURS_PER_FTE_WEEK,
    NURSING_ROLES,
    absence_rate,
    agency_share,
    hppd,
    overtime_share,
    patient_days,
    worked_hours,
)
from analytics.kpis.inputs import DEFAULT_LOOKBACK_YEARS, parse_employees, unit_successors
from analytics.kpis.recruiting import (
    DEFAULT_REQUISITION_FTE,
    open_requisitions,
    parse_requisitions,
    time_to_fill,
    vacancy_rate,
)
from analytics.kpis.training import (
    readiness_gap_counts,
    readiness_gaps,
    rollout_courses,
    rollout_readiness,
    training_compliance,
)
from analytics.kpis.workforce import (
    FIRST_YEAR_DAYS,
    first_year_turnover_rate,
    fte,
    headcount,
    turnover_rate,
    voluntary_turnover_rate,
)
from data_loaders.schema import EMPLOYED_TYPES, TOTAL

__all__ = [
    "CONTRACT_TYPES",
    "DEFAULT_LOOKBACK_YEARS",
    "DEFAULT_REQUISITION_FTE",
    "EMPLOYED_TYPES",
    "FIRST_YEAR_DAYS",
    "HOURS_PER_FTE_WEEK",
    "KPI_COLUMNS",
    "LEVELS",
    "NURSING_ROLES",
    "SERIES_KEYS",
    "TOTAL",
    "WHOLE_HISTORY",
    "KpiScope",
    "absence_rate",
    "add_prior_and_change",
    "agency_share",
    "enps",
    "first_year_turnover_rate",
    "fte",
    "headcount",
    "hppd",
    "open_requisitions",
    "overtime_share",
    "parse_employees",
    "parse_requisitions",
    "patient_days",
    "patient_experience_score",
    "pulse_average",
    "readiness_gap_counts",
    "readiness_gaps",
    "rollout_courses",
    "rollout_readiness",
    "time_to_fill",
    "training_compliance",
    "turnover_rate",
    "unit_successors",
    "vacancy_rate",
    "voluntary_turnover_rate",
    "worked_hours",
]
