"""Named database sources configured by an administrator (data_loaders.sources): TOML file and secrets."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from data_loaders.sources import (
    SOURCES_FILE_VARIABLE,
    Source,
    SourceConfigError,
    configured_sources,
    is_app_store,
    parse_source,
)

HOSTS = frozenset({"hrms-db.example-hospital.org"})
SETTINGS = {
    "dialect": "postgresql",
    "host": "hrms-db.example-hospital.org",
    "database": "hrms",
    "username": "analytics_reader",
    "password_env": "HRMS_DB_PASSWORD",
}
SOURCES_TOML = """
[sources]
allowed_hosts = ["hrms-db.example-hospital.org"]

[sources.hrms]
dialect = "postgresql"
host = "hrms-db.example-hospital.org"
database = "hrms"
username = "analytics_reader"
password_env = "HRMS_DB_PASSWORD"
statement_timeout_seconds = 60

[sources.hrms.options]
sslmode = "verify-full"
"""


def test_a_source_file_named_by_the_environment_is_read(tmp_path):
    path = tmp_path / "sources.toml"
    path.write_text(SOURCES_TOML)
    catalog = configured_sources(environ={SOURCES_FILE_VARIABLE: str(path), "HRMS_DB_PASSWORD": "s3cret"})
    assert catalog.problems == ()
    hrms = catalog.sources["hrms"]
    assert hrms.password == "s3cret" and hrms.statement_timeout_seconds == 60
    assert hrms.url.render_as_string(hide_password=False) == (
        "postgresql+psycopg://analytics_reader:s3cret@hrms-db.example-hospital.org:5432/hrms"
    )
    assert dict(hrms.options) == {"sslmode": "verify-full"}
    assert "s3cret" not in repr(hrms)


def test_sources_in_streamlit_secrets_and_the_file_are_offered_together(tmp_path):
    path = tmp_path / "sources.toml"
    path.write_text(SOURCES_TOML)
    lms = {**SETTINGS, "dialect": "mariadb", "host": "lms.example.org"}
    secrets = {"allowed_hosts": ["lms.example.org"], "lms": lms}
    catalog = configured_sources(secrets, environ={SOURCES_FILE_VARIABLE: str(path), "HRMS_DB_PASSWORD": "x"})
    assert list(catalog.sources) == ["hrms", "lms"]
    assert catalog.sources["lms"].url.drivername == "mariadb+pymysql"


def test_a_name_defined_twice_is_not_used(tmp_path):
    path = tmp_path / "sources.toml"
    path.write_text(SOURCES_TOML)
    secrets = {"allowed_hosts": list(HOSTS), "hrms": SETTINGS}
    catalog = configured_sources(secrets, environ={SOURCES_FILE_VARIABLE: str(path), "HRMS_DB_PASSWORD": "x"})
    assert catalog.sources == {}
    assert "defined twice" in catalog.problems[0]


def test_no_configuration_means_no_sources():
    assert configured_sources(environ={}).sources == {}


def test_an_unreadable_file_is_a_problem_not_an_exception(tmp_path):
    path = tmp_path / "sources.toml"
    path.write_text("[sources\nbroken")
    catalog = configured_sources(environ={SOURCES_FILE_VARIABLE: str(path)})
    assert catalog.sources == {} and "could not be read" in catalog.problems[0]


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"host": "evil.example.com"}, "not in \\[sources\\] allowed_hosts"),
        ({"host": "/var/run/postgresql"}, "not in \\[sources\\] allowed_hosts"),
        ({"dialect": "sqlite"}, "not a source dialect"),
        ({"dialect": "mssql"}, "not a source dialect"),
        ({"url": "postgresql://x@y/z?options=-c%20x"}, "unknown setting"),
        ({"query": {"local_infile": "1"}}, "unknown setting"),
        ({"options": {"local_infile": True}}, "not accepted"),
        ({"options": {"sslmode": ["a"]}}, "text or true/false"),
        ({"port": 0}, "port"),
        ({"port": "5432"}, "port"),
        ({"statement_timeout_seconds": 0}, "statement_timeout_seconds"),
        ({"database": ""}, "database is required"),
        ({"password": "x"}, "not both"),
        ({"password_env": "UNSET_VARIABLE_FOR_TEST"}, "UNSET_VARIABLE_FOR_TEST"),
    ],
)
def test_unusable_settings_are_refused_with_the_setting_named(change, reason):
    with pytest.raises(SourceConfigError, match=reason):
        parse_source("hrms", {**SETTINGS, **change}, HOSTS, environ={"HRMS_DB_PASSWORD": "pw"})


def test_a_bad_source_does_not_hide_the_good_ones():
    section = {"allowed_hosts": list(HOSTS), "good": SETTINGS, "bad": {**SETTINGS, "host": "elsewhere.org"}}
    catalog = configured_sources(section, environ={"HRMS_DB_PASSWORD": "pw"})
    assert list(catalog.sources) == ["good"]
    assert catalog.problems == ("Source 'bad' is not usable: host 'elsewhere.org' is not in [sources] allowed_hosts.",)


def test_the_password_never_appears_in_a_problem():
    catalog = configured_sources(
        {"allowed_hosts": list(HOSTS), "hrms": {**SETTINGS, "port": -1}}, environ={"HRMS_DB_PASSWORD": "pw-9f3a"}
    )
    assert "pw-9f3a" not in " ".join(catalog.problems)


@pytest.mark.parametrize(
    ("store_url", "same"),
    [
        ("postgresql+psycopg://app@127.0.0.1:5432/hrms", True),
        ("postgresql+psycopg://app@localhost/hrms", True),
        ("postgresql+psycopg://app@127.0.0.1:5433/hrms", False),
        ("postgresql+psycopg://app@127.0.0.1:5432/workforce", False),
        ("mysql+pymysql://app@127.0.0.1:5432/hrms", False),
        ("sqlite:////srv/hospital/var/hospital.sqlite", False),
    ],
)
def test_the_apps_store_is_recognised_by_server_port_and_database(store_url, same):
    source = Source("hrms", "postgresql", "127.0.0.1", "hrms", "reader")
    assert is_app_store(source, store_url) is same


def test_the_shipped_secrets_example_configures_a_usable_source():
    example = Path(__file__).resolve().parents[1] / ".streamlit" / "secrets.toml.example"
    section = tomllib.loads(example.read_text())["sources"]
    catalog = configured_sources(section, environ={"HRMS_DB_PASSWORD": "pw"})
    assert catalog.problems == () and list(catalog.sources) == ["hrms"]
