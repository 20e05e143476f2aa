"""Real-browser tests: Debian's Chromium driven by Playwright (never a downloaded build)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import REQUIRE_SERVICES, close_stray_connections

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
"""axe-core from npm (package.json; `npm ci`), injected into pages by the browser tests."""

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(autouse=True)
def _allow_orm_beside_playwright(monkeypatch):
    # Playwright's sync API runs an event loop in this thread; Django would otherwise
    # refuse ORM calls made by the test itself. Scoped to browser tests only: anywhere
    # else the variable would switch off a safety check (and check --deploy flags it).
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def _close_connections_of_the_event_loop():
    yield
    close_stray_connections()


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def wait_for_js(page, expression: str, arg=None, timeout: float = 10000) -> None:
    """Wait until ``expression`` (a JavaScript expression, a promise allowed; or a function
    of ``arg``) is truthy.

    Playwright's ``wait_for_function`` compiles its predicate with ``eval`` inside the page,
    which Baikoo's Content-Security-Policy refuses (no 'unsafe-eval', docs/configuration.md);
    ``page.evaluate`` goes through the debugging protocol, which the policy does not
    govern, so it is polled instead."""
    import time

    deadline = time.monotonic() + timeout / 1000
    while not page.evaluate(expression, arg):
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout} ms: {expression}")
        page.wait_for_timeout(100)


@pytest.fixture
def axe_source() -> str:
    """axe-core's source; without `npm ci` the test skips (fails under
    BAIKOO_REQUIRE_SERVICES, as CI sets)."""
    if not AXE.exists():
        message = f"needs axe-core at {AXE}: run `npm ci --no-audit --no-fund`"
        if REQUIRE_SERVICES:
            pytest.fail(f"BAIKOO_REQUIRE_SERVICES is set but this test {message}")
        pytest.skip(message)
    return AXE.read_text()


def serious_axe_violations(page, axe_source: str) -> list[str]:
    """The ids of axe's serious and critical violations on ``page``."""
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.add_script_tag(content=axe_source)
    violations = page.evaluate(
        "axe.run(document, {resultTypes: ['violations']}).then(r => r.violations.map(v => ("
        "{id: v.id, impact: v.impact})))"
    )
    return [v["id"] for v in violations if v["impact"] in ("serious", "critical")]
