"""Recruiting views: the requisition pipeline and the skills open roles need against skills on staff.

Pure functions over the canonical ``requisitions``, ``employees`` and ``training`` tables; time-to-fill and
vacancy rate themselves are KPIs in :mod:`analytics.kpis`.
"""

from __future__ import annotations

import pandas as pd

from analytics.kpis import EMPLOYED_TYPES, open_requisitions, parse_employees, parse_requisitions

PROFICIENT_EMR = ("proficient", "super_user")
"""EMR proficiency levels that count as the skill "EMR"."""


def pipeline(requisitions: pd.DataFrame, as_of: object) -> pd.DataFrame:
    """Requisitions by unit, role and status on ``as_of``, with open FTE and open age.

    Returns columns unit, role (string), status (string: open, on_hold, filled, cancelled), requisitions
    (int64), fte (float64, FTE), median_open_days (float64, days; open requisitions only, else NaN), people
    (int64, = requisitions, for the aggregate layer). Open means open on ``as_of`` (see
    :func:`analytics.kpis.open_requisitions`); filled and cancelled count every requisition with that status.
    """
    req = parse_requisitions(requisitions)
    opened = open_requisitions(requisitions, as_of).assign(status="open")
    others = req.loc[~req["requisition_id"].isin(set(opened["requisition_id"]))].copy()
    others = others.loc[others["status"] != "open"]
    rows = pd.concat([opened, others.assign(open_days=float("nan"))], ignore_index=True)
    if rows.empty:
        return pd.DataFrame(
            columns=["unit", "role", "status", "requisitions", "fte", "median_open_days", "people"]
        ).astype({"requisitions": "int64", "people": "int64"})
    out = (
        rows.groupby(["unit", "role", "status"], observed=True, dropna=False)
        .agg(requisitions=("requisition_id", "count"), fte=("fte", "sum"), median_open_days=("open_days", "median"))
        .reset_index()
    )
    out["people"] = out["requisitions"].astype("int64")
    return out.astype({"unit": "string", "role": "string", "status": "string", "fte": "float64"})


def _split(cell: object) -> list[str]:
    if cell is None or pd.isna(cell):
        return []
    return [s.strip() for s in str(cell).split(";") if s.strip()]


def staff_skills(employees: pd.DataFrame, training: pd.DataFrame | None, as_of: object) -> pd.DataFrame:
    """Skills each employee employed on ``as_of`` holds: one row per (employee, skill).

    A person's skills are their licence/role (e.g. ``RN``), every course they completed by ``as_of`` (course
    title and its category, e.g. ``telemedicine``), ``EMR`` when their EMR proficiency is proficient or
    super-user, and ``telemedicine`` when telemedicine-certified. Skills are compared case-insensitively
    (column ``skill_key``). Returns employee_id, unit, role, skill, skill_key (string).
    """
    day = pd.Timestamp(as_of)
    emp = parse_employees(employees, EMPLOYED_TYPES)
    employed = (emp["hire_date"].isna() | (emp["hire_date"] <= day)) & (
        emp["termination_date"].isna() | (emp["termination_date"] >= day)
    )
    emp = emp.loc[employed.to_numpy()]
    parts = [emp[["employee_id", "unit", "role"]].assign(skill=emp["role"])]
    if "emr_proficiency" in emp:
        emr = emp.loc[emp["emr_proficiency"].isin(PROFICIENT_EMR).fillna(False).to_numpy()]
        parts.append(emr[["employee_id", "unit", "role"]].assign(skill="EMR"))
    if "telemedicine_certified" in emp:
        tele = emp.loc[emp["telemedicine_certified"].astype("boolean").fillna(False).to_numpy()]
        parts.append(tele[["employee_id", "unit", "role"]].assign(skill="telemedicine"))
    if training is not None and not training.empty:
        done = training.loc[pd.to_datetime(training["completion_date"]).le(day).fillna(False).to_numpy()]
        done = done.merge(emp[["employee_id", "unit", "role"]], on="employee_id", how="inner")
        parts.append(done[["employee_id", "unit", "role"]].assign(skill=done["course"]))
        if "category" in done:
            parts.append(done[["employee_id", "unit", "role"]].assign(skill=done["category"]).dropna(subset=["skill"]))
    out = pd.concat(parts, ignore_index=True).dropna(subset=["skill"])
    out["skill"] = out["skill"].astype("string").str.strip()
    out["skill_key"] = out["skill"].str.casefold()
    return out.drop_duplicates(["employee_id", "skill_key"]).reset_index(drop=True)


def skills_gap(
    requisitions: pd.DataFrame, employees: pd.DataFrame, training: pd.DataFrame | None, as_of: object
) -> pd.DataFrame:
    """Skills the open requisitions need against the staff who hold them, per unit and skill.

    For every skill named in ``required_skills`` of a requisition open on ``as_of``: open_requisitions
    (int64) asking for it in the unit, open_fte (float64), staff_with_skill (int64, employees of that unit
    holding it, see :func:`staff_skills`) and hospital_staff_with_skill (int64, across all units — the pool
    to redeploy or upskill from). ``people`` = staff_with_skill (persons behind the row). Sorted by
    open_requisitions, largest first.
    """
    opened = open_requisitions(requisitions, as_of)
    need_rows = [
        {"unit": r.unit, "skill": skill, "skill_key": skill.casefold(), "fte": r.fte}
        for r in opened.itertuples()
        for skill in _split(getattr(r, "required_skills", None))
    ]
    columns = ["unit", "skill", "open_requisitions", "open_fte", "staff_with_skill", "hospital_staff_with_skill"]
    if not need_rows:
        return pd.DataFrame(columns=[*columns, "people"])
    needs = (
        pd.DataFrame(need_rows)
        .groupby(["unit", "skill_key"], dropna=False)
        .agg(skill=("skill", "first"), open_requisitions=("fte", "size"), open_fte=("fte", "sum"))
        .reset_index()
    )
    held = staff_skills(employees, training, as_of)
    in_unit = held.groupby(["unit", "skill_key"]).size().rename("staff_with_skill").reset_index()
    anywhere = held.groupby("skill_key").size().rename("hospital_staff_with_skill").reset_index()
    out = needs.merge(in_unit, on=["unit", "skill_key"], how="left").merge(anywhere, on="skill_key", how="left")
    for col in ("staff_with_skill", "hospital_staff_with_skill"):
        out[col] = out[col].fillna(0).astype("int64")
    out["people"] = out["staff_with_skill"]
    out = out.sort_values(["open_requisitions", "unit"], ascending=[False, True])
    return out[[*columns, "people"]].reset_index(drop=True)
