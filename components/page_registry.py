"""Every page of the app, with the section it appears in and the roles that may open it.

``app.py`` builds ``st.navigation`` from this list for the signed-in user's role; a page not offered
to a role is not reachable by URL either. Add one ``PageSpec`` per page file.
"""

from __future__ import annotations

from dataclasses import dataclass

ALL_ROLES = frozenset({"admin", "hr_officer", "dept_head", "executive"})


@dataclass(frozen=True)
class PageSpec:
    path: str  # file under app_pages/
    title: str
    icon: str  # Material icon, e.g. ":material/upload:"
    section: str  # "HR officer" | "Department head" | "Executive" | "Administration" | "Your account"
    roles: frozenset[str]


PAGES: list[PageSpec] = [
    PageSpec(
        "app_pages/data_import.py",
        "Data import",
        ":material/upload_file:",
        "HR officer",
        frozenset({"admin", "hr_officer"}),
    ),
    PageSpec(
        "app_pages/hr_retention.py",
        "Retention risk",
        ":material/health_and_safety:",
        "HR officer",
        frozenset({"admin", "hr_officer"}),
    ),
    PageSpec(
        "app_pages/hr_unit_burnout.py",
        "Burnout by unit",
        ":material/monitor_heart:",
        "Department head",
        frozenset({"dept_head", "executive"}),
    ),
    PageSpec(
        "app_pages/unit_forecast.py",
        "Forecast and staffing",
        ":material/query_stats:",
        "Department head",
        frozenset({"admin", "hr_officer", "dept_head", "executive"}),
    ),
    PageSpec(
        "app_pages/exec_overview.py",
        "Executive overview",
        ":material/monitoring:",
        "Executive",
        frozenset({"admin", "hr_officer", "executive"}),
    ),
    PageSpec(
        "app_pages/hr_workforce.py",
        "Workforce overview",
        ":material/groups:",
        "HR officer",
        frozenset({"admin", "hr_officer"}),
    ),
    PageSpec(
        "app_pages/training_readiness.py",
        "Training and rollout readiness",
        ":material/school:",
        "Department head",
        frozenset({"admin", "hr_officer", "dept_head", "executive"}),
    ),
    PageSpec(
        "app_pages/recruiting.py",
        "Recruiting",
        ":material/person_search:",
        "HR officer",
        frozenset({"admin", "hr_officer", "executive"}),
    ),
    PageSpec("app_pages/admin_users.py", "Users", ":material/manage_accounts:", "Administration", frozenset({"admin"})),
    PageSpec("app_pages/admin_audit.py", "Audit trail", ":material/policy:", "Administration", frozenset({"admin"})),
    PageSpec("app_pages/account.py", "Your account", ":material/key:", "Your account", ALL_ROLES),
]
"""Pages in menu order within each section."""

SECTIONS = ("HR officer", "Department head", "Executive", "Administration", "Your account")
