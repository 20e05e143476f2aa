"""The Content-Security-Policy in a real browser (docs/configuration.md): the main pages
of every role, the API docs and the Django admin load with no CSP violation in the
console, and what runs on them still runs (htmx, the offline queue's script, Swagger UI)."""

from __future__ import annotations

import io

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The main pages of each role (their navigation, plus the pages a role works on).
PAGES = {
    "lto-bishkek-1": ["/", "/incidents/new/", "/incidents/mine/", "/elections/", "/parties/"],
    "coordinator-bishkek": ["/", "/incidents/mine/", "/party-meetings/"],
    "headoffice": [
        "/",
        "/triage/",
        "/triage/alerts/",
        "/commissions/",
        "/audit/",
        "/accounts/locks/",
        "/accounts/password/",
        "/api/docs/",
    ],
    "legal": ["/", "/triage/", "/commissions/"],
    "analyst": ["/", "/reports/", "/candidates/import/", "/parties/"],
    "admin": ["/", "/audit/", "/admin/", "/admin/observation/observerprofile/"],
}


@pytest.fixture
def demo_data():
    from observation import demo

    demo.load(stdout=io.StringIO())


def _violations_while(page, action) -> list[str]:
    seen: list[str] = []

    def collect(message) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            seen.append(message.text)

    page.on("console", collect)
    action()
    page.remove_listener("console", collect)
    return seen


def _sign_in(page, live_server, settings, username: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", settings.DEMO_PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


@pytest.mark.parametrize("username", list(PAGES))
def test_main_pages_of_each_role_break_no_csp_rule(
    browser, live_server, settings, demo_data, username
):
    page = browser.new_page()
    violations: list[str] = []
    violations += _violations_while(page, lambda: _sign_in(page, live_server, settings, username))
    for path in PAGES[username]:
        response = None

        def visit(path=path):
            nonlocal response
            response = page.goto(f"{live_server.url}{path}")
            page.wait_for_load_state("networkidle")

        violations += [f"{path}: {v}" for v in _violations_while(page, visit)]
        assert response.status == 200, path
        assert "default-src 'self'" in response.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
        assert "unsafe-inline" not in response.headers["content-security-policy"]
        assert "unsafe-eval" not in response.headers["content-security-policy"]
        if path == "/":
            # htmx loaded, configured not to inject its indicator <style>.
            assert page.evaluate("htmx.config.includeIndicatorStyles") is False
            assert page.locator("style").count() == 0
        if path == "/api/docs/":
            # Swagger UI ran: its script is a file, served by the split view.
            page.wait_for_selector(".swagger-ui .info .title")
        if path.startswith("/incidents/"):
            # The offline queue's module ran and registered the service worker.
            registered = "navigator.serviceWorker.getRegistrations().then(r => r.length)"
            assert page.evaluate(registered) > 0, path
    assert not violations, "\n".join(violations)
