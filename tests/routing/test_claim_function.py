"""On PostgreSQL the claim and the end of an item's work are done by the server in one call
(routing/migrations/0003 and routing.services). They must write exactly what the Python path,
which SQLite uses, writes: here each is run both ways on the same data, each in a transaction
rolled back afterwards, and every row they touch is compared.

These exist only on PostgreSQL, so the tests run in `make test`'s PostgreSQL pass."""

from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.forms.models import model_to_dict
from django.utils import timezone

from frontdoor.cases.models import Case, CaseEvent, Outcome
from frontdoor.directory.models import Team
from frontdoor.routing import services
from frontdoor.routing.models import AdvisorState, WorkItem, WorkOffer, WorkQueue
from frontdoor.routing.services import advisor_profile, presence_set, work_offer_decline
from tests.routing.work import advisor, queued

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the server's claim exists only on PostgreSQL"
)
AT = timezone.now().replace(microsecond=0) + timedelta(minutes=5)


def written(case_ids):
    """Every row a claim or an end may write, without ids that sequences hand out."""
    return {
        "items": [model_to_dict(i, exclude=["id"]) for i in WorkItem.objects.order_by("pk")],
        "offers": [
            model_to_dict(o, exclude=["id"]) | {"item": o.item_id}
            for o in WorkOffer.objects.order_by("item_id", "offered_at", "answer")
        ],
        "cases": list(
            Case.objects.filter(pk__in=case_ids)
            .order_by("pk")
            .values("pk", "status", "assigned_to", "updated_at")
        ),
        "events": [
            model_to_dict(e, exclude=["id"])
            for e in CaseEvent.objects.filter(case_id__in=case_ids, kind="assigned").order_by(
                "case_id", "at"
            )
        ],
        "advisors": list(
            AdvisorState.objects.order_by("user_id").values(
                "user_id", "presence", "presence_since", "presence_note", "idle_since"
            )
        ),
    }


def both_ways(run, case_ids):
    """What run(server=False) and run(server=True) return and write, each rolled back."""
    outcomes = []
    for server in (False, True):
        with transaction.atomic():
            returned = run(server)
            outcomes.append((returned, written(case_ids)))
            transaction.set_rollback(True)
    return outcomes


def claim(user, *, offer):
    def run(server):
        claimer = services._claim_by_the_server if server else services._claim
        item = claimer(advisor_profile(user), "email", offer=offer, at=AT)
        return None if item is None else model_to_dict(item)

    return run


@pytest.mark.parametrize("offer", [True, False], ids=["offered", "taken at once"])
def test_a_claim_writes_the_same_rows_both_ways(ava, offer):
    items = [queued(hours_ago=h) for h in (3, 30, 1)]
    queued("blue-badge", hours_ago=50)  # ava lacks the skill: never chosen
    presence_set(user=ava, presence="available")
    (python, python_rows), (server, server_rows) = both_ways(
        claim(ava, offer=offer), [i.case_id for i in items]
    )
    assert python is not None and python["id"] == items[1].pk  # due soonest
    assert server == python
    assert server_rows == python_rows


def test_a_first_claim_makes_the_advisors_state_the_same_way(council):
    newcomer = advisor("newcomer", skills={"Waste and recycling": 1})
    item = queued()
    (python, python_rows), (server, server_rows) = both_ways(
        claim(newcomer, offer=False), [item.case_id]
    )
    assert python is not None and server == python and server_rows == python_rows
    assert [a["user_id"] for a in python_rows["advisors"]] == [newcomer.pk]


def test_declined_work_a_full_advisor_and_work_needing_a_higher_level_alike(ava, abe):
    WorkQueue.objects.filter(name="Email: Environment").update(minimum_skill_level=3)
    high = queued("missed-bin", hours_ago=40)  # needs an expert now; ava is skilled
    WorkQueue.objects.filter(name="Email: Environment").update(minimum_skill_level=1)
    declined, later = queued("general-enquiry", hours_ago=20), queued("council-tax", hours_ago=2)
    presence_set(user=ava, presence="available")
    services._claim(advisor_profile(ava), "email", offer=True, at=AT)
    work_offer_decline(item=WorkItem.objects.get(pk=declined.pk), advisor=ava)
    ids = [high.case_id, declined.case_id, later.case_id]
    (python, python_rows), (server, server_rows) = both_ways(claim(ava, offer=True), ids)
    assert python["id"] == later.pk and server == python and server_rows == python_rows

    services._claim(advisor_profile(abe), "email", offer=False, at=AT)  # abe now full
    (python, python_rows), (server, server_rows) = both_ways(claim(abe, offer=False), ids)
    assert python is None and server is None and server_rows == python_rows


@pytest.mark.parametrize("offer", [True, False], ids=["offered", "held"])
def test_ending_an_items_work_writes_the_same_rows_both_ways(ava, offer):
    Team.objects.update(email_capacity=2)
    item, other = queued(hours_ago=3), queued(hours_ago=2)
    presence_set(user=ava, presence="available")
    for _ in range(2):
        services._claim(advisor_profile(ava), "email", offer=offer, at=AT)
    later = AT + timedelta(minutes=1)

    def run(server):
        (services._items_end_in_one_statement if server else services._items_end)(
            item.case_id, later
        )

    (_, python_rows), (_, server_rows) = both_ways(run, [item.case_id, other.case_id])
    assert server_rows == python_rows
    ended = next(i for i in python_rows["items"] if i["case"] == item.case_id)
    assert ended["status"] == "done" and ended["ended_at"] == later


def test_a_case_closed_under_its_waiting_item_is_refused_alike_and_the_caller_carries_on(ava):
    item = queued()
    # As a fault would leave it: closed, its item still waiting.
    Case.objects.filter(pk=item.case_id).update(
        status="closed", outcome=Outcome.objects.first(), resolution_note="Done elsewhere"
    )
    for claimer in (services._claim, services._claim_by_the_server):
        with transaction.atomic():
            with pytest.raises(services.CaseTransitionError, match="no longer open"):
                claimer(advisor_profile(ava), "email", offer=False, at=AT)
            # The caller's transaction is still usable, and nothing of the claim was kept.
            assert WorkItem.objects.get(pk=item.pk).status == "waiting"
            assert not WorkOffer.objects.exists()


def test_each_queues_own_push_timeout_is_used_alike_even_once_it_takes_no_new_work(ava):
    item = queued("general-enquiry", hours_ago=2)
    WorkQueue.objects.filter(pk=item.queue_id).update(push_timeout_seconds=25, is_active=False)
    presence_set(user=ava, presence="available")
    (python, python_rows), (server, server_rows) = both_ways(claim(ava, offer=True), [item.case_id])
    assert python["offer_expires_at"] == AT + timedelta(seconds=25)
    assert server == python and server_rows == python_rows
