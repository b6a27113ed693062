"""`seed-demo` writes demo data the case services could have written, and the same data for
the same seed."""

import hashlib
from datetime import timedelta

import phonenumbers
import pytest
from django.core.management import call_command
from django.db import models
from django.db.models import Count, Max, Q
from django.utils import timezone

from frontdoor.cases.models import Case, CaseEvent, Channel, Contact
from frontdoor.cases.services import LIVE_CHANNELS
from frontdoor.core.models import ReferenceCounter
from frontdoor.customers.models import Customer, CustomerAddress, CustomerEmail, CustomerPhone
from frontdoor.customers.normalise import email_normalise, phone_to_e164, postcode_normalise
from frontdoor.demo.contacts import RETIRING_LINE
from frontdoor.directory.models import ContactPoint, Department, Service

CONTACTS = 300
DONE = (Case.Status.RESOLVED, Case.Status.CLOSED)


def _seed(seed: int = 7) -> None:
    call_command("seed_demo", contacts=CONTACTS, seed=seed, verbosity=0)


@pytest.fixture
def seeded(db):
    _seed()


def test_adds_exactly_the_contacts_asked_for(seeded):
    assert Contact.objects.count() == CONTACTS


def test_resolved_and_closed_cases_have_an_outcome_and_a_note(seeded):
    done = Case.objects.filter(status__in=DONE)
    assert done.count() > CONTACTS // 2
    assert not done.filter(Q(outcome__isnull=True) | Q(resolution_note="")).exists()
    assert not done.filter(resolved_at__isnull=True).exists()
    assert not done.filter(resolved_first_contact__isnull=True).exists()
    assert not Case.objects.filter(status=Case.Status.CLOSED, closed_at__isnull=True).exists()


def test_every_case_has_one_opened_event_and_a_contact_event_per_contact(seeded):
    opened = Count("events", filter=Q(events__kind=CaseEvent.Kind.OPENED))
    assert not Case.objects.annotate(opened=opened).exclude(opened=1).exists()
    on_cases = Contact.objects.filter(case__isnull=False)
    logged = CaseEvent.objects.filter(kind=CaseEvent.Kind.CONTACT)
    assert logged.count() == on_cases.count()
    assert set(logged.values_list("contact_id", flat=True)) == set(
        on_cases.values_list("pk", flat=True)
    )


def test_restricted_cases_belong_only_to_restricted_services(seeded):
    assert not Case.objects.filter(restricted=True, service__restricted=False).exists()
    assert not Case.objects.filter(restricted=False, service__restricted=True).exists()


def test_cases_are_with_their_services_department_or_where_they_were_forwarded(seeded):
    for case in Case.objects.select_related("service"):
        forwards = case.events.filter(kind=CaseEvent.Kind.FORWARDED).order_by("at", "id")
        last = forwards.last()
        expected = last.department_id if last else case.service.department_id
        assert case.department_id == expected, case.reference
        assert (case.forwarded_at is None) == (last is None), case.reference


def test_first_contact_resolution_is_worked_out_as_case_resolve_does(seeded):
    resolved = 0
    for case in Case.objects.filter(status__in=DONE).prefetch_related("contacts", "events"):
        events = list(case.events.all())
        resolver = next(e.actor_id for e in events if e.kind == CaseEvent.Kind.RESOLVED)
        contacts = list(case.contacts.all())
        expected = (
            case.forwarded_at is None
            and not any(e.kind == CaseEvent.Kind.AWAITING_CUSTOMER for e in events)
            and len(contacts) == 1
            and contacts[0].direction == Contact.Direction.INBOUND
            and contacts[0].handled_by_id == resolver
            and timezone.localdate(contacts[0].occurred_at) == timezone.localdate(case.resolved_at)
        )
        assert case.resolved_first_contact is expected, case.reference
        resolved += expected
    assert resolved > 0


def test_restricted_cases_go_straight_to_their_department_when_opened(seeded):
    restricted = Case.objects.filter(restricted=True)
    assert restricted.exists()
    for case in restricted.select_related("service"):
        forwarded = case.events.filter(kind=CaseEvent.Kind.FORWARDED).first()
        assert forwarded.at == case.opened_at, case.reference
        assert forwarded.department_id == case.service.department_id
        assert forwarded.channel == case.channel


def test_live_contacts_count_as_a_first_response(seeded):
    live = Case.objects.filter(channel__in=LIVE_CHANNELS)
    assert live.exists()
    assert not live.filter(first_responded_at__isnull=True).exists()
    assert not Case.objects.filter(first_responded_at__lt=models.F("opened_at")).exists()


def test_contact_details_are_stored_as_the_normalisers_would_store_them(seeded):
    for address in CustomerEmail.objects.values_list("address", flat=True):
        assert email_normalise(address) == address
    for number in CustomerPhone.objects.values_list("number", flat=True)[:200]:
        assert phonenumbers.is_valid_number(phonenumbers.parse(number))
        assert phone_to_e164(number) == number
    for postcode in CustomerAddress.objects.values_list("postcode", flat=True):
        assert postcode_normalise(postcode) == postcode


def test_contact_points_record_their_last_use_and_one_line_has_gone_quiet(seeded):
    last = dict(
        Contact.objects.filter(contact_point__isnull=False)
        .values_list("contact_point")
        .annotate(last=Max("occurred_at"))
    )
    for point in ContactPoint.objects.filter(pk__in=last):
        assert point.last_used_at == last[point.pk], point.name
    quiet = ContactPoint.objects.get(name=RETIRING_LINE)
    a_year_ago = timezone.now() - timedelta(days=365)
    assert not quiet.contacts.filter(occurred_at__gte=a_year_ago).exists()


def test_running_it_again_adds_contacts_but_not_another_council(seeded):
    departments, services = Department.objects.count(), Service.objects.count()
    _seed(seed=8)
    assert Contact.objects.count() == 2 * CONTACTS
    assert (Department.objects.count(), Service.objects.count()) == (departments, services)
    assert Case.objects.values("reference").distinct().count() == Case.objects.count()


def _digest() -> str:
    """Everything a person would see of the seeded data, without database ids."""
    digest = hashlib.sha256()
    tables = [
        Customer.objects.order_by("pk").values_list(
            "kind",
            "title",
            "given_name",
            "family_name",
            "organisation_name",
            "date_of_birth",
            "created_at",
        ),
        CustomerEmail.objects.order_by("pk").values_list("customer__family_name", "address"),
        CustomerPhone.objects.order_by("pk").values_list("customer__family_name", "number"),
        CustomerAddress.objects.order_by("pk").values_list("line_1", "postcode", "uprn"),
        Case.objects.order_by("pk").values_list(
            "reference",
            "service__code",
            "customer__family_name",
            "summary",
            "status",
            "opened_at",
            "assigned_to__username",
            "department__name",
            "outcome__name",
        ),
        Contact.objects.order_by("occurred_at", "channel", "summary").values_list(
            "channel", "occurred_at", "case__reference", "handled_by__username", "summary"
        ),
        CaseEvent.objects.order_by("case__reference", "at", "pk").values_list(
            "case__reference", "kind", "at", "actor__username", "text"
        ),
    ]
    for table in tables:
        for row in table:
            digest.update(repr(row).encode())
    return digest.hexdigest()


def _forget_demo_data() -> None:
    CaseEvent.objects.all().delete()
    Contact.objects.all().delete()
    Case.objects.all().delete()
    Customer.objects.all().delete()
    ReferenceCounter.objects.all().delete()


def test_the_same_seed_gives_the_same_data_and_another_seed_other_data(db):
    _seed(seed=7)
    first = _digest()
    assert Contact.objects.filter(channel=Channel.PHONE).exists()
    _forget_demo_data()
    _seed(seed=7)
    assert _digest() == first
    _forget_demo_data()
    _seed(seed=8)
    assert _digest() != first
