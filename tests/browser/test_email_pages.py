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
    expect(page.get_by_role("heading", name="Email", exact=True)).to_be_visible()
    page.get_by_text("Earlier messages quoted in this email").click()
    expect(page.get_by_text("> Logged")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Quarantine").click()
    expect(page.get_by_role("heading", name="Quarantined email")).to_be_visible()
    expect(page.get_by_text("It has no sender address")).to_be_visible()
    assert_accessible(page)


def test_a_reply_is_written_sent_and_shown_on_the_case(page, council):
    inbox = ContactPoint.objects.get(address="waste@frontdoor.example")
    case = email_receive(
        raw=message(subject="Bin missed").as_bytes(), contact_point=inbox, source="smtp"
    ).case
    sign_in(page, "ava")
    page.goto(f"/staff/cases/{case.reference}/")
    expect(page.get_by_role("heading", name="Emails sent")).to_be_visible()  # the acknowledgement
    page.get_by_role("link", name="Reply by email").click()
    page.get_by_role("button", name="Send reply").click()
    expect(page.get_by_role("link", name="Enter your reply")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Your reply").fill("We will collect it on Thursday.")
    page.get_by_role("button", name="Send reply").click()
    expect(page.get_by_text("Reply queued")).to_be_visible()
    reply = f"Re: Bin missed [Ref: {case.reference}]"
    expect(page.get_by_role("heading", name=reply)).to_be_visible()
    assert_accessible(page)


def test_a_manager_tries_a_rule_on_recent_mail_then_saves_it(page, council):
    inbox = ContactPoint.objects.get(address="customer.services@frontdoor.example")
    for subject in ("Payment advice 1234", "Library opening hours"):
        raw = message(to=inbox.address, subject=subject).as_bytes()
        email_receive(raw=raw, contact_point=inbox, source="smtp")
    sign_in(page, "max")
    page.goto("/staff/routing/rules/")
    expect(page.get_by_role("cell", name="Remittance advice to Finance")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Add a rule").click()
    page.get_by_label("Rule name").fill("Payment advice")
    page.get_by_label("Subject contains").fill("payment advice")
    page.get_by_label("Send straight to department").select_option(label="Finance")
    page.get_by_role("button", name="Test against recent mail").click()
    expect(page.get_by_text("Payment advice 1234")).to_be_visible()
    expect(page.get_by_text("Library opening hours")).to_have_count(0)
    assert_accessible(page)
    page.get_by_role("button", name="Save rule").click()
    expect(page.get_by_text("Rule “Payment advice” saved")).to_be_visible()
    expect(page.get_by_role("link", name="Payment advice")).to_be_visible()
