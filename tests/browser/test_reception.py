"""The reception queue in real browsers: a member of staff issues a ticket and calls it, and
the waiting-room screen, open in a second browser with no one signed in, follows along
without reloading. Both screens pass axe-core."""

import pytest
from playwright.sync_api import expect

from frontdoor.cases.models import Contact
from frontdoor.directory.models import ContactPoint
from tests.browser.conftest import assert_accessible
from tests.browser.test_advisor_journey import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def waiting_room(browser, live_server):
    context = browser.new_context(base_url=live_server.url)
    screen = context.new_page()
    screen.set_default_timeout(15_000)  # it asks every 4 seconds
    yield screen
    context.close()


def test_a_visitor_is_issued_a_ticket_called_served_and_shown_in_the_waiting_room(
    page, waiting_room, council
):
    desk = ContactPoint.objects.get(name="Civic Centre reception")
    sign_in(page, "ava")
    page.get_by_role("link", name="Front desk").click()
    expect(page.get_by_role("heading", name="Civic Centre reception")).to_be_visible()
    page.get_by_role("button", name="Issue ticket").click()  # no service chosen
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Choose the service the visitor has come about"
    )
    assert_accessible(page)
    page.get_by_role("radio", name="Council Tax").check()
    page.get_by_label("Visitor's name (optional)").fill("Jo Bloggs")
    page.get_by_role("button", name="Issue ticket").click()
    expect(page.get_by_text("Ticket C001 issued for Council Tax")).to_be_visible()
    expect(page.locator("#desk-now")).to_contain_text("Jo Bloggs")
    assert_accessible(page)

    waiting_room.goto(f"/reception/{desk.pk}/")
    expect(waiting_room.get_by_role("heading", name="Civic Centre reception")).to_be_visible()
    council_tax = waiting_room.get_by_role("row").filter(has_text="Council Tax")
    expect(council_tax).to_contain_text("1")
    expect(council_tax).to_contain_text("Not enough recent visits to estimate")
    expect(waiting_room.get_by_text("No one is being called just now")).to_be_visible()
    assert "Jo Bloggs" not in waiting_room.content()
    assert_accessible(waiting_room)
    waiting_room.evaluate("window.notReloaded = true")

    page.get_by_label("Your counter").fill("Desk 2")
    page.get_by_role("button", name="Call next").click()
    expect(page.get_by_text("Ticket C001 (Council Tax) called to Desk 2")).to_be_visible()
    calling = waiting_room.get_by_role("row").filter(has_text="C001")
    expect(calling).to_contain_text("Please go to Desk 2")
    expect(waiting_room.locator("#display-announce")).to_have_text(
        "Ticket C001, please go to Desk 2."
    )
    expect(council_tax).to_contain_text("No queue")

    page.get_by_role("button", name="Start serving").click()
    expect(calling).to_contain_text("Being served at Desk 2")
    assert_accessible(waiting_room)
    page.get_by_role("button", name="Served").click()
    expect(page.get_by_text("C001 served: the visit is recorded")).to_be_visible()
    expect(page.get_by_role("link", name="find the visitor’s record")).to_be_visible()
    expect(waiting_room.get_by_text("No one is being called just now")).to_be_visible()
    assert waiting_room.evaluate("window.notReloaded") is True
    assert "Jo Bloggs" not in waiting_room.content()
    assert_accessible(page)
    contact = Contact.objects.get()
    assert contact.channel == "face_to_face" and contact.wait_seconds is not None
