"""Work distribution: cases that need the front office wait in queues and are pushed to free
advisors, one email at a time, earliest due first, by skill, longest idle first."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from frontdoor.cases.models import CaseEvent, Channel, Outcome
from frontdoor.cases.services import case_await_customer, case_forward, case_resolve
from frontdoor.directory.models import Department, Team
from frontdoor.routing.models import AdvisorState, WorkItem, WorkOffer, WorkQueue
from frontdoor.routing.services import (
    advisor_seen,
    advisor_sign_out,
    presence_set,
    work_dispatch,
    work_items_enqueue,
    work_next,
    work_offer_accept,
    work_offer_decline,
)
from tests.concurrency import at_once
from tests.factories import case_for
from tests.intake.email.mail import message, receive
from tests.routing.work import advisor, offered_to, queued

AVAILABLE = AdvisorState.Presence.AVAILABLE


def test_a_new_email_waits_in_its_services_queue_due_when_the_customer_must_hear_back(
    waste_inbox,
):
    email = receive(waste_inbox, message(subject="Bin missed"))
    item = WorkItem.objects.get()
    assert (item.case, item.queue.name, item.status) == (
        email.case,
        "Email: Environment",
        "waiting",
    )
    assert item.skill.name == "Waste and recycling" and item.channel == "email"
    assert item.due_at == email.case.first_response_due
    # Its follow-up is collated on the same case and queue place, not queued twice.
    receive(
        waste_inbox,
        message(subject=f"Re: [Ref: {email.case.reference}] Bin missed", body="Still there"),
    )
    assert WorkItem.objects.count() == 1


def test_mail_a_rule_sends_to_a_department_and_restricted_cases_never_wait_for_the_front_office(
    general_inbox, sam
):
    receive(general_inbox, message(subject="Remittance Advice 77"))
    care = case_for(service_code="adult-social-care", channel=Channel.EMAIL)
    assert work_items_enqueue(cases=[care]) == 0
    assert not WorkItem.objects.exists()


def test_a_service_with_no_queue_of_its_own_goes_to_the_channels_general_queue(council):
    assert queued("general-enquiry").queue.name == "Email: General"


def test_the_earliest_due_item_the_advisor_is_skilled_for_is_offered(ava):
    later = queued("missed-bin", hours_ago=1)
    soonest_needs_a_skill_ava_lacks = queued("blue-badge", hours_ago=50)
    sooner = queued("missed-bin", hours_ago=30)
    presence_set(user=ava, presence=AVAILABLE)
    assert work_dispatch() == 1
    assert offered_to(ava) == [sooner]
    assert WorkItem.objects.get(pk=later.pk).status == "waiting"
    assert WorkItem.objects.get(pk=soonest_needs_a_skill_ava_lacks.pk).status == "waiting"


def test_one_email_at_a_time_and_the_next_once_the_first_is_answered(ava):
    first, second = queued(hours_ago=3), queued(hours_ago=2)
    presence_set(user=ava, presence=AVAILABLE)
    work_dispatch()
    work_offer_accept(item=first, advisor=ava)
    work_dispatch()
    assert offered_to(ava) == []  # still holding the first
    case_await_customer(case=first.case, actor=ava, text="Asked which bin")
    assert WorkItem.objects.get(pk=first.pk).status == "done"
    work_dispatch()
    assert offered_to(ava) == [second]


def test_accepting_gives_the_case_to_the_advisor_with_a_timeline_event(ava):
    item = queued()
    presence_set(user=ava, presence=AVAILABLE)
    work_dispatch()
    work_offer_accept(item=item, advisor=ava)
    case = item.case
    case.refresh_from_db()
    assert (case.assigned_to, case.status) == (ava, "in_progress")
    event = case.events.get(kind=CaseEvent.Kind.ASSIGNED)
    assert event.actor == ava and "Email: Environment" in event.text
    assert not event.visible_to_customer


def test_the_longest_idle_of_several_free_advisors_is_offered_first(ava, abe):
    presence_set(user=abe, presence=AVAILABLE, at=timezone.now() - timedelta(minutes=10))
    advisor_seen(user=abe)
    presence_set(user=ava, presence=AVAILABLE)
    item = queued()
    work_dispatch()
    assert offered_to(abe) == [item] and offered_to(ava) == []


def test_declining_passes_the_email_on_in_its_place_and_not_back_to_the_decliner(ava, abe):
    item, other = queued(hours_ago=5), queued(hours_ago=1)
    presence_set(user=ava, presence=AVAILABLE, at=timezone.now() - timedelta(minutes=5))
    advisor_seen(user=ava)
    presence_set(user=abe, presence=AVAILABLE)
    work_dispatch()
    assert (offered_to(ava), offered_to(abe)) == ([item], [other])
    work_offer_decline(item=item, advisor=ava)
    work_dispatch()
    assert offered_to(ava) == []  # not offered the declined one again, and nothing else waits
    returned = WorkItem.objects.get(pk=item.pk)
    assert (returned.status, returned.created_at) == ("waiting", item.created_at)
    case_forward(
        case=other.case,
        actor=abe,
        department=Department.objects.get(name="Waste and Recycling"),
        reason="Needs a crew",
    )
    work_dispatch()
    assert offered_to(abe) == [item]


def test_an_offer_not_answered_in_time_moves_on_and_puts_the_advisor_on_a_break(ava, abe):
    item = queued()
    presence_set(user=ava, presence=AVAILABLE, at=timezone.now() - timedelta(minutes=1))
    work_dispatch()
    assert offered_to(ava) == [item]
    presence_set(user=abe, presence=AVAILABLE)
    later = timezone.now() + timedelta(seconds=item.queue.push_timeout_seconds + 1)
    for there in (ava, abe):  # both workspaces still open; ava just does not answer
        advisor_seen(user=there, at=later)
    work_dispatch(at=later)
    state = AdvisorState.objects.get(user=ava)
    assert state.presence == "on_break" and "not answered within 60 seconds" in state.presence_note
    assert offered_to(abe) == [item]
    assert WorkOffer.objects.get(advisor=ava).answer == "timed_out"
    with pytest.raises(ValidationError, match="no longer offered to you"):
        work_offer_accept(item=item, advisor=ava)


def test_next_work_takes_the_next_item_at_once(ava):
    item = queued()
    taken = work_next(user=ava)
    assert taken == item and taken.status == "assigned" and taken.assigned_to == ava
    assert work_next(user=ava) is None  # one email at a time


def test_an_advisor_signing_out_hands_back_their_work_in_its_place(ava):
    item = queued()
    work_next(user=ava)
    advisor_sign_out(user=ava)
    back = WorkItem.objects.get(pk=item.pk)
    assert (back.status, back.assigned_to, back.created_at) == ("waiting", None, item.created_at)
    assert item.case.events.filter(kind=CaseEvent.Kind.RELEASED).exists()
    assert AdvisorState.objects.get(user=ava).presence == "offline"


def test_an_advisor_whose_browser_went_quiet_is_set_offline_and_their_offer_moves_on(ava):
    item = queued()
    presence_set(user=ava, presence=AVAILABLE)
    work_dispatch()
    work_dispatch(at=timezone.now() + timedelta(minutes=2))
    assert AdvisorState.objects.get(user=ava).presence == "offline"
    assert WorkItem.objects.get(pk=item.pk).status == "waiting"


def test_a_queue_asking_for_a_higher_skill_level_is_not_offered_to_a_learner(ava):
    WorkQueue.objects.filter(name="Email: Environment").update(minimum_skill_level=2)
    pothole = queued("potholes")  # ava is learning highways
    bin_ = queued("missed-bin")  # and skilled in waste
    assert work_next(user=ava) == bin_
    assert WorkItem.objects.get(pk=pothole.pk).status == "waiting"


def test_resolving_or_forwarding_ends_the_front_offices_work_on_the_case(ava):
    item = queued()
    work_next(user=ava)
    case_resolve(
        case=item.case,
        actor=ava,
        outcome=Outcome.objects.get(name="Information given"),
        note="Crew sent back",
    )
    done = WorkItem.objects.get(pk=item.pk)
    assert (done.status, done.assigned_to) == ("done", None) and done.ended_at is not None


def test_only_front_office_staff_take_work_and_presence_must_be_one_we_know(bea, ava):
    with pytest.raises(ValidationError, match="advisors and team leaders"):
        presence_set(user=bea, presence=AVAILABLE)
    with pytest.raises(ValidationError, match="advisors and team leaders"):
        work_next(user=bea)
    with pytest.raises(ValidationError) as refused:
        presence_set(user=ava, presence="asleep")
    assert "presence" in refused.value.message_dict


def test_capacity_beyond_what_a_channel_allows_is_refused_with_a_field_message(council):
    team = Team(name="Too keen", phone_capacity=3, email_capacity=11)
    with pytest.raises(ValidationError) as refused:
        team.full_clean()
    assert set(refused.value.message_dict) == {"phone_capacity", "email_capacity"}
    with pytest.raises(IntegrityError), transaction.atomic():
        Team.objects.create(name="Too keen", phone_capacity=3)


def test_a_case_waits_in_the_queues_once_at_most(ava):
    item = queued()
    with pytest.raises(IntegrityError), transaction.atomic():
        WorkItem.objects.create(
            queue=item.queue,
            case=item.case,
            channel="email",
            priority=3,
            due_at=item.due_at,
            created_at=item.created_at,
        )


@pytest.mark.django_db(transaction=True)
def test_many_advisors_claiming_at_once_never_hold_the_same_item(council):
    items = [queued(hours_ago=n) for n in range(24)]
    advisors = [advisor(f"adv{n}", skills={"Waste and recycling": 2}) for n in range(6)]
    Team.objects.filter(name="Customer Services").update(email_capacity=10)
    claimed: list[int] = []

    def claim_until_full(user):
        taken = []
        while (item := work_next(user=user)) is not None:
            taken.append(item.pk)
        return taken

    queue = list(advisors)

    def next_advisor():
        return claim_until_full(queue.pop())

    for taken in at_once(next_advisor, threads=len(advisors)):
        claimed += taken
    assert sorted(claimed) == sorted(item.pk for item in items)  # each taken, once
    assert WorkOffer.objects.filter(answer="accepted").count() == len(items)
    assert not WorkItem.objects.filter(status="waiting").exists()


@pytest.mark.django_db(transaction=True)
def test_one_advisors_two_tabs_asking_at_once_get_one_email_between_them(council):
    for n in range(4):
        queued(hours_ago=n)
    ava = get_user_model().objects.select_related("staff_member").get(username="ava")
    presence_set(user=ava, presence=AVAILABLE)  # her state row exists, as it would
    results = at_once(lambda: work_next(user=ava), threads=4)
    assert len([r for r in results if r is not None]) == 1
