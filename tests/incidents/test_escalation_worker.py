"""Escalation with a real Celery worker, a real beat and a real Redis (docs/escalation.md,
docs/architecture.md#guarantees).

Not eager mode: the worker and beat are subprocesses on the pytest PostgreSQL database,
the broker is a private ``redis-server`` this module starts on a free port (so stopping
it never touches anyone else's Redis), and the RRCG is the stand-in receiver in a
thread. Waits are short in the worker's environment (webhook timeout 3 s, retries after
1 s, a sweep every second), so the module runs in well under a minute.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import kombu.pools
import pytest
from django.db import connection, transaction

from incidents import tasks
from incidents.management.commands.rrcg_receiver import RRCGReceiver
from incidents.models import Alert, Escalation
from incidents.services.escalation import incident_escalate
from observation.config.celery import app
from tests.incidents.triage_support import SECRET, S, incident_in

pytestmark = [
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]

WEBHOOK_TIMEOUT = 3
CELERY = str(Path(sys.executable).with_name("celery"))
ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(check: Callable[[], bool], timeout: float, what: str, logs=()) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    tails = "\n".join(f"--- {p.name}\n{p.read_text()[-3000:]}" for p in logs if p.exists())
    raise AssertionError(f"timed out after {timeout} s waiting for {what}\n{tails}")


class Process:
    """A service subprocess in its own process group, so a kill takes its children."""

    def __init__(self, name: str, args: list[str], env: dict[str, str], log: Path) -> None:
        self.name, self.args, self.env, self.log = name, args, env, log
        self.proc: subprocess.Popen | None = None

    def start(self) -> Process:
        self.proc = subprocess.Popen(
            self.args,
            env=self.env,
            cwd=ROOT,
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        return self

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()


class Stack:
    """Redis, the receiver, a worker and beat, as a deployment runs them."""

    def __init__(self, tmp: Path, database_url: str) -> None:
        self.tmp = tmp
        self.redis_port = free_port()
        self.broker_url = f"redis://127.0.0.1:{self.redis_port}/0"
        self.receiver = RRCGReceiver(secret=SECRET, delay=WEBHOOK_TIMEOUT * 4).start()
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
        env.update(
            DATABASE_URL=database_url,
            REDIS_URL=self.broker_url,
            CONN_MAX_AGE="0",
            BAIKOO_VAR_DIR=str(tmp / "var"),
            RRCG_WEBHOOK_URL=self.receiver.url,
            RRCG_WEBHOOK_SECRET=SECRET,
            RRCG_WEBHOOK_TIMEOUT=str(WEBHOOK_TIMEOUT),
            RRCG_EMAIL_TO="",
            HEAD_OFFICE_EMAIL="",
            ESCALATION_RETRY_DELAYS="1,1,1",
            ESCALATION_SWEEP_INTERVAL="1",
            PYTHONUNBUFFERED="1",
            PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        )
        self.redis = Process(
            "redis",
            [shutil.which("redis-server") or "redis-server", "--port", str(self.redis_port),
             "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            env,
            tmp / "redis.log",
        )  # fmt: skip
        self.worker = Process(
            "worker",
            [sys.executable, str(Path(__file__).with_name("celery_worker_for_tests.py")),
             "--pool=solo", "--loglevel=INFO",
             "--without-gossip", "--without-mingle", "--without-heartbeat", "-n",
             f"triage-test-{self.redis_port}@%h"],
            env,
            tmp / "worker.log",
        )  # fmt: skip
        self.beat = Process(
            "beat",
            [CELERY, "-A", "observation", "beat", "--loglevel=INFO", "--max-interval", "1",
             "--schedule", str(tmp / "beat-schedule")],
            env,
            tmp / "beat.log",
        )  # fmt: skip
        self.logs = [self.worker.log, self.beat.log, self.redis.log]

    def redis_up(self) -> bool:
        with (
            contextlib.suppress(OSError),
            socket.create_connection(("127.0.0.1", self.redis_port), timeout=0.5) as s,
        ):
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
        return False

    def start_redis(self) -> None:
        self.redis.start()
        wait_for(self.redis_up, 10, "redis", self.logs)

    def start_worker(self) -> None:
        before = self.worker.log.read_text() if self.worker.log.exists() else ""
        self.worker.start()
        wait_for(
            lambda: self.worker.log.read_text().count(" ready.") > before.count(" ready."),
            60,
            "the worker to be ready",
            self.logs,
        )

    def stop(self) -> None:
        for process in (self.worker, self.beat, self.redis):
            process.stop()
        self.receiver.stop()


@pytest.fixture(scope="module")
def stack(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[Stack]:
    db = connection.settings_dict
    database_url = (
        f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}"
    )
    running = Stack(tmp_path_factory.mktemp("celery"), database_url)
    try:
        running.start_redis()
        running.beat.start()
        running.start_worker()
        yield running
    finally:
        running.stop()


@pytest.fixture
def live(stack: Stack, settings) -> Iterator[Stack]:
    """This process publishes to the private Redis, not eagerly; the receiver starts
    every test empty and well-behaved."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.RRCG_WEBHOOK_URL = stack.receiver.url
    settings.RRCG_WEBHOOK_SECRET = SECRET
    settings.RRCG_WEBHOOK_TIMEOUT = WEBHOOK_TIMEOUT
    settings.RRCG_EMAIL_TO = []
    settings.ESCALATION_RETRY_DELAYS = [1, 1, 1]
    previous = app.conf.broker_url
    app.conf.task_always_eager = False
    _use_broker(stack.broker_url)
    stack.receiver.set_mode("ok", fail_first=0)
    stack.receiver.records.clear()
    stack.receiver.accepted.clear()
    stack.receiver.arrivals.clear()
    yield stack
    _use_broker(previous)


def _use_broker(url: str) -> None:
    # kombu keeps connection and producer pools in global registries: drop them all so the
    # next publish connects afresh (to the new URL, or to a Redis that was restarted).
    app.conf.broker_url = url
    kombu.pools.reset()
    app._pool = None
    app.amqp._producer_pool = None


def escalate(world) -> Escalation:
    incident = incident_in(world, S.VERIFIED)
    return incident_escalate(actor=world.user("headoffice"), incident=incident, reason="Urgent")


def status_of(row: Escalation) -> str:
    return Escalation.objects.get(pk=row.pk).status


def delivered(row: Escalation, stack: Stack, timeout: float = 30) -> None:
    wait_for(lambda: status_of(row) == "delivered", timeout, "the delivery", stack.logs)


def test_escalating_delivers_through_the_worker(world, live):
    row = escalate(world)
    delivered(row, live)
    assert live.receiver.accepted_count(str(row.pk)) == 1
    assert list(
        Escalation.objects.get(pk=row.pk).attempts.values_list("response_code", flat=True)
    ) == [200]


def test_5xx_then_2xx_is_delivered_with_every_attempt_recorded(world, live):
    live.receiver.set_mode("ok", fail_first=2)
    row = escalate(world)
    delivered(row, live)
    attempts = list(
        Escalation.objects.get(pk=row.pk).attempts.values_list("response_code", "outcome")
    )
    assert attempts == [(503, "retry"), (503, "retry"), (200, "delivered")]
    assert live.receiver.accepted_count(str(row.pk)) == 1


def test_a_4xx_fails_without_a_retry_loop(world, live):
    live.receiver.set_mode("reject")
    row = escalate(world)
    wait_for(lambda: status_of(row) == "failed", 20, "the failure", live.logs)
    time.sleep(3)  # three sweeps go by: none of them sends it again
    assert len(live.receiver.requests_for(str(row.pk))) == 1
    assert Escalation.objects.get(pk=row.pk).attempts.count() == 1
    assert Alert.objects.filter(escalation=row, kind="escalation_failed").count() == 1


def test_a_rolled_back_escalation_sends_nothing(world, live):
    incident = incident_in(world, S.VERIFIED)
    with pytest.raises(RuntimeError), transaction.atomic():
        incident_escalate(actor=world.user("headoffice"), incident=incident, reason="x")
        raise RuntimeError("rolled back")
    time.sleep(3)
    assert not Escalation.objects.exists()
    assert live.receiver.arrivals == []


def test_the_same_task_run_twice_delivers_once(world, live):
    row = escalate(world)  # queued once after commit …
    tasks.deliver_escalation.delay(str(row.pk))  # … and twice more
    tasks.deliver_escalation.delay(str(row.pk))
    delivered(row, live)
    time.sleep(2)
    assert len(live.receiver.requests_for(str(row.pk))) == 1
    assert Escalation.objects.get(pk=row.pk).attempts.count() == 1


def test_redis_down_while_escalating_then_back(world, live, client):
    live.redis.kill()
    assert not live.redis_up()
    incident = incident_in(world, S.VERIFIED)
    client.force_login(world.user("headoffice"))
    started = time.monotonic()
    response = client.post(
        f"/triage/incidents/{incident.pk}/escalate/",
        {"reason": "Cash for votes.", "version": incident.version},
    )
    elapsed = time.monotonic() - started
    assert response.status_code == 302
    assert elapsed < 3, f"escalating took {elapsed:.1f} s with Redis down"
    row = Escalation.objects.get(incident=incident)
    time.sleep(2)
    assert status_of(row) == "pending"  # nothing could carry it yet
    live.start_redis()  # empty: the message published at escalation is gone for good
    delivered(row, live, timeout=60)  # the beat's sweep found the row
    assert live.receiver.accepted_count(str(row.pk)) == 1


def test_worker_killed_mid_delivery_then_restarted_delivers_exactly_once(world, live):
    live.receiver.set_mode("slow")  # holds the request longer than the worker waits
    row = escalate(world)
    key = str(row.pk)
    wait_for(lambda: key in live.receiver.arrivals, 20, "the first request", live.logs)
    live.worker.kill()  # SIGKILL while the request is in flight
    claimed = Escalation.objects.get(pk=row.pk)
    assert claimed.status == "pending" and claimed.claimed_at is not None
    live.receiver.set_mode("ok")
    live.start_worker()
    delivered(row, live, timeout=60)
    time.sleep(2)
    final = Escalation.objects.get(pk=row.pk)
    outcomes = list(final.attempts.order_by("started_at").values_list("outcome", "error"))
    assert outcomes[0] == ("retry", "The worker stopped before this attempt's answer was recorded.")
    assert [o for o, _ in outcomes].count("delivered") == 1
    # the RRCG took it once; the request cut off by the kill can only ever be a duplicate
    assert live.receiver.accepted_count(key) == 1
