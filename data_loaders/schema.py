"""The canonical hospital workforce data model, declared once.

Every other part of the product reads this declaration: the loaders map real-world headers
onto it through ``Column.aliases``, validation derives its checks from it, the store creates
its SQL tables from it, and ``docs/data_model.md`` is generated from it
(``python -m data_loaders.schema > docs/data_model.md``).

Conventions
-----------
* Timestamps are **local wall-clock time** of the hospital (``HOSPITAL_TIMEZONE``), naive, as
  exported by HR and timekeeping systems. Durations that cross a daylight-saving change are
  computed timezone-aware (a 19:00-07:00 night lasts 11 or 13 hours on those nights).
* Dates are calendar dates (``datetime64[ns]`` at midnight in DataFrames).
* Units are stated per column; hours are clock hours, money is in the hospital's currency.
* A table's ``key`` is its natural key: importing the same row twice updates, never duplicates.
* A rule that reads one column is declared on the column (``required``, ``allowed``, ``min``/``max``,
  ``not_future``); a rule that reads several columns of a row is declared on the table (``rules``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar, Literal

ColumnKind = Literal["str", "int", "float", "bool", "date", "datetime", "category"]

TOTAL = "All"
"""Label of total rows in ``unit`` and ``role`` columns of aggregates (the hospital total, all roles); shared by the
KPIs, the data-access layer's unit filter and the retention aggregates."""

ROLES = ("RN", "LPN", "CNA", "physician", "APP", "tech", "therapist", "admin", "other")
UNIT_TYPES = (
    "ED",
    "ICU",
    "step_down",
    "med_surg",
    "telemetry",
    "L&D",
    "pediatrics",
    "OR",
    "oncology",
    "behavioral_health",
    "telehealth",
    "other",
)
EMPLOYMENT_TYPES = ("staff", "agency", "travel", "per_diem")
EMPLOYED_TYPES = ("staff", "per_diem")
"""Employment types that are the hospital's own employees: counted by the workforce KPIs and modelled for voluntary
exits (agency and travel staff are contract labour whose contracts end by design)."""
TERMINATION_REASONS = ("voluntary", "involuntary")
EMR_PROFICIENCY = ("none", "basic", "proficient", "super_user")
ABSENCE_TYPES = ("sick", "PTO", "leave", "other")
TRAINING_CATEGORIES = ("EMR", "HIS", "telemedicine", "VR_simulation", "compliance", "clinical", "other")
ROLLOUT_TYPES = ("EMR_upgrade", "HIS", "remote_patient_monitoring", "telemedicine", "other")
SURVEY_DIMENSIONS = ("workload", "support", "burnout", "engagement", "recognition", "safety", "other")
REQUISITION_STATUSES = ("open", "filled", "cancelled", "on_hold")
SHIFT_STATUSES = ("worked", "scheduled")
STAFFED_EMPLOYMENT = ("employee", "contract")


PANDAS_DTYPES: dict[str, str] = {
    "str": "string",
    "category": "string",
    "int": "Int64",
    "float": "float64",
    "bool": "boolean",
    "date": "datetime64[ns]",
    "datetime": "datetime64[ns]",
}
"""The pandas dtype of each column kind in canonical DataFrames (dates are midnight timestamps)."""


@dataclass(frozen=True)
class Column:
    """One canonical column.

    ``aliases`` are header spellings seen in real exports (matched case-, space- and
    punctuation-insensitively). ``sensitive`` marks health or survey data that only the HR
    role sees at individual level; ``personal`` marks data identifying a person.
    """

    name: str
    kind: ColumnKind
    description: str
    unit: str | None = None
    required: bool = False
    allowed: tuple[str, ...] | None = None
    min: float | None = None
    max: float | None = None
    not_future: bool = False
    aliases: tuple[str, ...] = ()
    references: tuple[str, str] | None = None
    personal: bool = False
    sensitive: bool = False


@dataclass(frozen=True, kw_only=True)
class Rule:
    """A rule across several columns of one row, declared on its :class:`Table`.

    :mod:`data_loaders.validation` applies every rule a table declares, in the declared order; a row
    that breaks one is rejected with ``message`` (a ``str.format`` template; each rule lists its
    fields). ``source`` says where the rule comes from. Rules with ``derives = True`` complete values
    (e.g. combine clock times with a date) and run before the column checks, which then see the
    completed values; the others run after them.
    """

    message: str
    source: str
    derives: ClassVar[bool] = False

    @property
    def columns(self) -> tuple[str, ...]:
        """The columns the rule reads."""
        raise NotImplementedError

    @property
    def loader_columns(self) -> dict[str, tuple[str, ...]]:
        """Columns the rule reads that the store does not keep (name -> header aliases)."""
        return {}

    @property
    def clock_time_columns(self) -> tuple[str, ...]:
        """Datetime columns whose cells may hold a clock time alone (the rule supplies the date)."""
        return ()

    def describe(self) -> str:
        """One Markdown sentence for ``docs/data_model.md``."""
        raise NotImplementedError


@dataclass(frozen=True)
class DateOrder(Rule):
    """``later`` may not be before ``first`` when both are given. Message fields: ``{first}``, ``{later}``."""

    first: str
    later: str
    message: str = field(default="{later} is before {first}; correct one of the two dates.", kw_only=True)

    @property
    def columns(self) -> tuple[str, ...]:
        return (self.first, self.later)

    def describe(self) -> str:
        return f"`{self.later}` is not before `{self.first}`."


@dataclass(frozen=True)
class RequiresConsent(Rule):
    """A row whose yes/no ``column`` is given and not yes is refused (an empty one is refused as a required
    value when the column is required). Message fields: ``{column}``."""

    column: str

    @property
    def columns(self) -> tuple[str, ...]:
        return (self.column,)

    def describe(self) -> str:
        return f"Rows whose `{self.column}` is not yes are refused."


@dataclass(frozen=True)
class NotInFuture(Rule):
    """``column`` may not fall after today (hospital time zone) unless column ``unless[0]`` holds ``unless[1]``.

    A timestamp on today is fine at any hour. Message fields: ``{column}``, ``{today}`` (ISO date).
    """

    column: str
    unless: tuple[str, str] | None = None

    @property
    def columns(self) -> tuple[str, ...]:
        return (self.column,) + ((self.unless[0],) if self.unless else ())

    def describe(self) -> str:
        exception = f" unless `{self.unless[0]}` is `{self.unless[1]}`" if self.unless else ""
        return f"`{self.column}` is not after today{exception}."


@dataclass(frozen=True)
class ShiftClockTimes(Rule):
    """Shift start and end as clock times: combined with a date, ordered, existing, bounded, and giving ``hours``.

    * Cells of ``start``/``end`` holding a clock time alone are combined with the loader column ``day``
      (aliases ``day_aliases``); an end at or before the start is then on the next day. Without the
      column: ``no_day_message``; with the date empty or unreadable: ``missing_day_message``.
    * A full ``end`` timestamp at or before the start: ``message``.
    * A local time inside the spring-forward gap of the hospital time zone does not exist:
      ``gap_message`` (fields ``{column}``, ``{timezone}``); an ambiguous fall-back time is its first
      occurrence.
    * The clock duration (time-zone aware) over ``max_hours``: ``too_long_message`` (field ``{max_hours}``).
    * Given ``hours`` differing from the clock duration by more than the duration itself:
      ``hours_message`` (field ``{hours}``); fewer hours than the clock time are unpaid breaks. Missing
      ``hours`` become the clock duration.
    """

    derives: ClassVar[bool] = True
    start: str = "start"
    end: str = "end"
    hours: str = "hours"
    day: str = "shift_date"
    day_aliases: tuple[str, ...] = ()
    max_hours: float = 24
    message: str = field(
        default="The shift ends at or before its start. Check the end date (a night shift ends on the next day).",
        kw_only=True,
    )
    no_day_message: str = field(
        default="{start}/{end} hold clock times without a date; add the shift date column (e.g. 'Shift Date') or "
        "give full date and time.",
        kw_only=True,
    )
    missing_day_message: str = field(default="The shift date is missing or unreadable.", kw_only=True)
    gap_message: str = field(
        default="This {column} time does not exist in {timezone}: clocks skip that hour when daylight-saving time "
        "begins. Correct the time.",
        kw_only=True,
    )
    too_long_message: str = field(
        default="The shift lasts more than {max_hours:g} hours; check start and end.", kw_only=True
    )
    hours_message: str = field(
        default="{hours} differs from the clock time between start and end by more than the shift's own length; "
        "check hours, start and end.",
        kw_only=True,
    )

    @property
    def columns(self) -> tuple[str, ...]:
        return (self.start, self.end, self.hours, self.day)

    @property
    def loader_columns(self) -> dict[str, tuple[str, ...]]:
        return {self.day: self.day_aliases}

    @property
    def clock_time_columns(self) -> tuple[str, ...]:
        return (self.start, self.end)

    def describe(self) -> str:
        return (
            f"`{self.start}`/`{self.end}` may be clock times alone, combined with a `{self.day}` column (headers "
            f"{', '.join(self.day_aliases)}; an end at or before the start is the next day); `{self.end}` after "
            f"`{self.start}`; neither inside the spring-forward gap of the hospital time zone; at most "
            f"{self.max_hours:g} h; a missing `{self.hours}` is the time-zone-aware clock duration, a given one may "
            "not differ from it by more than the duration."
        )


@dataclass(frozen=True)
class Table:
    """One canonical table: its columns, natural key, privacy class and rules across columns (:class:`Rule`)."""

    name: str
    description: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    sensitive: bool = False
    one_of_required: tuple[str, ...] = ()
    recommended: tuple[str, ...] = field(default=())
    rules: tuple[Rule, ...] = ()

    def column(self, name: str) -> Column:
        """Return the column called ``name``; raises ``KeyError`` if there is none."""
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(f"{self.name} has no column {name!r}")

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]


_EMPLOYEE_ID_ALIASES = (
    "Employee ID",
    "EmployeeID",
    "EmpID",
    "Emp ID",
    "Emp #",
    "Emp No",
    "Employee Number",
    "Employee No",
    "Person Number",
    "Staff ID",
    "Staff Number",
    "Badge",
    "Badge ID",
    "Worker ID",
    "Associate ID",
    "Payroll ID",
    "employee_id",
)
_UNIT_ALIASES = (
    "Unit",
    "Unit ID",
    "Dept",
    "Department",
    "Dept ID",
    "Department ID",
    "Cost Center",
    "Cost Centre",
    "CostCenter",
    "Ward",
    "Nursing Unit",
    "Home Unit",
    "Home Department",
    "Location",
    "Specialty",
    "specialism",
)


def _employee_ref(required: bool = True) -> Column:
    return Column(
        "employee_id",
        "str",
        "Employee identifier as used by the HRMS.",
        required=required,
        aliases=_EMPLOYEE_ID_ALIASES,
        references=("employees", "employee_id"),
    )


def _unit_ref(required: bool = True, description: str = "Unit (department, cost center, ward).") -> Column:
    return Column("unit", "str", description, required=required, aliases=_UNIT_ALIASES, references=("units", "unit_id"))


_EVENT_ORDER = "An event that ends a period cannot come before the event that starts it (order of events)."

UNITS = Table(
    "units",
    "Care units (departments/cost centres). Units open, close and merge: `opened`, `closed` and "
    "`merged_into` keep the history so KPIs can follow a unit across a merger.",
    (
        Column("unit_id", "str", "Unit code as used in all other tables.", required=True, aliases=_UNIT_ALIASES),
        Column("name", "str", "Display name.", aliases=("Unit Name", "Department Name", "Description")),
        Column(
            "unit_type",
            "category",
            "Kind of unit; drives default staffing ratios.",
            allowed=UNIT_TYPES,
            aliases=("Type", "Unit Type", "Service Line"),
        ),
        Column("beds", "int", "Staffed beds.", unit="beds", min=0, max=2000, aliases=("Bed Count", "Staffed Beds")),
        Column("opened", "date", "Date the unit opened.", aliases=("Open Date", "Start Date")),
        Column("closed", "date", "Date the unit closed (empty if open).", aliases=("Close Date", "End Date")),
        Column(
            "merged_into",
            "str",
            "Unit that took over this unit's staff and patients on closing.",
            aliases=("Merged Into", "Successor Unit"),
            references=("units", "unit_id"),
        ),
    ),
    key=("unit_id",),
    rules=(DateOrder("opened", "closed", source=_EVENT_ORDER),),
)

EMPLOYEES = Table(
    "employees",
    "One row per person employed or contracted (HRMS export). Only the fields the product needs are "
    "stored: date of birth, address, contact details and similar columns are ignored on import "
    "(data minimisation).",
    (
        Column("employee_id", "str", "Employee identifier.", required=True, aliases=_EMPLOYEE_ID_ALIASES),
        Column("first_name", "str", "Given name.", personal=True, aliases=("First Name", "Given Name", "Forename")),
        Column("last_name", "str", "Family name.", personal=True, aliases=("Last Name", "Surname", "Family Name")),
        Column(
            "role",
            "category",
            "Job role (licence).",
            allowed=ROLES,
            aliases=("Job", "Job Title", "Job Code", "Position", "Role", "Licence", "License", "Staff Type"),
        ),
        _unit_ref(required=False, description="Home unit."),
        Column(
            "hire_date",
            "date",
            "Date of hire.",
            not_future=True,
            aliases=("Hire Date", "Date Hired", "Start Date", "Joined", "Original Hire Date", "DOH"),
        ),
        Column(
            "termination_date",
            "date",
            "Last day employed (empty if active).",
            aliases=("Termination Date", "Term Date", "Separation Date", "Leaving Date", "End Date"),
        ),
        Column(
            "termination_reason",
            "category",
            "Why the person left.",
            allowed=TERMINATION_REASONS,
            aliases=("Termination Reason", "Term Reason", "Separation Type", "Leaving Reason", "Term Type"),
        ),
        Column(
            "fte",
            "float",
            "Contracted full-time equivalent (1.0 = 40 h/week).",
            unit="FTE",
            min=0,
            max=1.5,
            aliases=("FTE", "Contracted FTE", "Budgeted FTE", "Std Hours FTE"),
        ),
        Column(
            "employment_type",
            "category",
            "Staff, agency, travel or per-diem.",
            allowed=EMPLOYMENT_TYPES,
            aliases=("Employment Type", "Employee Type", "Worker Type", "Contract Type", "Emp Type"),
        ),
        Column(
            "manager_id",
            "str",
            "Employee ID of the line manager.",
            aliases=("Manager ID", "Supervisor ID", "Reports To", "Manager"),
        ),
        Column(
            "hourly_rate",
            "float",
            "Base hourly pay.",
            unit="currency per hour",
            min=0,
            max=1000,
            aliases=("Hourly Rate", "Rate", "Base Rate", "Pay Rate"),
        ),
        Column(
            "emr_proficiency",
            "category",
            "Assessed EMR/HIS proficiency.",
            allowed=EMR_PROFICIENCY,
            aliases=("EMR Proficiency", "EHR Proficiency", "EMR Level"),
        ),
        Column(
            "telemedicine_certified",
            "bool",
            "Holds telemedicine certification.",
            aliases=("Telemedicine Certified", "Telehealth Certified", "Telemedicine"),
        ),
    ),
    key=("employee_id",),
    recommended=("role", "unit", "hire_date"),
    rules=(DateOrder("hire_date", "termination_date", source=_EVENT_ORDER),),
)

SHIFTS = Table(
    "shifts",
    "Timecards (worked) and schedule (scheduled) shifts. `start`/`end` are local wall-clock times; a "
    "shift may cross midnight and daylight-saving changes. `hours` is computed timezone-aware from "
    "start and end when the export does not give it.",
    (
        _employee_ref(),
        _unit_ref(description="Unit worked (may differ from the home unit: floating)."),
        Column(
            "start",
            "datetime",
            "Shift start, local time.",
            required=True,
            aliases=("Start", "Start Time", "Shift Start", "Clock In", "Punch In", "In", "Time In", "Start DateTime"),
        ),
        Column(
            "end",
            "datetime",
            "Shift end, local time (after start).",
            required=True,
            aliases=("End", "End Time", "Shift End", "Clock Out", "Punch Out", "Out", "Time Out", "End DateTime"),
        ),
        Column(
            "hours",
            "float",
            "Worked hours.",
            unit="hours",
            min=0,
            max=24,
            aliases=("Hours", "Worked Hours", "Total Hours", "Hrs", "Paid Hours", "Duration"),
        ),
        Column(
            "overtime_hours",
            "float",
            "Hours paid at overtime rate.",
            unit="hours",
            min=0,
            max=24,
            aliases=("OT", "OT Hours", "Overtime", "Overtime Hours"),
        ),
        Column(
            "missed_break",
            "bool",
            "Meal break missed or interrupted.",
            aliases=("Missed Break", "Missed Meal", "No Lunch", "Break Missed"),
        ),
        Column("agency", "bool", "Worked by agency/travel staff.", aliases=("Agency", "Agency Flag", "Contract")),
        Column("role", "category", "Role worked on this shift.", allowed=ROLES, aliases=("Job", "Job Code", "Role")),
        Column(
            "status",
            "category",
            "`worked` for timecards, `scheduled` for future rosters.",
            allowed=SHIFT_STATUSES,
            aliases=("Status", "Shift Status", "Type"),
        ),
    ),
    key=("employee_id", "start"),
    rules=(
        ShiftClockTimes(
            day_aliases=("Date", "Shift Date", "Work Date", "WorkDate", "Pay Date"),
            source="Timekeeping exports give either full timestamps or a work date with clock times; clock "
            "durations follow the IANA time zone database (Python zoneinfo) in HOSPITAL_TIMEZONE; 24 h is the "
            "upper bound of `hours` for one shift.",
        ),
        NotInFuture(
            "start",
            unless=("status", "scheduled"),
            message="A worked timecard cannot start after today ({today}). If this is a future roster shift, give "
            "it the status 'scheduled'.",
            source="A timecard records time already worked; future rosters carry the status `scheduled`.",
        ),
    ),
)

ABSENCES = Table(
    "absences",
    "Absence records. Sick absence is health data: individuals are visible to the HR role only.",
    (
        _employee_ref(),
        Column("date", "date", "Day of absence.", required=True, aliases=("Date", "Absence Date", "Day")),
        Column(
            "hours",
            "float",
            "Hours absent that day.",
            unit="hours",
            min=0,
            max=24,
            required=True,
            aliases=("Hours", "Absence Hours", "Hrs", "Absenteeism time in hours"),
        ),
        Column(
            "absence_type",
            "category",
            "Sick, PTO, leave or other.",
            allowed=ABSENCE_TYPES,
            required=True,
            aliases=("Type", "Absence Type", "Reason", "Pay Code", "Absence Code"),
        ),
    ),
    key=("employee_id", "date", "absence_type"),
    sensitive=True,
)

CENSUS = Table(
    "census",
    "Patient census per unit: patients present at the hour (or midnight census for daily data) and/or "
    "arrivals during it. Hourly rows are stamped at the start of the hour, local time.",
    (
        _unit_ref(),
        Column(
            "timestamp",
            "datetime",
            "Start of the hour (or the day) counted, local time.",
            required=True,
            aliases=("Timestamp", "Date Time", "DateTime", "Hour", "Census Date", "Date", "WorkDate", "Period"),
        ),
        Column(
            "census",
            "float",
            "Patients present.",
            unit="patients",
            min=0,
            max=5000,
            aliases=(
                "Census",
                "Patients",
                "Patient Count",
                "Occupied Beds",
                "MDScensus",
                "Midnight Census",
                "daily_beds_occupied",
            ),
        ),
        Column(
            "arrivals",
            "float",
            "Patients arriving during the period.",
            unit="patients per period",
            min=0,
            max=100000,
            aliases=("Arrivals", "Admissions", "Attendances", "Visits"),
        ),
        Column(
            "acuity",
            "float",
            "Mean patient acuity score (1 = lowest, 5 = highest).",
            min=1,
            max=5,
            aliases=("Acuity", "Acuity Score", "Mean Acuity"),
        ),
    ),
    key=("unit", "timestamp"),
    one_of_required=("census", "arrivals"),
)

STAFFED_HOURS = Table(
    "staffed_hours",
    "Paid nursing hours per unit, day and role, split employee vs contract (e.g. the CMS "
    "Payroll-Based Journal). Gives HPPD and agency share where timecards are not available.",
    (
        _unit_ref(),
        Column("date", "date", "Work day.", required=True, aliases=("Date", "WorkDate", "Work Date")),
        Column("role", "category", "Role.", allowed=ROLES, required=True, aliases=("Role", "Job")),
        Column(
            "employment",
            "category",
            "Employee or contract (agency) hours.",
            allowed=STAFFED_EMPLOYMENT,
            required=True,
            aliases=("Employment", "Source"),
        ),
        Column(
            "hours",
            "float",
            "Paid hours that day.",
            unit="hours",
            min=0,
            max=100000,
            required=True,
            aliases=("Hours", "Hrs"),
        ),
    ),
    key=("unit", "date", "role", "employment"),
)

TRAINING = Table(
    "training",
    "Course assignments and completions from the LMS (EMR/HIS upgrades, telemedicine, VR simulation, compliance).",
    (
        _employee_ref(),
        Column(
            "course",
            "str",
            "Course code or title.",
            required=True,
            aliases=("Course", "Course Name", "Course Title", "Course Code", "Learning Item", "Module"),
        ),
        Column(
            "category",
            "category",
            "Course category.",
            allowed=TRAINING_CATEGORIES,
            aliases=("Category", "Course Category", "Curriculum"),
        ),
        Column(
            "due_date",
            "date",
            "Date the course must be completed by.",
            aliases=("Due Date", "Due", "Required By", "Deadline"),
        ),
        Column(
            "completion_date",
            "date",
            "Date completed (empty if not yet).",
            not_future=True,
            aliases=("Completion Date", "Completed", "Completed On", "Date Completed"),
        ),
        Column("score", "float", "Assessment score.", unit="%", min=0, max=100, aliases=("Score", "Result", "Grade")),
    ),
    key=("employee_id", "course"),
)

TECH_ROLLOUTS = Table(
    "tech_rollouts",
    "Technology go-lives per unit and the courses staff must complete before them.",
    (
        Column(
            "system",
            "str",
            "System or project name (e.g. 'EMR upgrade 2026').",
            required=True,
            aliases=("System", "Project", "Rollout", "Application"),
        ),
        Column(
            "rollout_type",
            "category",
            "Kind of rollout.",
            allowed=ROLLOUT_TYPES,
            aliases=("Type", "Rollout Type", "Category"),
        ),
        _unit_ref(),
        Column("go_live", "date", "Go-live date.", required=True, aliases=("Go Live", "Go-Live Date", "Go Live Date")),
        Column(
            "required_courses",
            "str",
            "Courses required before go-live, separated by ';'.",
            aliases=("Required Courses", "Courses", "Required Training"),
        ),
    ),
    key=("system", "unit"),
)

PULSE_SURVEYS = Table(
    "pulse_surveys",
    "Pulse-survey answers: one row per respondent, date and dimension. Survey answers are sensitive: "
    "individuals are visible to the HR role only, and aggregates over fewer than 5 people are suppressed.",
    (
        Column(
            "respondent_id",
            "str",
            "Employee ID, or an anonymous respondent token.",
            required=True,
            aliases=("Respondent ID", "Respondent", "Response ID", "respondent_id", *_EMPLOYEE_ID_ALIASES),
        ),
        _unit_ref(),
        Column(
            "date",
            "date",
            "Date answered.",
            required=True,
            not_future=True,
            aliases=("Date", "Survey Date", "Submitted", "Response Date"),
        ),
        Column(
            "dimension",
            "category",
            "What the question measures.",
            allowed=SURVEY_DIMENSIONS,
            required=True,
            aliases=("Dimension", "Question", "Theme", "Topic"),
        ),
        Column(
            "score",
            "float",
            "Likert answer, 1 (worst) to 5 (best).",
            unit="1-5",
            min=1,
            max=5,
            aliases=("Score", "Answer", "Rating", "Response"),
        ),
        Column(
            "enps",
            "float",
            "Likelihood to recommend as a workplace.",
            unit="0-10",
            min=0,
            max=10,
            aliases=("eNPS", "ENPS", "Recommend", "Likelihood to Recommend"),
        ),
    ),
    key=("respondent_id", "date", "dimension"),
    sensitive=True,
)

REQUISITIONS = Table(
    "requisitions",
    "Job requisitions from the applicant tracking system.",
    (
        Column(
            "requisition_id",
            "str",
            "Requisition identifier.",
            required=True,
            aliases=("Requisition ID", "Req ID", "Req #", "Job ID", "Posting ID"),
        ),
        _unit_ref(),
        Column(
            "role", "category", "Role recruited.", allowed=ROLES, required=True, aliases=("Role", "Job", "Position")
        ),
        Column(
            "opened",
            "date",
            "Date approved/opened.",
            required=True,
            not_future=True,
            aliases=("Opened", "Open Date", "Date Opened", "Approved Date", "Posted"),
        ),
        Column(
            "filled",
            "date",
            "Date an offer was accepted (empty if not filled).",
            not_future=True,
            aliases=("Filled", "Fill Date", "Date Filled", "Offer Accepted", "Closed Date"),
        ),
        Column(
            "status",
            "category",
            "Requisition status.",
            allowed=REQUISITION_STATUSES,
            required=True,
            aliases=("Status", "Req Status"),
        ),
        Column("fte", "float", "FTE of the position.", unit="FTE", min=0, max=1.5, aliases=("FTE",)),
        Column(
            "required_skills",
            "str",
            "Skills required, separated by ';'.",
            aliases=("Required Skills", "Skills", "Requirements"),
        ),
        Column(
            "source",
            "str",
            "Hire source (referral, job board, agency conversion ...).",
            aliases=("Source", "Hire Source", "Candidate Source"),
        ),
    ),
    key=("requisition_id",),
    rules=(DateOrder("opened", "filled", source=_EVENT_ORDER),),
)

PATIENT_EXPERIENCE = Table(
    "patient_experience",
    "Patient-experience survey results per unit and month (e.g. HCAHPS top-box).",
    (
        _unit_ref(),
        Column(
            "month",
            "date",
            "First day of the month surveyed.",
            required=True,
            aliases=("Month", "Period", "Survey Month", "Date"),
        ),
        Column(
            "score",
            "float",
            "Top-box score.",
            unit="%",
            min=0,
            max=100,
            required=True,
            aliases=("Score", "Top Box", "Top-Box %", "Top Box Score", "HCAHPS"),
        ),
        Column(
            "responses",
            "int",
            "Number of returned surveys.",
            min=0,
            max=1_000_000,
            aliases=("Responses", "N", "Returned Surveys", "Count"),
        ),
    ),
    key=("unit", "month"),
)

WELLBEING = Table(
    "wellbeing",
    "Opt-in wearable metrics. Health data: stored only where `consent` is true, individuals visible "
    "to the HR role only, aggregates over fewer than 5 people suppressed.",
    (
        _employee_ref(),
        Column("date", "date", "Day measured.", required=True, not_future=True, aliases=("Date", "Day")),
        Column(
            "sleep_hours",
            "float",
            "Sleep in the night before.",
            unit="hours",
            min=0,
            max=24,
            aliases=("Sleep", "Sleep Hours", "Hours Slept"),
        ),
        Column(
            "resting_heart_rate",
            "float",
            "Resting heart rate.",
            unit="beats per minute",
            min=20,
            max=250,
            aliases=("Resting HR", "RHR", "Resting Heart Rate"),
        ),
        Column("steps", "float", "Steps in the day.", unit="steps", min=0, max=150000, aliases=("Steps", "Step Count")),
        Column(
            "consent",
            "bool",
            "Employee consented to sharing (rows without consent are refused).",
            required=True,
            aliases=("Consent", "Consented", "Opt In", "Opt-in"),
        ),
    ),
    key=("employee_id", "date"),
    sensitive=True,
    rules=(
        RequiresConsent(
            "consent",
            message="Wearable data is stored only with the employee's consent; this row has no consent and was "
            "refused.",
            source="GDPR Art. 9(2)(a): health data is processed only with the person's explicit consent "
            "(docs/security.md).",
        ),
    ),
)

TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        UNITS,
        EMPLOYEES,
        SHIFTS,
        ABSENCES,
        CENSUS,
        STAFFED_HOURS,
        TRAINING,
        TECH_ROLLOUTS,
        PULSE_SURVEYS,
        REQUISITIONS,
        PATIENT_EXPERIENCE,
        WELLBEING,
    )
}
"""All canonical tables by name, in load order (referenced tables first)."""


def data_model_markdown() -> str:
    """Render the data model as Markdown (the source of ``docs/data_model.md``)."""
    lines = [
        "# Canonical data model",
        "",
        "Generated from `data_loaders/schema.py` by `python -m data_loaders.schema > docs/data_model.md`.",
        "Do not edit by hand.",
        "",
        (__doc__ or "").split("Conventions\n-----------\n", 1)[-1].strip(),
        "",
    ]
    for table in TABLES.values():
        lines += [f"## `{table.name}`", "", table.description, ""]
        lines.append(
            f"Natural key: {', '.join(f'`{k}`' for k in table.key)}."
            + (" **Sensitive** (health or survey data)." if table.sensitive else "")
        )
        if table.one_of_required:
            lines.append(f"At least one of {', '.join(f'`{c}`' for c in table.one_of_required)} must be given.")
        if table.recommended:
            lines.append(f"Recommended (KPIs need them): {', '.join(f'`{c}`' for c in table.recommended)}.")
        if table.rules:
            lines += ["", "Rules across columns (a row breaking one is rejected):", ""]
            lines += [f"* {rule.describe()} Source: {rule.source}" for rule in table.rules]
        lines += [
            "",
            "| column | type | unit | required | allowed / range | description | aliases |",
            "|---|---|---|---|---|---|---|",
        ]
        for col in table.columns:
            if col.allowed:
                rule = ", ".join(col.allowed)
            elif col.min is not None or col.max is not None:
                rule = f"{col.min if col.min is not None else ''} to {col.max if col.max is not None else ''}"
            else:
                rule = ""
            if col.not_future:
                rule = (rule + "; " if rule else "") + "not in the future"
            if col.references:
                rule = (rule + "; " if rule else "") + f"must exist in `{col.references[0]}`"
            desc = col.description + (" *Personal.*" if col.personal else "")
            aliases = ", ".join(col.aliases[:6]) + (" …" if len(col.aliases) > 6 else "")
            lines.append(
                f"| `{col.name}` | {col.kind} | {col.unit or ''} | {'yes' if col.required else ''} | {rule} "
                f"| {desc} | {aliases} |"
            )
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    print(data_model_markdown())
