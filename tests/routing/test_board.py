"""The team leader's board: queues, advisors and their load, live; moving an item and
changing an advisor's skills from it."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from frontdoor.directory.models import Skill, StaffSkill
from frontdoor.directory.services import AbsenceDraft, absence_record
from frontdoor.routing.models import AdvisorState, WorkItem, WorkOffer, WorkQueue
from frontdoor.routing.selectors import board_advisors, board_queues
from frontdoor.routing.services import (
    ItemSeen,
    presence_set,
    work_dispatch,
    work_item_give,
    work_item_move,
    work_next,
)
from tests.concurrency import at_once
from tests.routing.work import offered_to, queued

AVAILABLE = AdvisorState.Presence.AVAILABLE


def general():
    return WorkQueue.objects.get(name="Email: General")


@pytest.mark.parametrize(
    ("person", "status"),
    [("tess", 200), ("max_", 200), ("ava", 403), ("bea", 403), ("ada", 403), ("cara", 403)],
)
def test_who_may_use_the_board(request, client, person, status):
    client.force_login(request.getfixturevalue(person))
    item = queued()
    assert client.get(reverse("console:board")).status_code == status
    assert client.post(reverse("console:board_now"), {"showing": "x"}).status_code == status
    assert client.get(reverse("console:board_item", args=[item.pk])).status_code == status
    moved = client.post(
        reverse("console:board_item", args=[item.pk]),
        {
            "to": "queue",
            "queue": general().pk,
            "seen_queue": item.queue_id,
            "seen_status": "waiting",
        },
    )
    assert moved.status_code == (302 if status == 200 else status)
    assert (WorkItem.objects.get(pk=item.pk).queue == general()) is (status == 200)
    ava_id = get_user_model().objects.get(username="ava").pk
    skills = client.get(reverse("console:board_skills", args=[ava_id]))
    assert skills.status_code == status


def test_signed_out_visitors_are_sent_to_sign_in(client, council):
    assert client.get(reverse("console:board")).status_code == 302


def test_the_queues_show_waiting_offered_held_the_oldest_and_breaches_coming(ava):
    now = timezone.now()
    old = queued(hours_ago=30)  # opened yesterday: due soon or overdue
    queued(hours_ago=1)
    WorkItem.objects.filter(pk=old.pk).update(due_at=now + timedelta(minutes=20))
    overdue = queued(hours_ago=2)
    WorkItem.objects.filter(pk=overdue.pk).update(due_at=now - timedelta(minutes=5))
    work_next(user=ava)  # takes the overdue one, due soonest
    line = next(q for q in board_queues(at=now) if q.queue == old.queue)
    assert (line.waiting, line.offered, line.held) == (2, 0, 1)
    assert (line.due_within_the_hour, line.overdue) == (1, 1)
    assert line.oldest_waiting_since == WorkItem.objects.get(pk=old.pk).created_at


def test_the_advisors_show_presence_absence_and_what_they_hold(ava, abe, tess):
    item = queued()
    work_next(user=ava)
    presence_set(user=abe, presence=AVAILABLE)
    absence_record(
        draft=AbsenceDraft(
            staff=tess.staff_member, kind="unplanned", starts_at=timezone.now() - timedelta(hours=1)
        ),
        actor=None,
    )
    lines = {line.member.user.username: line for line in board_advisors(at=timezone.now())}
    assert lines["ava"].items == [item] and lines["ava"].load == {"email": 1}
    assert lines["abe"].presence == "available" and lines["abe"].items == []
    assert lines["tess"].absence is not None
    assert "bea" not in lines  # the back office does not work the queues


def test_the_live_board_updates_as_advisors_work_and_is_not_resent_unchanged(client, tess, ava):
    client.force_login(tess)
    page = client.get(reverse("console:board"))
    digest = page.text.split('"showing": "')[1].split('"')[0]
    unchanged = client.post(reverse("console:board_now"), {"showing": digest})
    assert unchanged.status_code == 204
    item = queued(summary="Green bin missed twice")
    changed = client.post(reverse("console:board_now"), {"showing": digest})
    assert changed.status_code == 200 and item.case.reference in changed.text
    work_next(user=ava)
    row = client.post(reverse("console:board_now"), {"showing": ""}).text
    ava_row = row[row.index('data-advisor="ava"') :].split("</tr>")[0]
    assert item.case.reference in ava_row and "1 of 1" in ava_row


def test_a_move_keeps_the_items_age_and_withdraws_an_offer(ava, tess):
    item = queued(hours_ago=4)
    presence_set(user=ava, presence=AVAILABLE)
    work_dispatch()
    item.refresh_from_db()
    moved = work_item_move(item=item, queue=general(), seen=ItemSeen.of(item), actor=tess)
    assert (moved.queue, moved.status, moved.created_at) == (general(), "waiting", item.created_at)
    assert WorkOffer.objects.get(item=item).answer == "withdrawn"
    note = item.case.events.get(kind="note")
    assert "Email: Environment" in note.text and note.actor == tess


def test_giving_work_assigns_it_and_respects_absence_and_room(ava, abe, tess):
    item, second = queued(hours_ago=3), queued(hours_ago=2)
    given = work_item_give(item=item, advisor=abe, seen=ItemSeen.of(item), actor=tess)
    assert (given.status, given.assigned_to) == ("assigned", abe)
    given.case.refresh_from_db()
    assert given.case.assigned_to == abe
    with pytest.raises(ValidationError, match="already has as much email"):
        work_item_give(item=second, advisor=abe, seen=ItemSeen.of(second), actor=tess)
    absence_record(
        draft=AbsenceDraft(
            staff=ava.staff_member,
            kind="planned",
            starts_at=timezone.now() - timedelta(hours=1),
            cover=abe.staff_member,
        ),
        actor=tess,
    )
    with pytest.raises(ValidationError) as refused:
        work_item_give(item=second, advisor=ava, seen=ItemSeen.of(second), actor=tess)
    assert "Abe Advisor is covering" in refused.value.message_dict["advisor"][0]
    assert WorkItem.objects.get(pk=second.pk).status == "waiting"


def test_a_move_made_on_a_stale_view_is_refused_with_what_changed(ava, tess):
    item = queued()
    seen = ItemSeen.of(item)
    work_next(user=ava)
    with pytest.raises(ValidationError, match="Someone else changed this item.*Ava Advisor"):
        work_item_move(item=item, queue=general(), seen=seen, actor=tess)
    assert WorkItem.objects.get(pk=item.pk).queue == item.queue


def test_a_queue_of_another_channel_is_refused(tess):
    item = queued()
    phone = WorkQueue.objects.create(name="Phone callbacks", channel="phone")
    with pytest.raises(ValidationError, match="takes phone"):
        work_item_move(item=item, queue=phone, seen=ItemSeen.of(item), actor=tess)


@pytest.mark.django_db(transaction=True)
def test_two_team_leaders_moving_the_same_item_at_once_one_wins_the_other_is_told(council):
    item = queued()
    seen = ItemSeen.of(item)
    users = get_user_model().objects.select_related("staff_member")
    tess, max_ = users.get(username="tess"), users.get(username="max")
    targets = iter([(tess, general()), (max_, WorkQueue.objects.get(name="Email: Revenues"))])

    def move():
        who, queue = next(targets)
        try:
            work_item_move(item=item, queue=queue, seen=seen, actor=who)
        except ValidationError as refused:
            return ("refused", refused.messages[0])
        return ("moved", queue.name)

    results = sorted(at_once(move, threads=2))
    assert [outcome for outcome, _ in results] == ["moved", "refused"]
    assert "Someone else changed this item" in results[1][1]
    assert WorkItem.objects.get(pk=item.pk).queue.name == results[0][1]
    assert item.case.events.filter(kind="note").count() == 1


def test_the_move_page_shows_a_refusal_as_a_clear_message(client, tess, ava):
    item = queued()
    client.force_login(tess)
    form = {"to": "queue", "queue": general().pk, "seen_queue": item.queue_id}
    work_next(user=ava)  # taken while tess was looking at it as waiting
    response = client.post(
        reverse("console:board_item", args=[item.pk]), form | {"seen_status": "waiting"}
    )
    assert response.status_code == 200
    assert (
        "There is a problem" in response.text and "Someone else changed this item" in response.text
    )


def test_changing_skills_from_the_board(client, tess, ava):
    bins, badge = (
        Skill.objects.get(name="Waste and recycling"),
        Skill.objects.get(name="Blue badges"),
    )
    client.force_login(tess)
    page = client.get(reverse("console:board_skills", args=[ava.pk]))
    assert "Waste and recycling" in page.text
    levels = dict(
        StaffSkill.objects.filter(staff=ava.staff_member).values_list("skill_id", "level")
    )
    form = {f"skill_{pk}": str(level) for pk, level in levels.items()}
    form |= {f"skill_{bins.pk}": "", f"skill_{badge.pk}": "3"}
    assert client.post(reverse("console:board_skills", args=[ava.pk]), form).status_code == 302
    now = dict(StaffSkill.objects.filter(staff=ava.staff_member).values_list("skill_id", "level"))
    assert bins.pk not in now and now[badge.pk] == 3
    blue_badge = queued("blue-badge")
    assert work_next(user=ava) == blue_badge  # the new skill is used at once


def test_an_unknown_skill_level_is_refused_with_a_field_message(client, tess, ava):
    badge = Skill.objects.get(name="Blue badges")
    client.force_login(tess)
    response = client.post(
        reverse("console:board_skills", args=[ava.pk]), {f"skill_{badge.pk}": "9"}
    )
    assert response.status_code == 200 and "Choose a level from the list" in response.text
    assert not StaffSkill.objects.filter(staff=ava.staff_member, skill=badge).exists()


def test_the_board_cannot_change_the_back_offices_skills(client, tess, bea):
    client.force_login(tess)
    assert client.get(reverse("console:board_skills", args=[bea.pk])).status_code == 404


def test_offers_show_on_the_board_against_their_advisor(ava):
    item = queued()
    presence_set(user=ava, presence=AVAILABLE)
    work_dispatch()
    assert offered_to(ava) == [item]
    line = next(x for x in board_advisors(at=timezone.now()) if x.member.user == ava)
    assert line.items == [item] and line.load == {"email": 1}


def test_a_queue_filter_that_is_not_a_number_is_ignored(client, tess):
    client.force_login(tess)
    assert client.get(reverse("console:board"), {"queue": "²"}).status_code == 200
    assert client.post(reverse("console:board_now"), {"queue": "x"}).status_code == 200


def test_a_queue_that_takes_no_new_work_shows_while_work_waits_in_it(tess):
    item = queued()
    WorkQueue.objects.filter(pk=item.queue_id).update(is_active=False)
    lines = {line.queue.pk: line for line in board_queues(at=timezone.now())}
    assert lines[item.queue_id].waiting == 1
    WorkItem.objects.filter(pk=item.pk).update(status="done")
    assert item.queue_id not in {line.queue.pk for line in board_queues(at=timezone.now())}
