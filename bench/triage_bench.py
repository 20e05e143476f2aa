"""Benchmark: every list, queue, search, dashboard and detail page, and the API's lists, at
a small and a large number of incidents in one run (docs/benchmarks.md#triage).

    .venv/bin/python bench/triage_bench.py                       # throwaway SQLite file
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python bench/triage_bench.py                   # throwaway PostgreSQL database
    .venv/bin/python bench/triage_bench.py --small 1000 --large 20000 --requests 30

Budget: "every page and API list answers at 100,000 incidents with a p95 at most 1.5×
its p95 at 1,000 incidents, in the same run, and under 150 ms on a quiet machine."

What it does, in one run:

1. Makes a throwaway database as ``bench/filing_bench.py`` does (a SQLite file, or a new
   ``baikoo_bench_<pid>`` database on the PostgreSQL server of DATABASE_URL), migrates it
   and fills it with ``manage.py generate_scale_data --incidents SMALL`` (national-scale
   reference data, the demo sign-ins).
2. Copies that database and grows the copy to ``--large`` incidents with the same
   command (VACUUM ANALYZE after each load, as autovacuum would do after a load this
   size), so both hold the same sign-ins, sessions and sampled ids.
3. Starts two gunicorns (``--workers`` sync workers each, DEBUG off, the project's
   settings) as ``filing_bench.py`` does, one on each database, and requests every
   target ``--requests`` times from one client thread: targets interleaved in rounds,
   and for each request the two sizes one after the other (in turn first), so that a
   change of load on the machine during the run hits both sizes alike; after a warm-up.
4. Prints a table (p50/p95 at both sizes, growth = p95 large / p95 small) and, as its
   last line, one JSON object ``{"worst_growth": x, "worst_p95_ms": y, "worst": "..."}``
   (the target with the largest growth and the largest p95 at the large size).
5. Stops the servers and drops both databases, also on Ctrl-C, a ``kill`` or an error.

Besides the named targets, ``--walk`` (on by default) finds every other page the way a
person does: for each role, the links of its navigation and up to three links of each of
those pages (as ``tests/e2e/test_accessibility.py`` walks them for axe), and every GET
operation of the API schema that lists something (no path parameter, no required query
parameter), read with head office's token. Their names start with ``walk:``. Downloads
and exports are left out (they are files, not pages).

A search's cost follows the number of matches: the targets search for one reference and
for a name (few matches at any size); ``search, common word`` matches one incident in
about fifteen, so it grows with the data by nature and is printed apart from the budget.
Benchmarks print; no test asserts a time.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import signal
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.filing_bench import Server, ThrowawayDatabase, _setup_django  # noqa: E402

COMMON_WORD = "search, common word"
"""A target outside the budget (its matches grow with the data)."""


@dataclass
class Target:
    name: str
    role: str  # a demo sign-in; "token" for the API with headoffice's token
    path: str


def _targets(sample: dict[str, str]) -> list[Target]:
    """What point 1 of the budget names, for the roles that see it."""
    s = sample
    return [
        Target("home, head office", "headoffice", "/"),
        Target("triage, default", "headoffice", "/triage/"),
        Target("triage, status filter", "headoffice", "/triage/?status=submitted"),
        Target("triage, district+sort", "headoffice",
               f"/triage/?district={s['district']}&sort=-occurred_at"),
        Target("triage, search ref", "headoffice", f"/triage/?q={s['ref']}"),
        Target("triage, search name", "headoffice", f"/triage/?q={s['name']}"),
        Target(COMMON_WORD, "headoffice", "/triage/?q=%D1%80%D1%8B%D0%BD%D0%BE%D0%BA"),
        Target("triage, incident page", "headoffice", f"/triage/incidents/{s['incident']}/"),
        Target("alerts", "headoffice", "/triage/alerts/"),
        Target("dashboard, analyst", "analyst", "/dashboard/"),
        Target("home, analyst", "analyst", "/"),
        Target("home, legal", "legal", "/"),
        Target("home, coordinator", "coordinator-bishkek", "/"),
        Target("my reports, LTO", "lto-bishkek-1", "/incidents/mine/"),
        Target("incident, LTO", "lto-bishkek-1", f"/incidents/{s['own']}/"),
        Target("LTO form page", "lto-bishkek-1",
               f"/incidents/new/vote_buying/?draft={s['draft']}"),
        Target("API incidents p50", "token", "/api/v1/incidents/?page_size=50"),
        Target("API incidents search", "token", f"/api/v1/incidents/?search={s['ref']}"),
        Target("API incidents filter", "token", "/api/v1/incidents/?status=verified&page_size=50"),
        Target("API incident detail", "token", f"/api/v1/incidents/{s['incident']}/"),
        Target("API triage-queue", "token", "/api/v1/triage-queue/"),
        Target("API triage-queue q", "token", f"/api/v1/triage-queue/?q={s['ref']}"),
        Target("API escalations", "token", "/api/v1/escalations/"),
        Target("API commissions", "token", "/api/v1/commissions/?page_size=50"),
    ]  # fmt: skip


ROLES = ["headoffice", "analyst", "legal", "coordinator-bishkek", "lto-bishkek-1"]
NOT_PAGES = re.compile(
    r"^/(admin|api|accounts/logout|static|media|sw\.js|i18n)|download|export|evidence/"
    r"|\.(csv|xlsx|pdf|docx|json)$"
)
"""Links the walk does not follow (the same as the axe walk's): files, sign-out, admin."""
LINKS_PER_PAGE = 3
MAX_WALK_PER_ROLE = 40


class _Links(HTMLParser):
    """The ``href``s inside ``<nav id="site-nav">`` and inside ``<main>``."""

    def __init__(self) -> None:
        super().__init__()
        self.nav: list[str] = []
        self.main: list[str] = []
        self._stack: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attrs = dict(attrs)
        if tag == "nav" and attrs.get("id") == "site-nav":
            self._stack.append("nav")
        elif tag == "main":
            self._stack.append("main")
        elif tag in ("nav",):
            self._stack.append("")
        if tag == "a" and attrs.get("href") and self._stack:
            where = next((w for w in reversed(self._stack) if w), "")
            if where:
                getattr(self, where).append(attrs["href"])

    def handle_endtag(self, tag: str) -> None:
        if tag in ("nav", "main") and self._stack:
            self._stack.pop()


def _page_links(html: str, hrefs: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    found = []
    for href in getattr(parser, hrefs):
        if href.startswith(("#", "mailto:", "tel:", "javascript:")):
            continue
        url = urlparse(urljoin("http://bench/", href))
        if url.netloc != "bench" or NOT_PAGES.search(url.path) or "page=" in url.query:
            continue
        found.append(url.path + (f"?{url.query}" if url.query else ""))
    return list(dict.fromkeys(found))


def _fetch(port: int, path: str, headers: dict[str, str]) -> tuple[int, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        connection.close()


def _walk(port: int, headers: dict[str, dict[str, str]], named: list[Target]) -> list[Target]:
    """Every page each role reaches from its navigation, one link deep, and every API
    list operation of the schema: the targets the named ones do not already cover."""
    covered = {(t.role, t.path) for t in named}
    found: list[Target] = []
    for role in ROLES:
        status, html = _fetch(port, "/", headers[role])
        start = ["/", *_page_links(html, "nav")]
        queue, seen = list(start), set()
        while queue and len(seen) < MAX_WALK_PER_ROLE:
            path = queue.pop(0)
            if path in seen:
                continue
            seen.add(path)
            status, html = _fetch(port, path, headers[role])
            if status != 200:
                continue
            if (role, path) not in covered:
                found.append(Target(f"walk: {role} {path}", role, path))
            if path in start:
                queue += _page_links(html, "main")[:LINKS_PER_PAGE]
    for path in _api_lists():
        if ("token", path) not in covered:
            found.append(Target(f"walk: API {path}", "token", path))
    return found


def _api_lists() -> list[str]:
    """The API's GET operations that take no path parameter and no required query
    parameter, from the schema the project publishes."""
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    paths = []
    for path, operations in schema["paths"].items():
        get = operations.get("get")
        if not get or "{" in path or "schema" in path:
            continue
        if any(p.get("required") for p in get.get("parameters", []) if p.get("in") == "query"):
            continue
        paths.append(path)
    return sorted(paths)


def _generate(count: int) -> float:
    from django.core.management import call_command
    from django.db import connection

    started = time.perf_counter()
    call_command("generate_scale_data", "--incidents", str(count), verbosity=0)
    if connection.vendor == "postgresql":
        # VACUUM as well as ANALYZE, as autovacuum does after a load of this size: else it
        # starts during the measurement of the large size only (and the visibility map
        # that index-only scans read is empty there).
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    return time.perf_counter() - started


def _credentials() -> dict[str, dict[str, str]]:
    """A session cookie per role, and headoffice's API token."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client
    from rest_framework.authtoken.models import Token

    headers: dict[str, dict[str, str]] = {}
    User = get_user_model()
    for username in ROLES:
        client = Client()
        client.force_login(User.objects.get(username=username))
        cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
        headers[username] = {"Cookie": f"{settings.SESSION_COOKIE_NAME}={cookie}"}
    token, _ = Token.objects.get_or_create(user=User.objects.get(username="headoffice"))
    headers["token"] = {"Authorization": f"Token {token.key}", "Accept": "application/json"}
    return headers


def _sample() -> dict[str, str]:
    """Ids and words the targets ask for, taken from the data at the small size and kept
    for the large one (the same requests at both sizes)."""
    from urllib.parse import quote

    from incidents.models import Incident
    from observation.models import Candidate, District

    lto_own = Incident.objects.filter(reported_by__username="lto-bishkek-1").order_by("ref")
    incident = Incident.objects.order_by("ref").first()
    own = lto_own.first() or incident  # at a very small size the LTO may have none: a 404
    name = Candidate.objects.order_by("pk").values_list("full_name", flat=True).first() or "x"
    return {
        "incident": str(incident.pk),
        "own": str(own.pk),
        "ref": incident.ref,
        "name": quote(name.split()[0]),
        "district": str(District.objects.order_by("pk").values_list("pk", flat=True).first()),
        "draft": str(uuid.uuid4()),  # the form's id, in its address (an unsent draft)
    }


def _get(port: int, path: str, headers: dict[str, str]) -> tuple[int, int]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request("GET", path, headers={"Accept-Encoding": "gzip", **headers})
        response = connection.getresponse()
        return response.status, len(response.read())
    finally:
        connection.close()


def _measure(
    ports: dict[str, int], targets: list[Target], headers: dict[str, dict[str, str]],
    requests: int, warmup: int,
) -> dict[str, dict[str, dict[str, float]]]:  # fmt: skip
    """Each target ``requests`` times on each server (``ports``: size -> port), targets
    interleaved round by round and the sizes one after the other for each request, in
    turn first, so that a change of load on the machine hits both sizes alike."""
    sizes = list(ports)
    times = {size: {t.name: [] for t in targets} for size in sizes}
    answer_bytes: dict[str, dict[str, int]] = {size: {} for size in sizes}
    problems: dict[str, dict[str, int]] = {size: {} for size in sizes}
    for _ in range(warmup):
        for t in targets:
            for size in sizes:
                _get(ports[size], t.path, headers[t.role])
    for round_ in range(requests):
        order = sizes if round_ % 2 == 0 else sizes[::-1]
        for t in targets:
            for size in order:
                started = time.perf_counter()
                status, length = _get(ports[size], t.path, headers[t.role])
                times[size][t.name].append(time.perf_counter() - started)
                answer_bytes[size][t.name] = length
                if status != 200:
                    problems[size][t.name] = status
    result: dict[str, dict[str, dict[str, float]]] = {size: {} for size in sizes}
    for size in sizes:
        for name, values in times[size].items():
            ordered = sorted(values)

            def pick(p: float, ordered: list[float] = ordered) -> float:
                return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] * 1000

            result[size][name] = {
                "p50": pick(50),
                "p95": pick(95),
                "bytes": answer_bytes[size].get(name, 0),
                "status": problems[size].get(name, 200),
            }
    return result


def _use(db: ThrowawayDatabase) -> None:
    """Point this process's Django at ``db`` (to fill it)."""
    from django.db import connections

    connections.close_all()
    connections["default"].settings_dict["NAME"] = db.name if db.base else str(db.path)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", type=int, default=1000, help="incidents first (1000)")
    parser.add_argument("--large", type=int, default=100_000, help="then (100000)")
    parser.add_argument("--requests", type=int, default=40, help="per target and size (40)")
    parser.add_argument("--warmup", type=int, default=3, help="warm-up rounds (3)")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn sync workers (3)")
    parser.add_argument("--no-walk", dest="walk", action="store_false",
                        help="only the named targets, not every page and API list")  # fmt: skip
    args = parser.parse_args()
    if not 0 < args.small < args.large or args.requests < 1:
        parser.error("need 0 < --small < --large and --requests >= 1")

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    workdir = Path(tempfile.mkdtemp(prefix="baikoo-triage-bench-"))
    db = ThrowawayDatabase(os.environ.get("DATABASE_URL", ""), workdir)
    grown: ThrowawayDatabase | None = None
    servers: list[Server] = []
    try:
        db.create()
        _setup_django(db, workdir)
        from django.core.management import call_command
        from django.db import connections

        started = time.perf_counter()
        call_command("migrate", interactive=False, verbosity=0)
        seconds = _generate(args.small)
        print(f"{db.engine}: migrated and {args.small} incidents generated in "
              f"{time.perf_counter() - started:.1f} s ({seconds:.1f} s for the data)")  # fmt: skip
        headers = _credentials()
        targets = _targets(_sample())
        # The large size is a copy of the small one grown to LARGE incidents: the same
        # sign-ins, sessions, token and sampled ids, asked of both in the same rounds.
        connections.close_all()
        grown = db.copy("large")
        _use(grown)
        seconds = _generate(args.large)
        print(f"copied and grown to {args.large} incidents in {seconds:.1f} s")
        _use(db)
        ports = {}
        for size, database in (("small", db), ("large", grown)):
            os.environ["DATABASE_URL"] = database.url
            (workdir / size).mkdir()
            servers.append(Server(args.workers, workdir / size))
            ports[size] = servers[-1].port
        os.environ["DATABASE_URL"] = db.url
        for server in servers:
            server.wait_ready()
        if args.walk:
            found = _walk(ports["small"], headers, targets)
            connections.close_all()
            print(f"walk: {len(found)} more pages and API lists found")
            targets += found
        load = [os.getloadavg()[0]]
        measured = _measure(ports, targets, headers, args.requests, args.warmup)
        load.append(os.getloadavg()[0])
        for server in servers:
            server.stop()
        return report(args, db, targets, measured["small"], measured["large"], load)
    finally:
        for server in servers:
            server.stop()
        if "django" in sys.modules and db.created:
            from django.db import connections

            connections.close_all()
        if grown is not None:
            grown.drop()
        db.drop()
        shutil.rmtree(workdir, ignore_errors=True)


def report(args, db, targets, small, large, load) -> int:
    print(f"\ntriage bench: {db.engine}, gunicorn {args.workers} sync worker(s), one client "
          f"thread, {args.requests} requests per target and size, the two sizes on two "
          f"servers asked in turn; load average {load[0]:.1f} / {load[1]:.1f} (start, end) "
          f"on {os.cpu_count()} CPUs")  # fmt: skip
    s, la = f"{args.small:,}", f"{args.large:,}"
    width = max(26, *(len(t.name) + 2 for t in targets))
    print(f"{'target':<{width}}{s + ' p50':>12}{'p95':>8}{la + ' p50':>14}{'p95':>8}"
          f"{'growth':>8}{'KB small':>10}{'large':>7}  status")  # fmt: skip
    worst = ("", 0.0)
    slowest = ("", 0.0)
    failed = []
    for t in targets:
        a, b = small[t.name], large[t.name]
        growth = b["p95"] / a["p95"] if a["p95"] else 0.0
        status = "ok" if a["status"] == b["status"] == 200 else f"{a['status']}/{b['status']}"
        if status != "ok":
            failed.append(t.name)
        mark = "  (outside the budget)" if t.name == COMMON_WORD else ""
        print(f"{t.name:<{width}}{a['p50']:>12.1f}{a['p95']:>8.1f}{b['p50']:>14.1f}{b['p95']:>8.1f}"
              f"{growth:>7.2f}×{a['bytes'] / 1024:>10.1f}{b['bytes'] / 1024:>7.1f}"
              f"  {status}{mark}")  # fmt: skip
        if t.name == COMMON_WORD:
            continue
        if growth > worst[1]:
            worst = (t.name, growth)
        if b["p95"] > slowest[1]:
            slowest = (t.name, b["p95"])
    if failed:
        print(f"not 200: {', '.join(failed)}")
    print(f"worst growth: {worst[0]} {worst[1]:.2f}× (budget ≤ 1.5×); largest p95 at "
          f"{la}: {slowest[0]} {slowest[1]:.0f} ms (budget < 150 ms, quiet machine)")  # fmt: skip
    print(json.dumps({"worst_growth": round(worst[1], 2), "worst_p95_ms": round(slowest[1], 1),
                      "worst": worst[0]}, ensure_ascii=False))  # fmt: skip
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
