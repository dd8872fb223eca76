"""The scheduler command ``python -m cli.staffing_plan``: plan workbook, clear errors, audited reads."""

from __future__ import annotations

import getpass
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from access import audit
from cli.staffing_plan import main
from data_loaders.load import load_frames
from data_loaders.store import create_store, import_tables

ROOT = Path(__file__).resolve().parents[2]


def _census(unit: str = "ICU", weeks: int = 4) -> pd.DataFrame:
    rng = np.random.default_rng(4)
    hours = pd.date_range("2026-01-05", periods=weeks * 168, freq="h")
    values = rng.poisson(9 + 3 * np.sin(2 * np.pi * (hours.hour - 9) / 24)).astype(float)
    return pd.DataFrame({"unit": unit, "timestamp": hours, "census": values})


@pytest.fixture
def store_url(tmp_path) -> str:
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    engine = create_store(url)
    frames = {
        "units": pd.DataFrame({"unit_id": ["ICU"], "name": ["ICU"], "unit_type": ["ICU"]}),
        "census": _census(),
    }
    import_tables(engine, load_frames(frames).tables, file_name="t", sha256="1" * 64, username="test")
    return url


def _reads(url: str) -> pd.DataFrame:
    trail = audit.search(create_store(url), action="read")
    return trail.assign(table=[json.loads(d)["table"] for d in trail["details"]])


def test_command_line_reports_an_unknown_unit(store_url, tmp_path, capsys):
    code = main(["--unit", "NOPE", "--horizon", "7", "--out", str(tmp_path / "plan.xlsx"), "--store", store_url])
    assert code == 2
    assert "Unknown unit 'NOPE'. Units in the store: ICU." in capsys.readouterr().err


def test_command_line_writes_the_plan_workbook(store_url, tmp_path, capsys):
    out = tmp_path / "plan.xlsx"
    assert main(["--unit", "ICU", "--horizon", "7", "--out", str(out), "--store", store_url]) == 0
    assert "Forecast" in openpyxl.load_workbook(out).sheetnames
    assert "Wrote" in capsys.readouterr().out


def test_every_read_of_the_command_is_audited_as_the_operating_system_user(store_url, tmp_path):
    assert main(["--unit", "ICU", "--horizon", "7", "--out", str(tmp_path / "plan.xlsx"), "--store", store_url]) == 0
    reads = _reads(store_url)
    assert set(reads["username"]) == {f"cli:{getpass.getuser()}"}
    assert sorted(reads["table"]) == ["census", "shifts", "units"]


def test_a_refused_request_still_audits_what_it_read(store_url, tmp_path):
    main(["--unit", "NOPE", "--out", str(tmp_path / "plan.xlsx"), "--store", store_url])
    assert _reads(store_url)["table"].tolist() == ["units"]


def test_runs_as_a_module_and_exits_2_with_one_line_on_bad_input(store_url, tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "cli.staffing_plan", "--unit", "ICU", "--horizon", "0", "--out", "x.xlsx"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={"HOSPITAL_STORE_URL": store_url, "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 2
    assert done.stderr.strip() == "--horizon must be at least 1 day."
