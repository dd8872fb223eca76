"""One read-only SELECT, checked by a real SQL parser (data_loaders.source_query)."""

from __future__ import annotations

import pytest
from sqlglot import exp

from data_loaders.source_query import ALLOWED_FUNCTIONS, QueryRefused, checked_select

REFUSED = [
    ("postgres", "SELECT 1; DROP TABLE staff", "exactly one SELECT"),
    ("mysql", "SELECT 1; DROP TABLE staff", "exactly one SELECT"),
    ("postgres", "DELETE FROM staff", "DELETE statement"),
    ("postgres", "COPY staff TO '/tmp/staff.csv'", "COPY statement"),
    ("postgres", "WITH gone AS (DELETE FROM staff RETURNING *) SELECT * FROM gone", "WITH part"),
    ("postgres", "SELECT * INTO copied FROM staff", "SELECT … INTO"),
    ("mysql", "SELECT * FROM staff INTO OUTFILE '/tmp/staff.csv'", "could not be read"),
    ("mysql", "SELECT * INTO DUMPFILE '/tmp/x' FROM staff", "could not be read"),
    ("postgres", "SELECT * FROM staff FOR UPDATE", "Locking clauses"),
    ("mysql", "SELECT * FROM staff LOCK IN SHARE MODE", "Locking clauses"),
    ("mysql", "SELECT LOAD_FILE('/etc/passwd')", "LOAD_FILE"),
    ("postgres", "SELECT pg_read_file('/etc/passwd')", "PG_READ_FILE"),
    ("postgres", "SELECT pg_read_binary_file('/etc/passwd')", "PG_READ_BINARY_FILE"),
    ("postgres", "SELECT * FROM pg_ls_dir('/')", "PG_LS_DIR"),
    ("postgres", "SELECT pg_sleep(30)", "PG_SLEEP"),
    ("mysql", "SELECT SLEEP(30)", "SLEEP"),
    ("mysql", "SELECT BENCHMARK(100000000, MD5('x'))", "BENCHMARK"),
    ("postgres", "SELECT lo_import('/etc/passwd')", "LO_IMPORT"),
    ("postgres", "SELECT lo_export(1, '/tmp/x')", "LO_EXPORT"),
    ("postgres", "SELECT * FROM dblink('host=evil', 'SELECT 1') AS t(a int)", "DBLINK"),
    ("postgres", "SELECT query_to_xml('DELETE FROM staff', true, true, '')", "QUERY_TO_XML"),
    ("postgres", "SELECT set_config('default_transaction_read_only', 'off', false)", "SET_CONFIG"),
    ("mysql", "SELECT EXTRACTVALUE(1, CONCAT(0x7e, (SELECT name FROM staff)))", "is not on this app's list"),
    ("mysql", "SELECT @@secure_file_priv", "variables"),
    ("postgres", "SELECT * FROM pg_shadow", "System tables"),
    ("postgres", "SELECT * FROM pg_catalog.pg_authid", "System tables"),
    ("mysql", "SELECT * FROM mysql.user", "System tables"),
    ("mysql", "SELECT * FROM information_schema.tables", "System tables"),
    ("postgres", "SELECT * FROM staff WHERE id = ?", "Name every parameter"),
    ("postgres", "VALUES (1)", "Only SELECT"),
    ("postgres", "not sql at all (", "could not be read"),
]


@pytest.mark.parametrize(("dialect", "text", "reason"), REFUSED)
def test_anything_but_one_read_only_select_is_refused(dialect, text, reason):
    with pytest.raises(QueryRefused, match=reason.replace("(", r"\(")):
        checked_select(text, dialect)


@pytest.mark.parametrize(
    ("dialect", "text"),
    [
        ("postgres", 'SELECT "Employee ID", "Clock In" FROM "Time Cards" WHERE "Clock In" >= :since'),
        ("mysql", "SELECT `Employee ID`, IFNULL(`Dept`, 'none') FROM `Time Cards` WHERE `Clock In` >= :since"),
        ("postgres", "WITH recent AS (SELECT * FROM s WHERE d >= :since) SELECT * FROM recent UNION SELECT * FROM y"),
        ("postgres", "SELECT unit, COUNT(*), SUM(hours), DATE_TRUNC('month', d) FROM s GROUP BY 1, 4 ORDER BY 1"),
        ("mysql", "SELECT CASE WHEN fte > 0.5 THEN 'FT' ELSE 'PT' END, NOW(), DATE(hired) FROM staff"),
        ("postgres", "SELECT * FROM staff WHERE unit IN (SELECT unit FROM units) AND EXISTS (SELECT 1 FROM x)"),
    ],
)
def test_ordinary_hr_extracts_pass(dialect, text):
    assert checked_select(text, dialect).sql.startswith(("SELECT", "WITH"))


def test_named_parameters_are_kept_for_binding():
    checked = checked_select("SELECT * FROM shifts WHERE d >= :since AND unit = :unit", "postgres")
    assert checked.parameters == {"since", "unit"}
    assert ":since" in checked.sql and ":unit" in checked.sql


def test_what_runs_is_the_parsers_rendering_without_comments():
    """MariaDB runs the inside of /*! … */; the parser reads a comment. Only the checked tree is sent."""
    checked = checked_select("SELECT 1 /*!50000 , LOAD_FILE('/etc/passwd') */ -- , SLEEP(9)", "mysql")
    assert checked.sql == "SELECT 1"


def test_very_long_text_is_refused_before_parsing():
    with pytest.raises(QueryRefused, match="longer than"):
        checked_select("SELECT " + ", ".join(["1"] * 10_000), "postgres")


def test_allowed_functions_are_sqlglot_function_classes():
    assert all(isinstance(f, type) and issubclass(f, exp.Func) for f in ALLOWED_FUNCTIONS)
