"""The email parts of the console in a real browser, checked with axe-core."""

import pytest
from playwright.sync_api import expect

from frontdoor.directory.models import ContactPoint
from frontdoor.intake.email.services import email_receive
from tests.browser.conftest import assert_accessible
from tests.browser.test_advisor_journey import sign_in
from tests.intake.email.mail import message

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_emailed_case_and_the_quarantine_read_well(page, council):
    inbox = ContactPoint.objects.get(address="waste@frontdoor.example")
    mail = message(
        subject="Bin missed again",
        html="<p>Bin <b>missed</b> again</p>",
        body="Bin missed again\n\nOn Mon, Council wrote:\n> Logged",
    )
    case = email_receive(raw=mail.as_bytes(), contact_point=inbox, source="smtp").case
    email_receive(raw=b"Subject: ?\r\n\r\n?", contact_point=inbox, source="import")

    sign_in(page, "tess")
    page.goto(f"/staff/cases/{case.reference}/")
    expect(page.get_by_role("heading", name="Email")).to_be_visible()
    page.get_by_text("Earlier messages quoted in this email").click()
    expect(page.get_by_text("> Logged")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Quarantine").click()
    expect(page.get_by_role("heading", name="Quarantined email")).to_be_visible()
    expect(page.get_by_text("It has no sender address")).to_be_visible()
    assert_accessible(page)
