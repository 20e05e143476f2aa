"""``manage.py rrcg_receiver``: a stand-in for the RRCG's webhook, for local use and tests.

It checks ``X-Baikoo-Signature`` (401 when wrong), treats ``Idempotency-Key`` the way a
careful receiver would (a key seen before is answered 200 ``duplicate`` and not accepted
again), writes every request as a JSON line, and can be told how to behave:

``ok``       200 and accept
``fail``     503 (Baikoo retries)
``timeout``  hold the request ``--delay`` seconds, then 504 without accepting
``slow``     hold the request ``--delay`` seconds, then accept (the answer may come too late)
``reject``   400 (Baikoo marks the escalation failed and alerts head office)

``--fail-first N`` answers the first N requests 503 whatever the mode. The mode can be
changed while running: ``curl -X POST localhost:8765/__mode__ -d '{"mode": "fail"}'``;
``GET /__records__`` lists what was received. With ``--acknowledge-to URL`` (Baikoo's
base URL) it acknowledges each accepted escalation, signed, like the RRCG would.

Tests import ``RRCGReceiver`` and run it in a thread.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from incidents.rrcg import IDEMPOTENCY_HEADER, SIGNATURE_HEADER, sign, signature_valid

MODES = ("ok", "fail", "timeout", "slow", "reject")
MAX_BODY = 5 * 1024 * 1024


class RRCGReceiver:
    """The stand-in receiver. ``start()`` serves in a background thread (tests);
    ``serve_forever()`` in the calling one (the command)."""

    def __init__(
        self,
        *,
        secret: str,
        host: str = "127.0.0.1",
        port: int = 0,
        mode: str = "ok",
        delay: float = 30.0,
        fail_first: int = 0,
        log_path: str | Path | None = None,
        acknowledge_to: str = "",
        echo: Any = None,
    ) -> None:
        if mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}")
        self.secret = secret
        self.mode = mode
        self.delay = delay
        self.fail_first = fail_first
        self.log_path = Path(log_path) if log_path else None
        self.acknowledge_to = acknowledge_to.rstrip("/")
        self.echo = echo
        self.records: list[dict[str, Any]] = []
        self.arrivals: list[str] = []
        self.accepted: dict[str, str] = {}  # idempotency key -> our reference
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._references = itertools.count(1)
        self._thread: threading.Thread | None = None
        self.server = ThreadingHTTPServer((host, port), self._handler_class())
        self.server.daemon_threads = True

    # --- control ---------------------------------------------------------------------------

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/rrcg/escalations"

    def set_mode(self, mode: str, *, fail_first: int | None = None) -> None:
        if mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}")
        with self._lock:
            self.mode = mode
            if fail_first is not None:
                self.fail_first = fail_first

    def start(self) -> RRCGReceiver:
        self._thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self.server.serve_forever()

    def stop(self) -> None:
        self._stopping.set()
        self.server.shutdown()
        self.server.server_close()

    def accepted_count(self, key: str) -> int:
        return sum(1 for r in self.records if r["key"] == key and r["outcome"] == "accepted")

    def requests_for(self, key: str) -> list[dict[str, Any]]:
        return [r for r in self.records if r["key"] == key]

    # --- handling --------------------------------------------------------------------------

    def _decide(self, key: str) -> tuple[str, float]:
        """The outcome for one request and how long to hold it first."""
        with self._lock:
            if self.fail_first > 0:
                self.fail_first -= 1
                return "fail", 0.0
            mode = self.mode
        if mode in ("timeout", "slow"):
            return mode, self.delay
        return mode, 0.0

    def handle(self, key: str, signature: str | None, body: bytes) -> tuple[int, dict[str, Any]]:
        record: dict[str, Any] = {
            "at": time.time(),
            "key": key,
            "signature_valid": signature_valid(body, self.secret, signature),
            "size": len(body),
        }
        try:
            record["body"] = json.loads(body)
        except ValueError:
            record["body"] = None
        with self._lock:
            self.arrivals.append(key)
        if not record["signature_valid"]:
            status, answer, outcome = 401, {"error": "bad signature"}, "unauthorized"
        else:
            decision, hold = self._decide(key)
            if hold:
                self._stopping.wait(hold)
            if decision == "fail":
                status, answer, outcome = 503, {"error": "unavailable"}, "failed"
            elif decision == "reject":
                status, answer, outcome = 400, {"error": "payload refused"}, "rejected"
            elif decision == "timeout":
                status, answer, outcome = 504, {"error": "gave up"}, "timeout"
            else:
                with self._lock:
                    duplicate = key in self.accepted
                    if not duplicate:
                        self.accepted[key] = f"RRCG-{next(self._references):04d}"
                    reference = self.accepted[key]
                outcome = "duplicate" if duplicate else "accepted"
                status, answer = 200, {"status": outcome, "reference": reference}
                if not duplicate and self.acknowledge_to and record["body"]:
                    threading.Thread(
                        target=self._acknowledge, args=(record["body"], reference), daemon=True
                    ).start()
        record.update(status=status, outcome=outcome)
        self._record(record)
        return status, answer

    def _record(self, record: dict[str, Any]) -> None:
        with self._lock:
            self.records.append(record)
            if self.log_path:
                with self.log_path.open("a", encoding="utf-8") as log:
                    log.write(json.dumps(record, ensure_ascii=False) + "\n")
        if self.echo:
            self.echo(f"{record['status']} {record['outcome']} key={record['key']}")

    def _acknowledge(self, payload: dict[str, Any], reference: str) -> None:
        """Answer Baikoo the way the RRCG does: signed, with our reference."""
        time.sleep(1)
        body = json.dumps(
            {
                "escalation_id": payload.get("escalation_id"),
                "reference": reference,
                "note": "Received by the stand-in RRCG.",
            }
        ).encode()
        request = urllib.request.Request(
            self.acknowledge_to + payload.get("acknowledge_path", ""),
            data=body,
            method="POST",
            headers={"Content-Type": "application/json", SIGNATURE_HEADER: sign(body, self.secret)},
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                result = f"acknowledged: HTTP {response.status}"
        except Exception as exc:  # a stand-in: report and carry on
            result = f"acknowledgement failed: {exc}"
        if self.echo:
            self.echo(result)

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass  # the JSON lines are the log

            def _reply(self, status: int, answer: Any) -> None:
                data = json.dumps(answer).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:
                    pass  # the client gave up (timeout, killed worker)

            def _body(self) -> bytes:
                length = int(self.headers.get("Content-Length") or 0)
                return self.rfile.read(min(length, MAX_BODY))

            def do_GET(self) -> None:  # noqa: N802
                if self.path == "/__records__":
                    with receiver._lock:
                        self._reply(200, list(receiver.records))
                else:
                    self._reply(404, {"error": "not found"})

            def do_POST(self) -> None:  # noqa: N802
                body = self._body()
                if self.path == "/__mode__":
                    try:
                        options = json.loads(body or b"{}")
                        receiver.set_mode(options["mode"], fail_first=options.get("fail_first"))
                    except (ValueError, KeyError, TypeError) as exc:
                        self._reply(400, {"error": str(exc)})
                        return
                    self._reply(200, {"mode": receiver.mode, "fail_first": receiver.fail_first})
                    return
                status, answer = receiver.handle(
                    self.headers.get(IDEMPOTENCY_HEADER, ""),
                    self.headers.get(SIGNATURE_HEADER),
                    body,
                )
                self._reply(status, answer)

        return Handler


class Command(BaseCommand):
    help = "Run a stand-in RRCG webhook receiver (local use and tests)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8765)
        parser.add_argument(
            "--secret", default="", help="HMAC secret (default: RRCG_WEBHOOK_SECRET)"
        )
        parser.add_argument("--mode", choices=MODES, default="ok")
        parser.add_argument(
            "--delay", type=float, default=30.0, help="seconds held in timeout/slow mode"
        )
        parser.add_argument("--fail-first", type=int, default=0, help="answer the first N with 503")
        parser.add_argument("--log", default="", help="append each request as a JSON line here")
        parser.add_argument(
            "--acknowledge-to",
            default="",
            help="Baikoo's base URL: acknowledge each accepted escalation there",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        secret = options["secret"] or settings.RRCG_WEBHOOK_SECRET
        if not secret:
            raise CommandError("Give --secret or set RRCG_WEBHOOK_SECRET.")
        receiver = RRCGReceiver(
            secret=secret,
            host=options["host"],
            port=options["port"],
            mode=options["mode"],
            delay=options["delay"],
            fail_first=options["fail_first"],
            log_path=options["log"] or None,
            acknowledge_to=options["acknowledge_to"],
            echo=self.stdout.write,
        )
        self.stdout.write(
            f"Stand-in RRCG receiving at {receiver.url} (mode {receiver.mode}); "
            "set RRCG_WEBHOOK_URL to it. Ctrl-C stops."
        )
        try:
            receiver.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            receiver.server.server_close()
