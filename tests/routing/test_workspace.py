"""The advisor's workspace: their status, offers that appear without reloading, accept and
decline, "next work", and the case with the customer's history beside it."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.urls import reverse

from frontdoor.routing.models import AdvisorState, WorkItem
from frontdoor.routing.services import presence_set, work_dispatch
from tests.factories import CustomerFactory
from tests.routing.work import offered_to, queued

AVAILABLE = AdvisorState.Presence.AVAILABLE


@pytest.mark.parametrize(
    ("person", "status"),
    [("ava", 200), ("tess", 200), ("bea", 403), ("max_", 403), ("ada", 403), ("cara", 403)],
)
def test_the_workspace_is_for_advisors_and_team_leaders(request, client, person, status):
    client.force_login(request.getfixturevalue(person))
    assert client.get(reverse("console:workspace")).status_code == status
    live = client.post(reverse("console:work_now"), {"showing": "stale"})
    assert live.status_code == status
    assert client.post(reverse("console:work_next")).status_code == (302 if status == 200 else 403)


def test_signed_out_visitors_are_sent_to_sign_in(client, council):
    assert client.get(reverse("console:workspace")).status_code == 302
    assert client.post(reverse("console:work_now")).status_code == 302


def test_an_offer_appears_in_the_live_part_and_an_unchanged_answer_is_not_sent_again(client, ava):
    client.force_login(ava)
    client.post(reverse("console:presence_change"), {"presence": "available"})
    first = client.post(reverse("console:work_now"), {"showing": "stale"})
    assert "Nothing is offered to you just now" in first.text
    item = queued(summary="Green bin missed twice")
    work_dispatch()
    offer = client.post(reverse("console:work_now"), {"showing": "stale"})
    assert "Email offered to you" in offer.text and "Green bin missed twice" in offer.text
    assert item.case.reference in offer.text
    again = client.post(reverse("console:work_now"), {"showing": f"o{item.pk}"})
    assert again.status_code == 204
    # Asking says the advisor is still there, so the dispatcher does not set them offline.
    assert AdvisorState.objects.get(user=ava).last_seen_at is not None


def test_accepting_shows_the_case_and_the_customers_history_side_by_side(client, ava):
    customer = CustomerFactory()
    earlier = queued("council-tax", customer=customer, summary="Council tax band query")
    WorkItem.objects.filter(pk=earlier.pk).update(status="done")
    item = queued(customer=customer, summary="Green bin missed twice")
    client.force_login(ava)
    client.post(reverse("console:presence_change"), {"presence": "available"})
    work_dispatch()
    answered = client.post(reverse("console:work_answer", args=[item.pk, "accept"]))
    assert answered.status_code == 302
    page = client.get(reverse("console:workspace"))
    assert f"Case {item.case.reference} is yours" in page.text
    assert "Green bin missed twice" in page.text and "Reply by email" in page.text
    assert "Council tax band query" in page.text  # their other case, beside it
    item.case.refresh_from_db()
    assert item.case.assigned_to == ava


def test_declining_passes_the_email_to_the_other_advisor(client, ava, abe):
    item = queued()
    presence_set(user=ava, presence=AVAILABLE)
    work_dispatch()
    client.force_login(ava)
    client.post(reverse("console:work_answer", args=[item.pk, "decline"]))
    presence_set(user=abe, presence=AVAILABLE)
    work_dispatch()
    assert offered_to(ava) == [] and offered_to(abe) == [item]


def test_an_offer_that_moved_on_cannot_be_accepted_and_someone_elses_work_is_not_found(
    client, ava, abe
):
    item = queued()
    presence_set(user=ava, presence=AVAILABLE)
    work_dispatch()
    client.force_login(abe)
    assert client.post(reverse("console:work_answer", args=[item.pk, "accept"])).status_code == 404
    client.force_login(ava)
    presence_set(user=ava, presence="offline")  # the offer went back
    response = client.post(reverse("console:work_answer", args=[item.pk, "accept"]), follow=True)
    assert "no longer offered to you" in response.text
    assert WorkItem.objects.get(pk=item.pk).status == "waiting"


# A Wednesday morning: 20 hours ago is the working day before, so the two emails' targets
# differ. Late on a Thursday both fell due the same moment and the test failed.
@time_machine.travel(datetime(2026, 3, 11, 11, 0, tzinfo=UTC), tick=True)
def test_next_work_takes_the_soonest_due_at_once_and_says_when_there_is_none(client, ava):
    client.force_login(ava)
    empty = client.post(reverse("console:work_next"), follow=True)
    assert "There is no waiting email you have the skills for" in empty.text
    later, sooner = queued(hours_ago=1), queued(hours_ago=20)
    taken = client.post(reverse("console:work_next"), follow=True)
    assert f"Case {sooner.case.reference} is yours" in taken.text
    assert WorkItem.objects.get(pk=later.pk).status == "waiting"


def test_an_unknown_status_is_refused_with_a_message(client, ava):
    client.force_login(ava)
    response = client.post(reverse("console:presence_change"), {"presence": "asleep"}, follow=True)
    assert "Choose your status" in response.text
    assert not AdvisorState.objects.filter(user=ava, presence="asleep").exists()


def test_signing_out_hands_back_held_work(client, ava):
    item = queued()
    client.force_login(ava)
    client.post(reverse("console:work_next"))
    client.post(reverse("logout"))
    assert WorkItem.objects.get(pk=item.pk).status == "waiting"
    assert AdvisorState.objects.get(user=ava).presence == "offline"
