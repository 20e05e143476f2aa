"""The RRCG channel: signatures, how answers are classified, the HTTP client, and the
stand-in receiver command (issue 5)."""

from __future__ import annotations

import json
import threading
import urllib.request
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from incidents import rrcg
from incidents.management.commands.rrcg_receiver import RRCGReceiver
from tests.incidents.triage_support import SECRET


def test_signature_is_hmac_sha256_of_the_raw_body():
    # echo -n '{"a":1}' | openssl dgst -sha256 -hmac test-rrcg-secret
    body = b'{"a":1}'
    import hashlib
    import hmac

    expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert rrcg.sign(body, SECRET) == expected
    assert rrcg.signature_valid(body, SECRET, expected)
    assert not rrcg.signature_valid(body + b" ", SECRET, expected)
    assert not rrcg.signature_valid(body, SECRET, None)
    assert not rrcg.signature_valid(body, "", expected)


@pytest.mark.parametrize(
    "code, outcome",
    [
        (200, "delivered"), (201, "delivered"), (202, "delivered"), (204, "delivered"),
        (408, "retry"), (429, "retry"), (500, "retry"), (502, "retry"), (503, "retry"),
        (504, "retry"),
        (301, "failed"), (302, "failed"), (400, "failed"), (401, "failed"), (403, "failed"),
        (404, "failed"), (409, "failed"), (410, "failed"), (422, "failed"),
    ],
)  # fmt: skip
def test_answers_are_classified(code, outcome):
    assert rrcg.classify(code, "body").outcome == outcome


def test_retry_after_is_read_from_the_answer():
    answer = rrcg.classify(429, "", {"Retry-After": "120"})
    assert answer.retry_after == 120
    assert rrcg.classify(503, "", {"Retry-After": "soon"}).retry_after is None


def test_the_encoding_is_stable():
    assert rrcg.encode({"b": 1, "a": "ä"}) == '{"a":"ä","b":1}'.encode()


class _Redirect(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802
        self.send_response(302)
        self.send_header("Location", "http://example.org/")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def test_a_redirect_is_not_followed(settings):
    server = HTTPServer(("127.0.0.1", 0), _Redirect)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        settings.RRCG_WEBHOOK_URL = f"http://127.0.0.1:{server.server_address[1]}/"
        settings.RRCG_WEBHOOK_SECRET = SECRET
        answer = rrcg.post_webhook(escalation_id="x", body=b"{}")
        assert (answer.outcome, answer.response_code) == ("failed", 302)
    finally:
        server.shutdown()
        server.server_close()


# --- the stand-in receiver ------------------------------------------------------------------


@pytest.fixture
def stand_in(tmp_path):
    receiver = RRCGReceiver(secret=SECRET, delay=0.2, log_path=tmp_path / "rrcg.jsonl").start()
    yield receiver
    receiver.stop()


def post(receiver, body: bytes, key="k-1", signature=None, path=None):
    request = urllib.request.Request(
        path or receiver.url,
        data=body,
        method="POST",
        headers={
            "Idempotency-Key": key,
            "X-Baikoo-Signature": signature or rrcg.sign(body, SECRET),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_the_receiver_accepts_a_signed_request_once_per_key(stand_in):
    assert post(stand_in, b'{"n": 1}')[1]["status"] == "accepted"
    status, answer = post(stand_in, b'{"n": 1}')
    assert (status, answer["status"]) == (200, "duplicate")
    assert stand_in.accepted_count("k-1") == 1


def test_the_receiver_refuses_a_bad_signature_with_401(stand_in):
    status, _ = post(stand_in, b"{}", signature="sha256=00")
    assert status == 401
    assert stand_in.records[0]["outcome"] == "unauthorized"


@pytest.mark.parametrize(
    "mode, code, outcome",
    [("fail", 503, "failed"), ("reject", 400, "rejected"), ("timeout", 504, "timeout")],
)
def test_the_receiver_can_be_told_to_misbehave(stand_in, mode, code, outcome):
    stand_in.set_mode(mode)
    assert post(stand_in, b"{}")[0] == code
    assert stand_in.records[-1]["outcome"] == outcome
    assert stand_in.accepted_count("k-1") == 0


def test_the_receiver_fails_the_first_requests_when_asked(stand_in):
    stand_in.set_mode("ok", fail_first=2)
    codes = [post(stand_in, b"{}")[0] for _ in range(3)]
    assert codes == [503, 503, 200]


def test_the_receiver_mode_can_be_changed_over_http(stand_in):
    base = stand_in.url.split("/rrcg/")[0]
    status, answer = post(stand_in, b'{"mode": "fail"}', path=f"{base}/__mode__")
    assert (status, answer["mode"]) == (200, "fail")
    assert post(stand_in, b"{}")[0] == 503
    with urllib.request.urlopen(f"{base}/__records__", timeout=5) as response:
        assert json.loads(response.read())[-1]["status"] == 503


def test_the_receiver_writes_json_lines(stand_in, tmp_path):
    post(stand_in, b'{"escalation_id": "e"}')
    (line,) = (tmp_path / "rrcg.jsonl").read_text().splitlines()
    record = json.loads(line)
    assert record["key"] == "k-1" and record["body"] == {"escalation_id": "e"}
    assert record["signature_valid"] is True


def test_the_command_needs_a_secret(settings):
    settings.RRCG_WEBHOOK_SECRET = ""
    with pytest.raises(CommandError, match="secret"):
        call_command("rrcg_receiver", "--port", "0")


def test_the_command_refuses_an_unknown_mode():
    with pytest.raises(CommandError):
        call_command("rrcg_receiver", "--secret", "s", "--mode", "explode")
