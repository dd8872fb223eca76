"""Roles and what each may see. The single place where access rules are declared.

=============  =========================  ======================================================================
role           units                      row-level (individual) data
=============  =========================  ======================================================================
admin          all                        everything (runs imports, rollbacks and user administration)
hr_officer     all                        everything, including sensitive tables (absences, surveys, wellbeing)
dept_head      only their own units       employees, schedules/timecards, training of their units; never
                                          absences, survey answers, wellbeing or individual burnout
executive      all                        none of the employee-level tables: aggregates only
=============  =========================  ======================================================================

Aggregates of sensitive tables over fewer than :data:`MIN_GROUP_SIZE` people are suppressed for every role.
"""

from __future__ import annotations

from data_loaders.schema import TABLES

ROLES = ("admin", "hr_officer", "dept_head", "executive")
ROLE_LABELS = {
    "admin": "Administrator",
    "hr_officer": "HR officer",
    "dept_head": "Department head",
    "executive": "Executive",
}

MIN_GROUP_SIZE = 5
"""Smallest group an aggregate of sensitive data may describe (people). Five is the product's rule for internal
reporting to managers; public statistics use stricter cut-offs (the CMS cell-size suppression policy hides counts
below 11, and NHS Staff Survey results are not reported for groups under 11 respondents). Change it here only."""

IMPORT_ROLES = frozenset({"admin", "hr_officer"})
"""Roles that may import files, save header mappings and roll back imports."""

SENSITIVE_TABLES = frozenset(name for name, spec in TABLES.items() if spec.sensitive)
EMPLOYEE_LEVEL_TABLES = frozenset({"employees", "shifts", "absences", "training", "pulse_surveys", "wellbeing"})


def may_read_rows(role: str, table: str) -> bool:
    """Whether ``role`` may read ``table`` row by row (within its unit scope)."""
    if role in ("admin", "hr_officer"):
        return True
    if role == "dept_head":
        return table not in SENSITIVE_TABLES
    if role == "executive":
        return table not in EMPLOYEE_LEVEL_TABLES
    return False


def sees_all_units(role: str) -> bool:
    """Whether ``role`` is scoped to all units (True) or to the units assigned to the user (False)."""
    return role != "dept_head"
