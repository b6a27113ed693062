import pytest
from django.core.exceptions import ValidationError

from frontdoor.cases.models import Case, CaseEvent, Channel, Contact, Outcome
from frontdoor.cases.services import case_app_comment_add, case_resolve
from frontdoor.directory.models import ContactPoint
from tests.concurrency import at_once
from tests.factories import CustomerFactory, case_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(council):
    return case_for(customer=CustomerFactory.create())


def add(case, **kwargs):
    arguments = {
        "case": case,
        "text": "It is still there",
        "channel": Channel.OPEN311,
        "customer": case.customer,
        "source_key": "app:update:1",
    } | kwargs
    return case_app_comment_add(**arguments)


def test_an_update_is_an_inbound_contact_and_a_customer_update_on_the_timeline(case):
    point = ContactPoint.objects.get(address="open311:fixmystreet")
    event = add(case, contact_point=point)
    assert (event.kind, event.text, event.visible_to_customer) == (
        CaseEvent.Kind.CUSTOMER_UPDATE,
        "It is still there",
        True,
    )
    contact = event.contact
    assert (contact.direction, contact.case, contact.customer) == (
        Contact.Direction.INBOUND,
        case,
        case.customer,
    )
    assert contact.contact_point == point and contact.service == case.service
    point.refresh_from_db()
    assert point.last_used_at == contact.occurred_at
    assert not case.events.filter(kind=CaseEvent.Kind.CONTACT).exists()  # one event, not two


def test_the_same_update_is_taken_once(case):
    assert add(case) == add(case)
    assert CaseEvent.objects.filter(kind=CaseEvent.Kind.CUSTOMER_UPDATE).count() == 1


def test_an_update_is_kept_on_a_resolved_case_which_stays_resolved(case):
    case_resolve(case=case, actor=None, outcome=Outcome.objects.first(), note="Collected yesterday")
    add(case)
    case.refresh_from_db()
    assert case.status == Case.Status.RESOLVED
    assert case.events.filter(kind=CaseEvent.Kind.CUSTOMER_UPDATE).exists()


def test_an_empty_update_is_refused(case):
    with pytest.raises(ValidationError):
        add(case, text="  ")


@pytest.mark.django_db(transaction=True)
def test_the_same_update_from_two_callers_at_once_is_taken_once(council):
    case = case_for(customer=CustomerFactory.create())
    events = at_once(lambda: add(case).pk, threads=4)
    assert len(set(events)) == 1
    assert Contact.objects.filter(source_key="app:update:1").count() == 1


def test_a_comment_on_a_case_the_front_office_answered_goes_back_in_its_queue(council):
    from frontdoor.routing.models import WorkItem
    from frontdoor.routing.services import work_items_end, work_items_enqueue

    emailed = case_for(customer=CustomerFactory.create(), channel=Channel.EMAIL)
    work_items_enqueue(cases=[emailed])
    work_items_end(case_id=emailed.pk, at=emailed.opened_at)
    add(emailed)
    assert WorkItem.objects.filter(case=emailed, status=WorkItem.Status.WAITING).count() == 1
