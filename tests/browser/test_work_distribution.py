"""The issue's acceptance journey for work distribution, in real browsers: two advisors signed
in at once each receive a different email, one at a time, earliest deadline first; declining
passes the email to the other; the team leader's board keeps up without reloading. The
background worker runs as `make run` runs it, offering work every second. Every page on the
way passes axe-core."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from frontdoor.intake.email.services import email_receive
from frontdoor.routing.models import WorkItem
from tests.browser.conftest import assert_accessible
from tests.browser.test_advisor_journey import sign_in
from tests.intake.email.mail import message

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
OFFER_WAIT = 15_000  # ms: a dispatcher round (1 s) and a workspace poll (3 s), with room


def emailed(inbox, subject, *, hours_ago):
    """An email that came in some hours ago, so that it is due sooner than later ones."""
    with time_machine.travel(timezone.now() - timedelta(hours=hours_ago), tick=False):
        mail = message(sender=f"{subject} <{subject.lower()}@example.com>", subject=subject)
        return email_receive(raw=mail.as_bytes(), contact_point=inbox, source="smtp").case


def workspace(browser, live_server, username):
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(10_000)
    sign_in(page, username)
    page.get_by_role("link", name="My work").click()
    return context, page


def go_available(page):
    page.get_by_label("Available").check()
    page.get_by_role("button", name="Set status").click()
    expect(page.get_by_text("Your status is now available")).to_be_visible()


def offer(page):
    return page.locator("#work-now .govuk-notification-banner")


def test_two_advisors_get_different_emails_earliest_due_first_and_a_decline_moves_on(
    browser, live_server, waste_inbox, worker
):
    oldest = emailed(waste_inbox, "Oldest", hours_ago=50)
    middle = emailed(waste_inbox, "Middle", hours_ago=26)
    newest = emailed(waste_inbox, "Newest", hours_ago=1)
    due = dict(WorkItem.objects.values_list("case__reference", "due_at"))
    assert due[oldest.reference] <= due[middle.reference] <= due[newest.reference]

    board_context, board = workspace(browser, live_server, "tess")
    board.get_by_role("link", name="Team board").click()
    queue_row = board.locator("#board-queues tr", has_text="Email: Environment")
    expect(queue_row.locator("td").nth(0)).to_have_text("3")  # waiting
    assert_accessible(board)

    ava_context, ava = workspace(browser, live_server, "ava")
    go_available(ava)
    expect(offer(ava)).to_contain_text(oldest.reference, timeout=OFFER_WAIT)
    expect(offer(ava)).to_have_count(1)  # one email at a time
    assert_accessible(ava)

    abe_context, abe = workspace(browser, live_server, "abe")
    go_available(abe)
    expect(offer(abe)).to_contain_text(middle.reference, timeout=OFFER_WAIT)
    expect(offer(abe)).to_have_count(1)

    # The board has kept up without being reloaded: two offered, one waiting.
    expect(queue_row.locator("td").nth(1)).to_have_text("2", timeout=OFFER_WAIT)
    expect(board.locator('#board-advisors tr[data-advisor="ava"]')).to_contain_text(
        oldest.reference
    )

    # Ava declines the oldest: it is not offered back to her, she gets the next one waiting.
    offer(ava).get_by_role("button", name="Decline").click()
    expect(ava.get_by_text(f"Case {oldest.reference} passed on")).to_be_visible()
    expect(offer(ava)).to_contain_text(newest.reference, timeout=OFFER_WAIT)

    # Abe takes his, answers it, and is then offered the one Ava passed on.
    offer(abe).get_by_role("button", name="Accept").click()
    expect(abe.get_by_text(f"Case {middle.reference} is yours")).to_be_visible()
    expect(abe.get_by_role("heading", level=2, name="Middle")).to_be_visible()
    assert_accessible(abe)
    abe.get_by_role("link", name="Wait for customer").click()
    abe.get_by_label("What have you asked the customer for?").fill("Asked which bin was missed")
    abe.get_by_role("button", name="Save").click()
    expect(abe.get_by_text("Case is waiting for the customer")).to_be_visible()
    abe.get_by_role("link", name="My work").click()
    expect(offer(abe)).to_contain_text(oldest.reference, timeout=OFFER_WAIT)

    expect(board.locator('#board-advisors tr[data-advisor="abe"]')).to_contain_text(
        oldest.reference, timeout=OFFER_WAIT
    )
    expect(queue_row.locator("td").nth(0)).to_have_text("0")
    assert_accessible(board)
    for context in (board_context, ava_context, abe_context):
        context.close()


def test_moving_work_changing_skills_and_recording_absence_read_well(page, waste_inbox):
    case = emailed(waste_inbox, "Lonely", hours_ago=2)
    sign_in(page, "tess")
    page.get_by_role("link", name="Team board").click()
    page.get_by_role("link", name=f"Move case {case.reference}").click()
    page.get_by_role("button", name="Give to advisor").click()  # nobody chosen
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose who to give it to")
    assert_accessible(page)
    page.get_by_label("Move it to the queue").select_option(label="Email: General")
    page.get_by_role("button", name="Move to queue").click()
    expect(page.get_by_text(f"Case {case.reference} moved to “Email: General”")).to_be_visible()

    page.get_by_role("link", name="Skills of Ava Advisor").click()
    assert_accessible(page)
    page.get_by_label("Blue badges").select_option(label="Expert")
    page.get_by_role("button", name="Save skills").click()
    expect(page.get_by_text("Skills of Ava Advisor saved")).to_be_visible()

    page.get_by_role("link", name="Who is away").first.click()
    page.get_by_role("link", name="Record an absence").click()
    page.get_by_role("button", name="Record absence").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose who is away")
    assert_accessible(page)
    page.get_by_label("Who is away?").select_option(label="Abe Advisor")
    page.get_by_label("Unplanned (sickness, emergency)").check()
    today = timezone.localdate()
    page.get_by_label("Day").first.fill(str(today.day))
    page.get_by_label("Month").first.fill(str(today.month))
    page.get_by_label("Year").first.fill(str(today.year))
    page.get_by_label("Who covers their work? (optional)").select_option(label="Ava Advisor")
    page.get_by_role("button", name="Record absence").click()
    expect(page.get_by_text("Abe Advisor is recorded as away")).to_be_visible()
    expect(page.locator("table")).to_contain_text("Ava Advisor")
    assert_accessible(page)
