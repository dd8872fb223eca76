"""Named database sources: configured by an administrator outside the app, opened read-only with hardened drivers.

Nobody types a database address into the app. An administrator describes each source in TOML, in the file named by
``HOSPITAL_SOURCES_FILE`` and/or the ``[sources]`` section of Streamlit's secrets (``.streamlit/secrets.toml``);
the Data import page offers the configured names only. The same text works in either place::

    [sources]
    allowed_hosts = ["hrms-db.example-hospital.org"]   # every source's host must be listed here

    [sources.hrms]
    dialect = "postgresql"                  # postgresql | mariadb | mysql (only those whose driver is installed)
    host = "hrms-db.example-hospital.org"
    port = 5432                             # optional: 5432 for postgresql, 3306 otherwise
    database = "hrms"
    username = "analytics_reader"           # a read-only database role: required (docs/security.md)
    password_env = "HRMS_DB_PASSWORD"       # environment variable holding the password (or: password = "…")
    statement_timeout_seconds = 120         # optional; the server cancels a longer statement
    connect_timeout_seconds = 10            # optional

    [sources.hrms.options]                  # optional; only the TLS settings in DRIVER_OPTIONS are accepted
    sslmode = "verify-full"

The URL is built with ``sqlalchemy.URL.create`` from these parts and has no query string. Driver settings that
matter for safety are forced by :func:`source_engine`, whatever the configuration says: PostgreSQL sessions start
with ``default_transaction_read_only=on`` and a ``statement_timeout``; PyMySQL connects with ``local_infile=False``,
no ``MULTI_STATEMENTS`` flag, no ``init_command`` or option file, and each MariaDB/MySQL session is set
``TRANSACTION READ ONLY`` with ``max_statement_time`` (MariaDB) or ``max_execution_time`` (MySQL). A source that
is the app's own store (same server and database) is refused (:func:`is_app_store`); SQLite is not a source dialect.
"""

from __future__ import annotations

import importlib.util
import ipaddress
import os
import socket
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.pool import NullPool

SOURCES_FILE_VARIABLE = "HOSPITAL_SOURCES_FILE"

DIALECTS: dict[str, tuple[str, str, int, str]] = {
    "postgresql": ("postgresql+psycopg", "psycopg", 5432, "postgres"),
    "mariadb": ("mariadb+pymysql", "pymysql", 3306, "mysql"),
    "mysql": ("mysql+pymysql", "pymysql", 3306, "mysql"),
}
"""Source dialect -> (SQLAlchemy driver name, driver module, default port, sqlglot dialect)."""

DRIVER_OPTIONS: dict[str, frozenset[str]] = {
    "postgresql": frozenset({"sslmode", "sslrootcert", "sslcert", "sslkey", "sslcrl", "application_name"}),
    "mariadb": frozenset({"ssl_ca", "ssl_cert", "ssl_key", "ssl_verify_cert", "ssl_verify_identity", "charset"}),
    "mysql": frozenset({"ssl_ca", "ssl_cert", "ssl_key", "ssl_verify_cert", "ssl_verify_identity", "charset"}),
}
"""Driver options an administrator may set per dialect (TLS and naming only; everything else is refused)."""

DEFAULT_STATEMENT_TIMEOUT_SECONDS = 120.0
DEFAULT_CONNECT_TIMEOUT_SECONDS = 10

_KEYS = frozenset(
    {
        "dialect",
        "host",
        "port",
        "database",
        "username",
        "password",
        "password_env",
        "statement_timeout_seconds",
        "connect_timeout_seconds",
        "options",
    }
)
_PYMYSQL_FOUND_ROWS = 2  # pymysql.constants.CLIENT.FOUND_ROWS; SQLAlchemy's MySQL dialects expect it


class SourceConfigError(ValueError):
    """A source's configuration is unusable; the message says which setting and why (never the password)."""


@dataclass(frozen=True)
class Source:
    """One named database source. Build it with :func:`configured_sources` (which checks it) or directly in code.

    ``dialect`` is a key of :data:`DIALECTS`; ``statement_timeout_seconds`` bounds each statement on the server;
    ``options`` are driver options from :data:`DRIVER_OPTIONS`.
    """

    name: str
    dialect: str
    host: str
    database: str
    username: str
    password: str = field(default="", repr=False)
    port: int | None = None
    statement_timeout_seconds: float = DEFAULT_STATEMENT_TIMEOUT_SECONDS
    connect_timeout_seconds: int = DEFAULT_CONNECT_TIMEOUT_SECONDS
    options: tuple[tuple[str, str | bool], ...] = ()

    @property
    def url(self) -> sa.URL:
        """The SQLAlchemy URL (``URL.create``; no query string)."""
        driver, _, default_port, _ = DIALECTS[self.dialect]
        return sa.URL.create(
            driver,
            username=self.username,
            password=self.password or None,
            host=self.host,
            port=self.port or default_port,
            database=self.database,
        )

    @property
    def sqlglot_dialect(self) -> str:
        """The sqlglot dialect its queries are parsed in."""
        return DIALECTS[self.dialect][3]


@dataclass(frozen=True)
class SourceCatalog:
    """Usable sources by name, and one sentence per source (or file) that could not be used."""

    sources: dict[str, Source]
    problems: tuple[str, ...] = ()


def installed_dialects() -> list[str]:
    """Source dialects whose driver is installed (others are refused with a message)."""
    return [name for name, (_, module, _, _) in DIALECTS.items() if importlib.util.find_spec(module)]


def configured_sources(
    secrets_section: Mapping[str, object] | None = None,
    *,
    store_url: str | sa.URL | None = None,
    environ: Mapping[str, str] | None = None,
) -> SourceCatalog:
    """Sources from the TOML file named by ``HOSPITAL_SOURCES_FILE`` (its ``[sources]`` table) and from
    ``secrets_section`` (the ``[sources]`` section of Streamlit's secrets, passed in by the page).

    Each part is checked by :func:`parse_sources` against its own ``allowed_hosts``. A name defined in both places
    is a problem and neither definition is used. Never raises for bad configuration: problems are sentences.
    """
    environ = os.environ if environ is None else environ
    parts: list[SourceCatalog] = []
    problems: list[str] = []
    path = environ.get(SOURCES_FILE_VARIABLE, "").strip()
    if path:
        try:
            with Path(path).open("rb") as handle:
                document = tomllib.load(handle)
        except (OSError, tomllib.TOMLDecodeError) as error:
            problems.append(f"The sources file named by {SOURCES_FILE_VARIABLE} could not be read ({error}).")
        else:
            parts.append(parse_sources(document.get("sources", {}), store_url=store_url, environ=environ))
    if secrets_section:
        parts.append(parse_sources(secrets_section, store_url=store_url, environ=environ))
    sources: dict[str, Source] = {}
    duplicated: set[str] = set()
    for part in parts:
        problems.extend(part.problems)
        for name, source in part.sources.items():
            if name in sources:
                duplicated.add(name)
            sources[name] = source
    for name in sorted(duplicated):
        del sources[name]
        problems.append(f"Source '{name}' is defined twice (sources file and secrets); neither is used.")
    return SourceCatalog(sources=dict(sorted(sources.items())), problems=tuple(problems))


def parse_sources(
    section: Mapping[str, object],
    *,
    store_url: str | sa.URL | None = None,
    environ: Mapping[str, str] | None = None,
) -> SourceCatalog:
    """Check a ``[sources]`` table: ``allowed_hosts`` (list of host names) and one sub-table per source.

    A source is usable only if every setting is known and valid (:func:`parse_source`); otherwise its problem is
    reported and the others are still offered.
    """
    environ = os.environ if environ is None else environ
    if not isinstance(section, Mapping):
        return SourceCatalog({}, ("The [sources] configuration must be a table.",))
    allowed = section.get("allowed_hosts", [])
    problems: list[str] = []
    if not isinstance(allowed, list) or not all(isinstance(h, str) for h in allowed):
        problems.append("[sources] allowed_hosts must be a list of host names.")
        allowed = []
    allowed_hosts = frozenset(h.strip().lower() for h in allowed)
    sources: dict[str, Source] = {}
    for name, settings in section.items():
        if name == "allowed_hosts":
            continue
        try:
            sources[name] = parse_source(name, settings, allowed_hosts, store_url=store_url, environ=environ)
        except SourceConfigError as error:
            problems.append(f"Source '{name}' is not usable: {error}")
    return SourceCatalog(sources, tuple(problems))


def parse_source(
    name: str,
    settings: object,
    allowed_hosts: frozenset[str],
    *,
    store_url: str | sa.URL | None = None,
    environ: Mapping[str, str] | None = None,
) -> Source:
    """One source from its TOML table. Raises :class:`SourceConfigError` naming the setting at fault."""
    environ = os.environ if environ is None else environ
    if not (name.isascii() and name.replace("_", "").replace("-", "").isalnum() and len(name) <= 64):
        raise SourceConfigError("a source name uses letters, digits, '-' and '_' only (at most 64).")
    if not isinstance(settings, Mapping):
        raise SourceConfigError("its settings must be a table ([sources.<name>]).")
    unknown = sorted(set(settings) - _KEYS)
    if unknown:
        known = ", ".join(sorted(_KEYS))
        raise SourceConfigError(f"unknown setting(s) {', '.join(unknown)}; the settings are {known}.")
    dialect = _text(settings, "dialect")
    if dialect not in DIALECTS:
        raise SourceConfigError(f"dialect '{dialect}' is not a source dialect; use one of {', '.join(DIALECTS)}.")
    if dialect not in installed_dialects():
        raise SourceConfigError(f"the driver for {dialect} ({DIALECTS[dialect][1]}) is not installed.")
    host = _text(settings, "host")
    if "/" in host or host.lower() not in allowed_hosts:
        raise SourceConfigError(f"host '{host}' is not in [sources] allowed_hosts.")
    port = settings.get("port")
    if port is not None and not (isinstance(port, int) and not isinstance(port, bool) and 0 < port < 65536):
        raise SourceConfigError("port must be a whole number from 1 to 65535.")
    source = Source(
        name=name,
        dialect=dialect,
        host=host,
        port=port,
        database=_text(settings, "database"),
        username=_text(settings, "username"),
        password=_password(settings, environ),
        statement_timeout_seconds=_positive(settings, "statement_timeout_seconds", DEFAULT_STATEMENT_TIMEOUT_SECONDS),
        connect_timeout_seconds=int(_positive(settings, "connect_timeout_seconds", DEFAULT_CONNECT_TIMEOUT_SECONDS)),
        options=_options(settings.get("options", {}), dialect),
    )
    if store_url is not None and is_app_store(source, store_url):
        raise SourceConfigError("it is the app's own store; a source must be another database.")
    return source


def _text(settings: Mapping[str, object], key: str) -> str:
    value = settings.get(key)
    if not isinstance(value, str) or not value.strip():
        raise SourceConfigError(f"{key} is required (text).")
    return value.strip()


def _password(settings: Mapping[str, object], environ: Mapping[str, str]) -> str:
    if "password" in settings and "password_env" in settings:
        raise SourceConfigError("give password or password_env, not both.")
    if "password_env" in settings:
        variable = _text(settings, "password_env")
        if variable not in environ:
            raise SourceConfigError(f"the environment variable {variable} (password_env) is not set.")
        return environ[variable]
    password = settings.get("password", "")
    if not isinstance(password, str):
        raise SourceConfigError("password must be text.")
    return password


def _positive(settings: Mapping[str, object], key: str, default: float) -> float:
    value = settings.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= 86_400:
        raise SourceConfigError(f"{key} must be a number of seconds above 0 (at most 86,400).")
    return float(value)


def _options(options: object, dialect: str) -> tuple[tuple[str, str | bool], ...]:
    if not isinstance(options, Mapping):
        raise SourceConfigError("options must be a table ([sources.<name>.options]).")
    refused = sorted(set(options) - DRIVER_OPTIONS[dialect])
    if refused:
        allowed = ", ".join(sorted(DRIVER_OPTIONS[dialect]))
        raise SourceConfigError(f"driver option(s) {', '.join(refused)} are not accepted for {dialect}; use {allowed}.")
    if not all(isinstance(v, (str, bool)) for v in options.values()):
        raise SourceConfigError("driver options are text or true/false.")
    return tuple(sorted(options.items()))


def is_app_store(source: Source, store_url: str | sa.URL) -> bool:
    """Whether ``source`` is the database of ``store_url``: same server family, an address in common (host names
    resolved; loopback addresses count as one host), same port and same database name."""
    store = sa.make_url(store_url)
    family = {"postgresql": "postgresql", "mysql": "mysql", "mariadb": "mysql"}
    store_family = family.get(store.get_backend_name())
    if store_family is None or store_family != family[source.dialect]:
        return False
    default_port = DIALECTS[source.dialect][2]
    if (store.port or default_port) != (source.port or default_port):
        return False
    same_name = (store.database or "") == source.database
    if store_family == "mysql":
        same_name = (store.database or "").casefold() == source.database.casefold()
    return same_name and bool(_addresses(store.host or "localhost") & _addresses(source.host))


def _addresses(host: str) -> set[str]:
    try:
        found = {str(info[4][0]) for info in socket.getaddrinfo(host, None)}
    except (OSError, UnicodeError):
        found = {host.lower()}
    return {"loopback" if _is_loopback(a) else a for a in found}


def _is_loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address.split("%")[0]).is_loopback
    except ValueError:
        return address == "localhost"


def source_engine(source: Source) -> sa.Engine:
    """An engine for ``source`` with the safety settings forced (module docstring); no connection pool, so every
    read starts a fresh, freshly configured session. Raises :class:`SourceConfigError` for a dialect that is not a
    source dialect."""
    if source.dialect not in DIALECTS:
        raise SourceConfigError(f"dialect '{source.dialect}' is not a source dialect.")
    timeout_ms = max(1, round(source.statement_timeout_seconds * 1000))
    connect_args: dict[str, object] = dict(source.options)
    connect_args["connect_timeout"] = source.connect_timeout_seconds
    if source.dialect == "postgresql":
        connect_args["options"] = (
            f"-c default_transaction_read_only=on -c statement_timeout={timeout_ms} -c lock_timeout={timeout_ms} "
            f"-c idle_in_transaction_session_timeout={timeout_ms + 60_000}"
        )
    else:
        connect_args.update(
            local_infile=False,
            client_flag=_PYMYSQL_FOUND_ROWS,
            init_command=None,
            read_default_file=None,
            read_default_group=None,
            autocommit=False,
            read_timeout=int(source.statement_timeout_seconds) + 60,
        )
    engine = sa.create_engine(source.url, connect_args=connect_args, poolclass=NullPool)
    if source.dialect != "postgresql":
        sa.event.listen(engine, "connect", _read_only_mysql_session(source.statement_timeout_seconds))
    return engine


def _read_only_mysql_session(timeout_seconds: float):
    """A ``connect`` listener: read-only transactions and a statement time-out for every MariaDB/MySQL session."""

    def configure(dbapi_connection, _record) -> None:
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("SET SESSION TRANSACTION READ ONLY")
            if "mariadb" in dbapi_connection.get_server_info().lower():
                cursor.execute("SET SESSION max_statement_time = %s", (timeout_seconds,))
            else:
                cursor.execute("SET SESSION max_execution_time = %s", (max(1, round(timeout_seconds * 1000)),))
        finally:
            cursor.close()

    return configure
