"""Fuzz the API with schemathesis and fail on any 5xx (docs/development.md#ci).

Migrates the database that ``DATABASE_URL`` names (SQLite by default), loads the demo
data, starts gunicorn on a free local port, signs in as head office and as an LTO through
``POST /api/v1/auth/token/``, then runs ``schemathesis run`` against ``/api/schema/`` once
per token with the ``not_a_server_error`` check, bounded in examples and time.

    .venv/bin/python .ci/schemathesis_run.py                 # defaults below
    .venv/bin/python .ci/schemathesis_run.py --max-examples 5 --max-time 30 --seed 1

Exit status 0 when no operation answered 5xx; otherwise schemathesis' failure report is
printed and the status is 1. The server's log is ``var/schemathesis-gunicorn.log``.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
# Signing out revokes the token the rest of the run needs; it is tested in tests/.
EXCLUDED_PATHS = r"/auth/logout/"
PRINCIPALS = ("headoffice", "lto-bishkek-1")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _manage(*args: str, env: dict[str, str]) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)


def _wait_for(url: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except urllib.error.HTTPError:
            return  # the server answers (401 on a schema that needs a sign-in)
        except OSError:
            if time.monotonic() > deadline:
                raise SystemExit(f"The server did not answer at {url}.") from None
            time.sleep(0.5)


def _token(base: str, username: str, password: str) -> str:
    request = urllib.request.Request(
        f"{base}/api/v1/auth/token/",
        data=json.dumps({"username": username, "password": password}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.load(answer)["token"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-examples", type=int, default=15, help="cases per operation")
    parser.add_argument("--max-time", type=int, default=100, help="seconds per principal")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--seed", type=int, default=None, help="schemathesis seed")
    parser.add_argument("--skip-setup", action="store_true", help="no migrate / load_demo")
    args = parser.parse_args()

    # Production-like answers (no debug pages); a secret, so the RRCG's acknowledgement
    # answers 401 to unsigned requests instead of its documented 503 "not configured".
    env = {
        **os.environ,
        "PRODUCTION": "false",
        "DEBUG": "false",
        "RRCG_WEBHOOK_SECRET": os.environ.get("RRCG_WEBHOOK_SECRET") or "schemathesis-secret",
        # The fuzzer sends many wrong passwords to auth/token/ from one address; the next
        # principal's sign-in must not be refused for them (docs/roles.md#signing-in).
        "LOGIN_ADDRESS_FAILURE_LIMIT": "1000000",
    }
    if not args.skip_setup:
        _manage("migrate", "--noinput", "-v0", env=env)
        _manage("load_demo", env=env)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    log_path = ROOT / "var" / "schemathesis-gunicorn.log"
    log_path.parent.mkdir(exist_ok=True)
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "observation.config.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(args.workers),
                "--timeout",
                "60",
                "--access-logfile",
                "-",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    failed = []
    try:
        _wait_for(f"{base}/api/schema/", 60)
        password = env.get("DEMO_PASSWORD") or "observe-2021"
        for username in PRINCIPALS:
            token = _token(base, username, password)
            print(f"\n== schemathesis as {username}", flush=True)
            command = [
                str(BIN / "schemathesis"),
                "run",
                f"{base}/api/schema/",
                "--url",
                base,
                "--header",
                f"Authorization: Token {token}",
                "--checks",
                "not_a_server_error",
                "--max-examples",
                str(args.max_examples),
                "--max-time",
                str(args.max_time),
                "--exclude-path-regex",
                EXCLUDED_PATHS,
                # one worker: schemathesis' own schema walking is not thread-safe on 3.11
                "--workers",
                "1",
                "--suppress-health-check",
                "all",
                "--request-timeout",
                "30",
                "--generation-database",
                "none",
                "--no-color",
            ]
            if args.seed is not None:
                command += ["--seed", str(args.seed)]
            if subprocess.run(command, cwd=ROOT, env=env).returncode != 0:
                failed.append(username)
    finally:
        server.terminate()
        server.wait(timeout=30)
    if failed:
        print(f"\nschemathesis found failures as: {', '.join(failed)} (server log: {log_path})")
        return 1
    print("\nschemathesis: no server error")
    return 0


if __name__ == "__main__":
    sys.exit(main())
