"""Scheduler command: forecast a unit's demand and write the staffing plan to an XLSX workbook.

Usage::

    python -m cli.staffing_plan --unit ICU --horizon 28 --out plan.xlsx [--service-level p80] [--store URL]

It reads the store through the data-access layer as a trusted scheduler tool (an ``admin`` context:
all units, schedules included) and writes the same forecast, staffing gaps and optimised pattern
as the department-head page (``forecasting.plan_export``). Every read is appended to the audit trail as
``cli:<operating-system user>``, as ``python -m access`` records user changes. Progress is shown with tqdm.
Exit status 0 on success, 2 with a one-line message on a refused request.
"""

from __future__ import annotations

import argparse
import functools
import getpass
import sys
from pathlib import Path

from tqdm import tqdm

from access import audit
from access.data_access import DataAccess, UserContext
from data_loaders.store import StoreError, create_store
from forecasting.plan_export import build_unit_plan, plan_workbook, schedule_statement
from forecasting.staffing import SERVICE_LEVELS


def _actor() -> str:
    """Audit name of whoever runs the command: ``cli:<operating-system user>``."""
    try:
        return f"cli:{getpass.getuser()}"
    except OSError:
        return "cli:unknown"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m cli.staffing_plan", description=__doc__.splitlines()[0])
    parser.add_argument("--unit", required=True, help="unit_id as in the units table, e.g. ICU")
    parser.add_argument("--horizon", type=int, default=28, help="days to forecast (default 28)")
    parser.add_argument("--out", type=Path, required=True, help="XLSX file to write")
    parser.add_argument(
        "--service-level", choices=sorted(SERVICE_LEVELS), default="p80", help="census to staff for (default p80)"
    )
    parser.add_argument("--store", default=None, help="SQLAlchemy URL of the store (default: HOSPITAL_STORE_URL)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run the command; returns the process exit code: 0 ok; 2 unknown unit, no census, or a store that cannot be
    opened or is not migrated (the message on stderr says what to do)."""
    args = parse_args(argv)
    if args.horizon < 1:
        print("--horizon must be at least 1 day.", file=sys.stderr)
        return 2
    try:
        engine = create_store(args.store)
    except StoreError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    da = DataAccess(engine, UserContext(_actor(), "admin"), audit=functools.partial(audit.record, engine))
    units = da.table("units")
    row = units[units["unit_id"] == args.unit]
    if row.empty:
        known = ", ".join(sorted(units["unit_id"].dropna()))
        print(f"Unknown unit {args.unit!r}. Units in the store: {known or 'none'}.", file=sys.stderr)
        return 2
    with tqdm(total=100, desc=args.unit, unit="%") as bar:

        def progress(fraction: float, message: str) -> None:
            bar.set_postfix_str(message)
            bar.update(round(fraction * 100) - bar.n)

        progress(0.0, "Reading census and shifts")
        census = da.table("census", units=[args.unit])
        shifts = da.table("shifts", units=[args.unit])
        try:
            plan = build_unit_plan(
                census,
                args.unit,
                row["unit_type"].iloc[0],
                shifts,
                horizon_days=args.horizon,
                service_level=args.service_level,
                opened=row["opened"].iloc[0],
                progress=progress,
                beds=row["beds"].iloc[0] if "beds" in row else None,
            )
        except ValueError as error:
            print(f"{args.unit}: {error}", file=sys.stderr)
            return 2
    args.out.write_bytes(plan_workbook(plan))
    print(plan.demand.summary())
    for message in plan.messages():
        print(f"Note: {message}")
    for role in plan.summary.index:
        print(schedule_statement(role, plan.summary))
    for role, result in plan.plans.items():
        print(plan.statements.get(role, f"{role}: recommended pattern {result.paid_hours:.0f} paid hours a week."))
    print(f"Wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
