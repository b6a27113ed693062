"""Which cases a resident sees (cases_of_resident) and tracks (case_tracked): who may and who
may not. Staff selectors are not touched by any of it."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.utils import timezone

from frontdoor.cases.models import Channel
from frontdoor.cases.selectors import (
    case_of_resident_get,
    case_tracked,
    cases_of_resident,
    cases_visible_to,
)
from frontdoor.customers.models import Customer
from frontdoor.portal.models import ResidentAccount
from tests.factories import CustomerFactory, case_for


@pytest.fixture
def cases(council, ava):
    cara = CustomerFactory.create(emails=["Cara@Example.com"])
    carl = CustomerFactory.create(emails=["carl@example.com"])
    return {
        "phone": case_for(customer=cara, actor=ava, channel=Channel.PHONE),
        "email": case_for(customer=cara, channel=Channel.EMAIL, service_code="council-tax"),
        "form": case_for(customer=cara, channel=Channel.WEB_FORM, service_code="fly-tipping"),
        "open311": case_for(customer=cara, channel=Channel.OPEN311, service_code="potholes"),
        "desk": case_for(customer=cara, actor=ava, channel=Channel.FACE_TO_FACE),
        "care": case_for(customer=cara, actor=ava, service_code="adult-social-care"),
        "carls": case_for(customer=carl, actor=ava),
        "anonymous": case_for(actor=ava),
    }


def seen(user, cases):
    refs = set(cases_of_resident(user).values_list("reference", flat=True))
    return {name for name, case in cases.items() if case.reference in refs}


def test_cara_sees_her_cases_on_every_channel_and_not_carls(cara, cases):
    assert seen(cara, cases) == {"phone", "email", "form", "open311", "desk"}


def test_carl_sees_only_his(carl, cases):
    assert seen(carl, cases) == {"carls"}


def test_restricted_cases_are_left_out(cara, cases):
    assert "care" not in seen(cara, cases)
    with pytest.raises(Http404):
        case_of_resident_get(cara, reference=cases["care"].reference)


def test_an_unconfirmed_address_sees_nothing(cara, cases):
    ResidentAccount.objects.filter(user=cara).update(verified_at=None)
    cara.refresh_from_db()
    assert seen(cara, cases) == set()


@pytest.mark.parametrize("person", ["ava", "max_", "ada"])
def test_staff_see_nothing_here_even_with_a_matching_address(request, person, cases):
    user = request.getfixturevalue(person)
    case_for(customer=CustomerFactory.create(emails=[user.email]))
    ResidentAccount.objects.create(
        user=user, email=user.email, verified_at=timezone.now(), created_at=timezone.now()
    )
    user.refresh_from_db()
    assert not cases_of_resident(user).exists()


def test_signed_out_people_see_nothing(cases):
    assert not cases_of_resident(AnonymousUser()).exists()


def test_cases_of_a_customer_merged_into_hers_are_hers(cara, cases, ava):
    old_record = CustomerFactory.create(emails=["cara.old@example.net"])
    Customer.objects.filter(pk=old_record.pk).update(merged_into=cases["phone"].customer_id)
    older = case_for(customer=old_record, actor=ava)
    assert older.reference in set(cases_of_resident(cara).values_list("reference", flat=True))


def test_newest_first(cara, cases):
    opened = list(cases_of_resident(cara).values_list("opened_at", flat=True))
    assert opened == sorted(opened, reverse=True)


def test_staff_visibility_is_unchanged(ava, bea, cases):
    assert cases_visible_to(ava).count() == 7  # every unrestricted case
    assert cases_visible_to(bea).filter(pk=cases["care"].pk).count() == 0


def test_tracking_needs_the_reference_and_the_email_it_was_raised_with(cases):
    case = cases["form"]
    assert case_tracked(reference=case.reference, email="CARA@example.com") == case
    assert case_tracked(reference=case.reference.lower(), email="cara@example.com") == case
    assert case_tracked(reference=case.reference, email="carl@example.com") is None
    assert case_tracked(reference=cases["care"].reference, email="cara@example.com") is None
    assert case_tracked(reference="FD-1999-000001", email="cara@example.com") is None
    assert case_tracked(reference=cases["anonymous"].reference, email="") is None
