"""A member of an outgoing composition whose first day the source does not give, in a real
browser at 360 px and 1280 px: head office records the term by ticking "First day not
known" (a forgotten date is refused on the field, nothing saved); the commission page
shows it as "start not recorded"; the pages pass axe and fit the screen."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from tests.e2e.conftest import serious_axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots")


@pytest.fixture
def demo(settings):
    from django.core.management import call_command

    call_command("load_demo", stdout=io.StringIO())


def _problems(page, width: int, axe_source: str) -> list[str]:
    problems = serious_axe_violations(page, axe_source)
    if page.evaluate("document.documentElement.scrollWidth") > width + 1:
        problems.append("overflow")
    return problems


@pytest.mark.parametrize("width", [360, 1280])
def test_head_office_records_an_outgoing_member_without_a_first_day(
    browser, live_server, settings, demo, axe_source, width
):
    from commissions.models import Commission, CommissionMember

    SHOTS.mkdir(parents=True, exist_ok=True)
    cec = Commission.objects.get(level="CEC")
    # axe is injected as a script, which the CSP refuses: the test's tool bypasses it
    # (tests/e2e/test_csp.py checks the pages under the CSP).
    context = browser.new_context(viewport={"width": width, "height": 900}, bypass_csp=True)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "headoffice")
    page.fill("#id_password", settings.DEMO_PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")

    page.goto(f"{live_server.url}/commissions/{cec.pk}/?on=2021-06-29")
    assert page.locator("#composition tbody tr").count() == 4
    assert "start not recorded – 2021-06-29" in page.locator("#composition").inner_text()
    page.screenshot(path=str(SHOTS / f"commission-outgoing-{width}.png"), full_page=True)
    assert not _problems(page, width, axe_source)

    page.goto(f"{live_server.url}/commissions/{cec.pk}/members/add/")
    page.fill("#id_full_name", "Test Outgoing Member")
    page.fill("#id_term_end", "2021-06-29")
    page.click("main button[type=submit]")
    error = page.locator("#id_term_start_error, .errorlist").first.inner_text()
    assert "First day not known" in error
    assert not CommissionMember.objects.filter(full_name="Test Outgoing Member").exists()
    assert not _problems(page, width, axe_source)
    page.check("#id_start_unknown")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/commissions/{cec.pk}/")
    member = CommissionMember.objects.get(full_name="Test Outgoing Member")
    assert member.term_start is None
    context.close()
