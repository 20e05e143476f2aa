"""Benchmark: filing an incident through the API against a bare Django view (docs/benchmarks.md).

    .venv/bin/python bench/filing_bench.py                      # throwaway SQLite file
    .venv/bin/python bench/filing_bench.py --requests 3000 --concurrency 6 --workers 3
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python bench/filing_bench.py                  # throwaway PostgreSQL database
    .venv/bin/python bench/filing_bench.py --profile            # where the time goes, no server

Options: ``--requests`` per side (2000), ``--concurrency`` client threads (6),
``--workers`` gunicorn workers (3), ``--rounds`` of alternation (20); ``--profile`` with
``--profile-requests`` (500), ``--profile-side`` (filing-token), ``--profile-lines`` (45).

Budget: "Filing an incident through the API sustains at least half the throughput of a
bare Django view that inserts one row, measured side by side in one run."

What it does, in one run:

1. Makes a throwaway database: a SQLite file in a temporary folder, or, when
   DATABASE_URL names a PostgreSQL server, a database ``baikoo_bench_<pid>`` on it (only
   the server and credentials of the URL are used; the database it names is not touched).
   Migrates it, creates the bench-only table, and creates the least the filing needs:
   one election, one district, one party with a list there, and an LTO of that district
   with an API token and a signed-in session.
2. Starts gunicorn on a free port of 127.0.0.1 with the project's settings and its
   gunicorn configuration (``gunicorn.conf.py``), DEBUG off,
   plus ``bench.filing_support``: the bare views under ``/bench/``. Gunicorn with 3 sync
   workers because that is how the Dockerfile and docker-compose serve the API in
   production; not the dev server or wsgiref, whose own overhead and threading would be
   measured instead. Both sides get the same per-request work from the server (a new
   connection per request: sync workers do not keep connections alive).
3. Sends ``--requests`` POSTs to each of five sides, from ``--concurrency`` client threads
   (stdlib ``http.client``), with the SAME JSON body shape (a fresh ``id`` each time):

   ========================  ===========================================================
   ``bare``                  Django view: parse the JSON, insert one row; no auth
   ``bare-token``            the same after ``Authorization: Token`` (DRF's own lookup)
   ``bare-session``          the same after the session + CSRF check (the browser's way)
   ``filing-token``          ``POST /api/v1/incidents/`` with the token (scripts)
   ``filing-session``        the same with the session and CSRF token (offline queue)
   ========================  ===========================================================

   The requests are sent in ``--rounds`` rounds; each round runs every side in turn,
   each filing side right next to its bare side, the order reversed every other round,
   so a change of load on the machine hits both sides of a comparison alike. A side's
   throughput is its requests over the time its own phases took.
4. Prints requests/s and p50/p95 latency per side and the ratios: of the totals (the
   budget's measure) and the median of the rounds' ratios (steadier on a busy machine).
   The budget compares like with like: filing-token against bare-token, filing-session
   against bare-session. Against the unauthenticated ``bare`` view it is printed too.
5. Checks the database: one incident, one ``created`` event and one audit entry per 201,
   refs distinct and numbered 1..n; one bare row per bare 201. Its last line is one JSON
   object, ``{"token_ratio": x, "session_ratio": y}`` (the budget's two ratios). Then
   stops the server and drops the database and the temporary folder, also on Ctrl-C or
   an error.

``--profile`` runs no server: it calls the WSGI application in-process, prints the SQL of
one request of each side, times each side in one thread (``--profile-requests`` per side,
alternating in ``--rounds``), prints where the time of each side goes (the named steps of
a filing, each SQL statement, the garbage collector: ms per request), and a cProfile of
``--profile-requests`` requests of ``--profile-side``.

The numbers are printed, never asserted: this is a benchmark, not a test. On the 2-core
development machine the client, gunicorn and PostgreSQL share the cores; the client's own
CPU share is printed so that a client-bound run can be recognised.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import http.client
import io
import json
import os
import pstats
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SETTINGS = "bench.filing_support.settings"

FILING_URL = "/api/v1/incidents/"
SIDES = {
    # name: (path, auth)
    "bare": ("/bench/bare/", None),
    "bare-token": ("/bench/bare-token/", "token"),
    "bare-session": ("/bench/bare-session/", "session"),
    "filing-token": (FILING_URL, "token"),
    "filing-session": (FILING_URL, "session"),
}
ROUND_ORDER = ["bare", "bare-token", "filing-token", "filing-session", "bare-session"]
PAIRS = [
    ("filing-token", "bare-token"),
    ("filing-session", "bare-session"),
    ("filing-token", "bare"),
    ("filing-session", "bare"),
]


# --- the throwaway database -------------------------------------------------------------


class ThrowawayDatabase:
    """A SQLite file in ``workdir``, or a new database on the PostgreSQL server named by
    ``base_url``. ``drop`` removes what ``create`` made and nothing else."""

    def __init__(self, base_url: str, workdir: Path, name: str = "") -> None:
        postgres = base_url.startswith(("postgres://", "postgresql://"))
        self.base_url = base_url
        self.base = urlsplit(base_url) if postgres else None
        self.workdir = workdir
        self.name = name or f"baikoo_bench_{os.getpid()}"
        self.created = False

    @property
    def engine(self) -> str:
        return "postgresql" if self.base else "sqlite"

    @property
    def url(self) -> str:
        if self.base is None:
            return f"sqlite:///{self.path}"
        return urlunsplit(self.base._replace(path=f"/{self.name}"))

    @property
    def path(self) -> Path:
        """The SQLite file (``bench.sqlite3``; a copy is named after itself)."""
        default = f"baikoo_bench_{os.getpid()}"
        return self.workdir / ("bench.sqlite3" if self.name == default else f"{self.name}.sqlite3")

    def copy(self, suffix: str) -> ThrowawayDatabase:
        """A new throwaway database holding what this one holds now (PostgreSQL copies
        it as a template: nothing may be connected to this one meanwhile)."""
        other = ThrowawayDatabase(self.base_url, self.workdir, f"{self.name}_{suffix}")
        if self.base is None:
            shutil.copyfile(self.path, other.path)
        else:
            self._admin(f'CREATE DATABASE "{other.name}" TEMPLATE "{self.name}"')
        other.created = True
        return other

    def _admin(self, statement: str) -> None:
        """Run ``statement`` (CREATE or DROP DATABASE) on the server's ``postgres``
        database, outside a transaction."""
        import psycopg2

        assert self.base is not None
        connection = psycopg2.connect(
            host=self.base.hostname or "127.0.0.1",
            port=self.base.port or 5432,
            user=unquote(self.base.username or "postgres"),
            password=unquote(self.base.password or "") or None,
            dbname="postgres",
        )
        connection.autocommit = True
        try:
            with connection.cursor() as cursor:
                cursor.execute(statement)
        finally:
            connection.close()

    def create(self) -> None:
        if self.base is not None:
            self._admin(f'CREATE DATABASE "{self.name}"')
        self.created = True

    def drop(self) -> None:
        if self.base is not None and self.created:
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        self.created = False


# --- reference data, in-process ---------------------------------------------------------


@dataclass
class Credentials:
    token: str
    session_cookie: str
    csrf: str
    district_id: int
    party_id: int

    def headers(self, auth: str | None) -> dict[str, str]:
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if auth == "token":
            headers["Authorization"] = f"Token {self.token}"
        elif auth == "session":
            headers["Cookie"] = self.session_cookie
            headers["X-CSRFToken"] = self.csrf
        return headers


def _setup_django(db: ThrowawayDatabase, workdir: Path) -> None:
    os.environ["DATABASE_URL"] = db.url
    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS
    os.environ["BAIKOO_VAR_DIR"] = str(workdir / "var")
    import django

    django.setup()


def _migrate_and_seed() -> Credentials:
    from decimal import Decimal

    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    from bench.filing_support.models import BareRow
    from observation.kernel.roles import Role
    from observation.models import District, Election, ObserverProfile, Party, PartyList

    call_command("migrate", interactive=False, verbosity=0)
    with connection.schema_editor() as editor:  # the bench-only table has no migration
        editor.create_model(BareRow)
    # Observed until today: the bench files "yesterday", which must be inside the
    # election's period (incidents.services.filing, INCIDENT_DATE_MARGIN_DAYS).
    today = timezone.localdate()
    election = Election.objects.create(
        name="Bench election",
        kind=Election.Kind.LOCAL,
        election_day=today + dt.timedelta(days=7),
        observation_start=today - dt.timedelta(days=30),
        observation_end=today,
    )
    district = District.objects.create(
        election=election, name="Bishkek", code="BSK", mandates=45,
        threshold_percent=Decimal("7.00"),
    )  # fmt: skip
    party = Party.objects.create(name="Bench party", short_name="BP")
    PartyList.objects.create(party=party, district=district)
    user = get_user_model().objects.create_user("bench-lto", password=secrets.token_hex(16))
    profile = ObserverProfile.objects.create(user=user, role=Role.LTO)
    profile.districts.set([district])
    token = Token.objects.create(user=user)
    client = Client()
    client.force_login(user)
    session_id = client.cookies[settings.SESSION_COOKIE_NAME].value
    csrf = secrets.token_hex(16)  # 32 characters: a valid unmasked CSRF secret
    return Credentials(
        token=token.key,
        session_cookie=f"{settings.SESSION_COOKIE_NAME}={session_id}; "
        f"{settings.CSRF_COOKIE_NAME}={csrf}",
        csrf=csrf,
        district_id=district.pk,
        party_id=party.pk,
    )


def _body(credentials: Credentials, occurred_at: str) -> bytes:
    return json.dumps(
        {
            "id": str(uuid.uuid4()),
            "district": credentials.district_id,
            "kind": "vote_buying",
            "occurred_at": occurred_at,
            "location": "School No. 5",
            "party": credentials.party_id,
            "description": "Money offered at the entrance.",
            "source": "direct_observation",
            "witnesses": "Aigul, +996 555 000 000",
            "details": {"offered": "money", "value": "500 som", "offered_by": "party_agent"},
        }
    ).encode()


# --- the server -------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    def __init__(self, workers: int, workdir: Path) -> None:
        self.port = _free_port()
        self.log = workdir / "gunicorn.log"
        self.process = subprocess.Popen(
            [
                sys.executable, "-m", "gunicorn", "observation.config.wsgi:application",
                "--config", str(ROOT / "gunicorn.conf.py"),  # production's, gc.freeze() too
                "--bind", f"127.0.0.1:{self.port}", "--workers", str(workers),
                "--worker-class", "sync", "--timeout", "60", "--chdir", str(ROOT),
                "--log-level", "warning", "--error-logfile", str(self.log),
            ],
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip

    def wait_ready(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited:\n{self.log_tail()}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"gunicorn did not start in {timeout} s:\n{self.log_tail()}")

    def log_tail(self) -> str:
        try:
            return "\n".join(self.log.read_text().splitlines()[-30:])
        except OSError:
            return "(no log)"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # gunicorn stops its workers
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


# --- the client -------------------------------------------------------------------------


@dataclass
class SideResult:
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    round_rates: list[float] = field(default_factory=list)
    first_error: str = ""

    @property
    def count(self) -> int:
        return len(self.latencies)

    @property
    def rate(self) -> float:
        return self.count / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] * 1000


def _post(port: int, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def run_phase(
    port: int, path: str, headers: dict[str, str], bodies: list[bytes], concurrency: int,
    result: SideResult,
) -> None:  # fmt: skip
    """Send every body once from ``concurrency`` threads; adds to ``result``."""
    indexes = iter(range(len(bodies)))
    lock = threading.Lock()
    latencies: list[float] = []
    statuses: Counter = Counter()

    def worker() -> None:
        while True:
            with lock:
                index = next(indexes, None)
            if index is None:
                return
            started = time.perf_counter()
            try:
                status, payload = _post(port, path, bodies[index], headers)
            except OSError as exc:
                status, payload = 0, repr(exc).encode()
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                statuses[status] += 1
                if status != 201 and not result.first_error:
                    result.first_error = f"{status}: {payload[:300]!r}"

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    result.seconds += seconds
    result.latencies += latencies
    result.statuses += statuses
    result.round_rates.append(len(bodies) / seconds)


def benchmark(args: argparse.Namespace, credentials: Credentials, port: int) -> dict:
    from django.utils import timezone

    occurred_at = (timezone.now() - dt.timedelta(days=1)).isoformat()
    sides = list(SIDES)
    # Warm every worker: imports, URL resolver, ContentType cache, connections.
    warm = max(20, 10 * args.workers)
    warmed = {name: SideResult() for name in sides}
    for name in sides:
        path, auth = SIDES[name]
        bodies = [_body(credentials, occurred_at) for _ in range(warm)]
        run_phase(port, path, credentials.headers(auth), bodies, args.concurrency, warmed[name])
    results = {name: SideResult() for name in sides}
    per_round = [args.requests // args.rounds] * args.rounds
    for i in range(args.requests % args.rounds):
        per_round[i] += 1
    load = os.getloadavg()
    cpu_started, wall_started = time.process_time(), time.perf_counter()
    for number, count in enumerate(per_round):
        # Each filing side runs right next to its bare side, and the order reverses every
        # other round (A B B A ...), so a change of load mid-run hits both alike.
        order = ROUND_ORDER if number % 2 == 0 else ROUND_ORDER[::-1]
        for name in order:
            path, auth = SIDES[name]
            bodies = [_body(credentials, occurred_at) for _ in range(count)]
            run_phase(port, path, credentials.headers(auth), bodies, args.concurrency,
                      results[name])  # fmt: skip
    client_cpu = (time.process_time() - cpu_started) / (time.perf_counter() - wall_started)
    stored = {name: warmed[name].statuses[201] for name in sides}
    return {"results": results, "warm": warm, "warm_201": stored, "client_cpu": client_cpu,
            "load": load}  # fmt: skip


def check_database(results: dict[str, SideResult], warm_201: dict[str, int]) -> list[str]:
    """The run's rows are all there, once: what a 201 promised was stored."""
    from django.db.models import Max, Min

    from bench.filing_support.models import BareRow
    from incidents.models import Incident, IncidentEvent
    from observation.models import AuditEntry

    problems = []
    accepted = {s: results[s].statuses[201] + warm_201[s] for s in SIDES}
    filed = sum(n for s, n in accepted.items() if s.startswith("filing"))
    bare = sum(n for s, n in accepted.items() if s.startswith("bare"))
    incidents = Incident.objects.count()
    span = Incident.objects.aggregate(low=Min("number"), high=Max("number"))
    refs = Incident.objects.values("ref").distinct().count()
    events = IncidentEvent.objects.filter(kind=IncidentEvent.Kind.CREATED).count()
    audits = AuditEntry.objects.filter(action="incident.file").count()
    if not incidents == refs == events == audits == filed:
        problems.append(
            f"{filed} filings answered 201 but the database has {incidents} incidents, "
            f"{refs} refs, {events} created events, {audits} audit entries"
        )
    if incidents and (span["low"], span["high"]) != (1, incidents):
        problems.append(f"numbers run {span['low']}..{span['high']} for {incidents} incidents")
    if BareRow.objects.count() != bare:
        problems.append(f"{bare} bare inserts answered 201; {BareRow.objects.count()} rows")
    return problems


def report(args: argparse.Namespace, db: ThrowawayDatabase, run: dict) -> None:
    results: dict[str, SideResult] = run["results"]
    print(f"\nfiling bench: {db.engine}, gunicorn {args.workers} sync worker(s), "
          f"{args.concurrency} client threads, {args.requests} requests per side in "
          f"{args.rounds} rounds (after {run['warm']} warm-up requests per side)")  # fmt: skip
    print(f"{'side':<16}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'rounds req/s':>22}  statuses")
    for name, result in results.items():
        statuses = ", ".join(f"{code}×{n}" for code, n in sorted(result.statuses.items()))
        spread = f"{min(result.round_rates):.0f}..{max(result.round_rates):.0f}"
        print(f"{name:<16}{result.rate:>9.1f}{result.percentile(50):>9.2f}"
              f"{result.percentile(95):>9.2f}{spread:>22}  {statuses}")  # fmt: skip
    print()
    for filing, bare in PAIRS:
        ratio = results[filing].rate / results[bare].rate
        rounds = [
            f / b
            for f, b in zip(results[filing].round_rates, results[bare].round_rates, strict=True)
        ]
        budget = "  (budget ≥ 0.50)" if bare != "bare" else ""
        print(f"ratio {filing} / {bare}: {ratio:.2f}×, median of rounds "
              f"{statistics.median(rounds):.2f}× ({min(rounds):.2f}..{max(rounds):.2f})"
              f"{budget}")  # fmt: skip
    load = f"{run['load'][0]:.1f} before, {os.getloadavg()[0]:.1f} after"
    print(f"client CPU: {run['client_cpu']:.0%} of one core while measuring; load average "
          f"{load}, on {os.cpu_count()} CPUs")  # fmt: skip
    for name, result in results.items():
        if result.first_error:
            print(f"first refusal on {name}: {result.first_error}")


# --- in-process profile -----------------------------------------------------------------


def _wsgi_call(app, path: str, body: bytes, headers: dict[str, str]) -> int:
    environ = {
        "REQUEST_METHOD": "POST", "PATH_INFO": path, "SCRIPT_NAME": "", "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8000", "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1", "HTTP_HOST": "127.0.0.1",
        "CONTENT_TYPE": headers["Content-Type"], "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body), "wsgi.url_scheme": "http", "wsgi.errors": sys.stderr,
        "wsgi.version": (1, 0), "wsgi.multithread": False, "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }  # fmt: skip
    for name, value in headers.items():
        if name != "Content-Type":
            environ["HTTP_" + name.upper().replace("-", "_")] = value
    status: list[str] = []
    response = app(environ, lambda s, h, exc_info=None: status.append(s))
    b"".join(response)
    response.close()
    return int(status[0].split()[0])


def _breakdown(name: str, call: Any, count: int) -> None:
    """Time the named steps of a request by wrapping them (nested steps are included in
    their parents), and each SQL statement, and the garbage collector."""
    import gc
    from contextlib import ExitStack
    from unittest import mock

    from django.core.handlers.base import BaseHandler
    from django.db import connection
    from django.db.backends.base.base import BaseDatabaseWrapper
    from rest_framework.views import APIView

    from bench.filing_support.models import BareRow
    from incidents.models import Incident, IncidentEvent
    from incidents.serializers import IncidentCreateSerializer, IncidentSerializer
    from incidents.services import filing

    steps = [
        ("request: Django handler, middleware included", BaseHandler, "get_response"),
        ("  DRF authentication", APIView, "perform_authentication"),
        ("  DRF permission check (the role)", APIView, "check_permissions"),
        ("  input parsing (IncidentCreateSerializer)", IncidentCreateSerializer, "is_valid"),
        ("  filing service (incident_file)", filing, "incident_file"),
        ("    reference facts, one SELECT", filing, "_filing_facts"),
        ("    number: counter UPDATE", filing, "_next_number"),
        ("    incident INSERT", Incident, "save"),
        ("    created event INSERT", IncidentEvent, "save"),
        ("    audit entry INSERT", filing, "audit_log"),
        ("    COMMIT", BaseDatabaseWrapper, "commit"),
        ("  response (IncidentSerializer)", IncidentSerializer, "to_representation"),
        ("  bare row INSERT", BareRow, "save"),
    ]
    spent: Counter = Counter()
    sql: Counter = Counter()

    def timed(label: str, function: Any) -> Any:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                spent[label] += time.perf_counter() - started

        return wrapper

    def statement(execute: Any, query: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(query, params, many, context)
        finally:
            # one line per statement, savepoint names (unique per call) left out
            sql[re.sub(r'"s\d+_x\d+"', "", " ".join(query.split()))[:60]] += (
                time.perf_counter() - started
            )

    def collector(phase: str, info: dict) -> None:
        if phase == "start":
            spent["_gc_started"] = time.perf_counter()
        else:
            spent["garbage collector (anywhere)"] += time.perf_counter() - spent["_gc_started"]

    with ExitStack() as stack:
        for label, owner, attribute in steps:
            original = getattr(owner, attribute, None)
            if original is None:  # e.g. code from before a step existed
                continue
            stack.enter_context(mock.patch.object(owner, attribute, timed(label, original)))
        stack.enter_context(connection.execute_wrapper(statement))
        gc.callbacks.append(collector)
        try:
            for _ in range(count):
                call()
        finally:
            gc.callbacks.remove(collector)
    print(f"\n{name}:")
    for label, _owner, _attribute in steps:
        if spent[label]:
            print(f"  {label:<50}{spent[label] / count * 1000:8.3f}")
    print(f"  {'garbage collector (anywhere)':<50}"
          f"{spent['garbage collector (anywhere)'] / count * 1000:8.3f}")  # fmt: skip
    for query, seconds in sql.items():
        print(f"  SQL {query[:46]:<46}{seconds / count * 1000:8.3f}")


def profile(args: argparse.Namespace, credentials: Credentials) -> None:
    from django.core.wsgi import get_wsgi_application
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    app = get_wsgi_application()
    occurred_at = (timezone.now() - dt.timedelta(days=1)).isoformat()

    def call(name: str) -> int:
        path, auth = SIDES[name]
        return _wsgi_call(app, path, _body(credentials, occurred_at), credentials.headers(auth))

    for name in SIDES:
        for _ in range(20):
            call(name)
    print("SQL of one request per side (in-process WSGI, warm):")
    for name in SIDES:
        with CaptureQueriesContext(connection) as queries:
            status = call(name)
        print(f"\n{name}: HTTP {status}, {len(queries)} queries")
        for query in queries.captured_queries:
            print(f"  {query['sql'][:160]}")
    print("\nIn-process WSGI, one thread (no HTTP, no client), sides alternating in rounds:")
    seconds = Counter()
    statuses = {name: Counter() for name in SIDES}
    per_round = max(1, args.profile_requests // args.rounds)
    for number in range(args.rounds):
        order = list(SIDES)[number % len(SIDES) :] + list(SIDES)[: number % len(SIDES)]
        for name in order:
            started = time.perf_counter()
            statuses[name].update(call(name) for _ in range(per_round))
            seconds[name] += time.perf_counter() - started
    rates = {name: per_round * args.rounds / seconds[name] for name in SIDES}
    for name in SIDES:
        print(f"  {name:<16}{rates[name]:>9.1f} req/s  {dict(statuses[name])}")
    for filing, bare in PAIRS:
        print(f"  ratio {filing} / {bare}: {rates[filing] / rates[bare]:.2f}×")
    print(f"\nWhere the time goes: ms per request, mean of {args.profile_requests} in-process")
    for name in SIDES:
        _breakdown(name, lambda name=name: call(name), args.profile_requests)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(args.profile_requests):
        call(args.profile_side)
    profiler.disable()
    print(f"\ncProfile of {args.profile_requests} × {args.profile_side}:")
    stats = pstats.Stats(profiler, stream=sys.stdout).strip_dirs()
    stats.sort_stats("cumulative").print_stats(args.profile_lines)
    stats.sort_stats("tottime").print_stats(args.profile_lines // 2)


# --- main -------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=2000, help="per side (default 2000)")
    parser.add_argument("--concurrency", type=int, default=6, help="client threads (6)")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn sync workers (3)")
    parser.add_argument("--rounds", type=int, default=20, help="alternation rounds (20)")
    parser.add_argument("--profile", action="store_true", help="in-process profile instead")
    parser.add_argument("--profile-requests", type=int, default=500)
    parser.add_argument("--profile-side", choices=list(SIDES), default="filing-token")
    parser.add_argument("--profile-lines", type=int, default=45)
    args = parser.parse_args()
    if args.requests < args.rounds or min(args.concurrency, args.workers, args.rounds) < 1:
        parser.error("--requests must be at least --rounds; counts must be positive")

    # A plain ``kill`` cleans up too: SystemExit runs the ``finally`` below.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    workdir = Path(tempfile.mkdtemp(prefix="baikoo-filing-bench-"))
    db = ThrowawayDatabase(os.environ.get("DATABASE_URL", ""), workdir)
    server: Server | None = None
    try:
        db.create()
        _setup_django(db, workdir)
        started = time.perf_counter()
        credentials = _migrate_and_seed()
        print(f"{db.engine} database ready in {time.perf_counter() - started:.1f} s")
        from django.db import connections

        if args.profile:
            profile(args, credentials)
            return 0
        connections.close_all()
        server = Server(args.workers, workdir)
        server.wait_ready()
        run = benchmark(args, credentials, server.port)
        server.stop()
        report(args, db, run)
        problems = check_database(run["results"], run["warm_201"])
        connections.close_all()
        refused = {
            name: dict(result.statuses)
            for name, result in run["results"].items()
            if set(result.statuses) != {201}
        }
        if refused:  # a ratio of refusals says nothing about filing
            problems.append(f"answers other than 201, so the ratios are void: {refused}")
        verdict = "; ".join(problems) if problems else "every 201 is stored once"
        print(f"database check: {verdict}")
        results = run["results"]
        ratios = {
            "token_ratio": results["filing-token"].rate / results["bare-token"].rate,
            "session_ratio": results["filing-session"].rate / results["bare-session"].rate,
        }
        print(json.dumps({name: round(value, 3) for name, value in ratios.items()}))
        return 1 if problems else 0
    finally:
        if server is not None:
            server.stop()
        if "django" in sys.modules and db.created:
            from django.db import connections

            connections.close_all()
        db.drop()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
