"""Known public export formats, recognised by their header and reshaped into canonical tables.

* **CMS Payroll-Based Journal** daily nurse staffing (US Centers for Medicare & Medicaid Services,
  "PBJ Daily Nurse Staffing" public-use file; header ``PROVNUM, PROVNAME, ..., WorkDate,
  MDScensus, Hrs_RNDON, Hrs_RNDON_emp, Hrs_RNDON_ctr, ...``). One file gives three tables:

  - ``units``: one row per ``PROVNUM`` (``name`` = ``PROVNAME``, ``unit_type`` = ``other``);
  - ``census``: ``unit`` = ``PROVNUM``, ``timestamp`` = ``WorkDate`` at 00:00, ``census`` = ``MDScensus``;
  - ``staffed_hours``: the ``Hrs_<ROLE>_emp`` / ``Hrs_<ROLE>_ctr`` columns melted into ``role`` x
    ``employment`` (``emp`` -> employee, ``ctr`` -> contract) and summed per day, role and
    employment with :data:`CMS_ROLES` (RN, RNDON, RNadmin -> RN; LPN, LPNadmin -> LPN; CNA, NAtrn,
    MedAide -> CNA). The ``Hrs_<ROLE>`` totals (= emp + ctr) are not needed and are ignored.

* **StatsWales beds by hospital and specialty** (healthyr R package; header ``date, hospital_code,
  hospital_name, specialism, daily_beds_available, daily_beds_occupied, ...``): ``units`` are
  hospital x specialty (``unit_id`` = ``<hospital_code>/<specialism>``) and ``census`` is the average
  daily occupied beds of the month, stamped on the first of the month. ``all_specialties`` rows are
  the hospital's own totals and are not imported (one warning), so that sums over units do not
  count the same patients twice.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

from data_loaders.mapping import normalise_header
from data_loaders.validation import as_text, parse_numbers

CMS_ROLES = {
    "RN": "RN",
    "RNDON": "RN",
    "RNadmin": "RN",
    "LPN": "LPN",
    "LPNadmin": "LPN",
    "CNA": "CNA",
    "NAtrn": "CNA",
    "MedAide": "CNA",
}
"""CMS PBJ staff categories -> canonical role: directors of nursing and RN administrators are RNs,
LPN administrators are LPNs, nurse aides in training and medication aides are counted with CNAs
(CMS, "PBJ Public Use Files technical specifications": job codes 5-12)."""

CMS_EMPLOYMENT = {"emp": "employee", "ctr": "contract"}

WALES_UNIT_TYPES = {
    "maternity": "L&D",
    "mental_illness": "behavioral_health",
    "medical_acute": "med_surg",
    "surgical_acute": "med_surg",
    "geriatric_medicine": "other",
}

_CMS_HOURS = re.compile(r"Hrs_(?P<role>[A-Za-z]+)_(?P<emp>emp|ctr)")


def detect_format(headers: list[str]) -> str | None:
    """``"cms_pbj"``, ``"wales_beds"`` or ``None`` from a sheet's header cells."""
    keys = {normalise_header(h) for h in headers}
    if {"provnum", "workdate", "mdscensus"} <= keys and any(k.startswith("hrs") for k in keys):
        return "cms_pbj"
    if {"date", "hospitalcode", "hospitalname", "specialism", "dailybedsoccupied"} <= keys:
        return "wales_beds"
    return None


@dataclass
class Reshaped:
    """A recognised export reshaped into canonical tables.

    ``tables``: canonical columns (cells still raw) plus ``source_row``/``source_sheet``;
    ``mapping``: source header -> ``table.column`` it fed; ``ignored``: ``(header, reason)``;
    ``problems``: ``(table, row, column, value, reason, severity)`` tuples found while reshaping.
    """

    tables: dict[str, pd.DataFrame]
    mapping: dict[str, str] = field(default_factory=dict)
    ignored: list[tuple[str, str]] = field(default_factory=list)
    problems: list[tuple[str, int | None, str, str, str, str]] = field(default_factory=list)


def reshape(fmt: str, data: pd.DataFrame, headers: list[str]) -> Reshaped:
    """Reshape ``data`` (columns = ``headers`` plus ``source_row``/``source_sheet``) of format ``fmt``."""
    by_key = {normalise_header(h): h for h in headers}
    if fmt == "cms_pbj":
        return _cms(data, headers, by_key)
    if fmt == "wales_beds":
        return _wales(data, headers, by_key)
    raise ValueError(f"unknown format {fmt!r}")


def _source(data: pd.DataFrame) -> dict[str, pd.Series]:
    return {"source_row": data["source_row"], "source_sheet": data["source_sheet"]}


def _cms(data: pd.DataFrame, headers: list[str], by_key: dict[str, str]) -> Reshaped:
    provnum, provname = by_key["provnum"], by_key.get("provname")
    workdate, census = by_key["workdate"], by_key["mdscensus"]
    unit = as_text(data[provnum])
    firsts = data[~unit.duplicated()]
    units = pd.DataFrame(
        {
            "unit_id": unit[firsts.index],
            "name": firsts[provname] if provname else pd.NA,
            "unit_type": "other",
            **_source(firsts),
        }
    )
    census_frame = pd.DataFrame({"unit": unit, "timestamp": data[workdate], "census": data[census], **_source(data)})
    out = Reshaped({"units": units, "census": census_frame})
    out.mapping = {
        provnum: "units.unit_id, census.unit, staffed_hours.unit",
        workdate: "census.timestamp, staffed_hours.date",
    }
    out.mapping[census] = "census.census"
    if provname:
        out.mapping[provname] = "units.name"
    groups: dict[tuple[str, str], list[str]] = {}
    for header in headers:
        match = _CMS_HOURS.fullmatch(header)
        if match and match["role"] in CMS_ROLES:
            role, employment = CMS_ROLES[match["role"]], CMS_EMPLOYMENT[match["emp"]]
            groups.setdefault((role, employment), []).append(header)
            out.mapping[header] = f"staffed_hours.hours ({role}, {employment})"
    parts = []
    for (role, employment), columns in groups.items():
        total = pd.Series(0.0, index=data.index)
        given = pd.Series(False, index=data.index)
        broken = pd.Series(False, index=data.index)
        for column in columns:
            values, bad = parse_numbers(data[column])
            for idx in bad[bad].index:
                out.problems.append(
                    (
                        "staffed_hours",
                        int(data.at[idx, "source_row"]),
                        column,
                        str(data.at[idx, column])[:200],
                        f"{column} must be a number of hours; the {role} {employment} hours of this day were not "
                        "imported. Correct the value.",
                        "error",
                    )
                )
            broken |= bad
            given |= values.notna()
            total = total + values.fillna(0)
        keep = given & ~broken
        parts.append(
            pd.DataFrame(
                {
                    "unit": unit[keep],
                    "date": data.loc[keep, workdate],
                    "role": role,
                    "employment": employment,
                    "hours": total[keep].round(4),
                    **_source(data[keep]),
                }
            )
        )
    if parts:
        staffed = pd.concat(parts).sort_index(kind="stable").reset_index(drop=True)
        out.tables["staffed_hours"] = staffed
    used = set(out.mapping)
    for header in headers:
        if header not in used:
            why = (
                "is the total of the _emp and _ctr columns, which are imported separately"
                if re.fullmatch(r"Hrs_[A-Za-z]+", header)
                else "is not needed by the data model"
            )
            out.ignored.append((header, f"column '{header}' {why}; it was ignored."))
    return out


def _wales(data: pd.DataFrame, headers: list[str], by_key: dict[str, str]) -> Reshaped:
    code, name = by_key["hospitalcode"], by_key["hospitalname"]
    specialism, date, occupied = by_key["specialism"], by_key["date"], by_key["dailybedsoccupied"]
    spec = as_text(data[specialism])
    totals = spec == "all_specialties"
    out = Reshaped({})
    if totals.any():
        out.problems.append(
            (
                "census",
                None,
                specialism,
                "all_specialties",
                f"{int(totals.sum()):,} rows with specialism 'all_specialties' are hospital totals and were not "
                "imported; the specialties are imported as units.",
                "warning",
            )
        )
    rows = data[~totals]
    spec = spec[~totals]
    unit = as_text(rows[code]) + "/" + spec
    firsts = rows[~unit.duplicated()]
    out.tables["units"] = pd.DataFrame(
        {
            "unit_id": unit[firsts.index],
            "name": as_text(firsts[name]) + " - " + spec[firsts.index].str.replace("_", " "),
            "unit_type": spec[firsts.index].map(WALES_UNIT_TYPES).fillna("other"),
            **_source(firsts),
        }
    )
    out.tables["census"] = pd.DataFrame(
        {"unit": unit, "timestamp": rows[date], "census": rows[occupied], **_source(rows)}
    )
    out.mapping = {
        code: "units.unit_id (with specialism), census.unit",
        specialism: "units.unit_id (with hospital_code), units.unit_type",
        name: "units.name",
        date: "census.timestamp",
        occupied: "census.census",
    }
    for header in headers:
        if header not in out.mapping:
            out.ignored.append((header, f"column '{header}' is not needed by the data model; it was ignored."))
    return out
