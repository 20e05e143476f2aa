"""Real-browser tests: Debian's Chromium driven by Playwright (never a downloaded build)."""

from __future__ import annotations

import pytest

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
