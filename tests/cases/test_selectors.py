"""Who may see which case: every role, who may and who may not."""

import pytest
from django.http import Http404

from frontdoor.cases.selectors import (
    CaseScope,
    case_get_for,
    cases_assigned_to,
    cases_in_scope,
    cases_visible_to,
    customer_contacts,
    department_inbox,
)
from frontdoor.cases.services import case_forward
from frontdoor.directory.models import Department
from tests.factories import CustomerFactory, case_for


@pytest.fixture
def cases(council, ava):
    customer = CustomerFactory.create()
    return {
        "bin": case_for(service_code="missed-bin", customer=customer, actor=ava),
        "tax": case_for(service_code="council-tax", customer=customer, actor=ava),
        "care": case_for(
            service_code="adult-social-care", customer=customer, actor=ava, summary="Falls at home"
        ),
    }


def visible(user, cases):
    refs = set(cases_visible_to(user).values_list("reference", flat=True))
    return {name for name, case in cases.items() if case.reference in refs}


@pytest.mark.parametrize(
    ("person", "sees"),
    [
        ("ava", {"bin", "tax"}),  # advisor: every unrestricted case
        ("tess", {"bin", "tax"}),  # team leader: the same
        ("bea", {"bin"}),  # Waste back office: Waste's cases only
        ("sam", {"care"}),  # Adult Social Care: its own, restricted, cases
        ("max_", {"bin", "tax", "care"}),  # manager granted restricted access
        ("ada", {"bin", "tax"}),  # administrator: configures, but no restricted access
        ("cara", set()),  # resident: nothing in the console
    ],
)
def test_who_sees_which_case(request, cases, person, sees):
    user = request.getfixturevalue(person)
    assert visible(user, cases) == sees


def test_a_manager_without_the_permission_does_not_see_restricted_cases(max_, cases):
    max_.staff_member.may_view_restricted = False
    max_.staff_member.save()
    assert visible(max_, cases) == {"bin", "tax"}


def test_anonymous_sees_nothing(cases):
    from django.contrib.auth.models import AnonymousUser

    assert not cases_visible_to(AnonymousUser()).exists()


def test_a_case_the_user_may_not_see_is_not_found_like_a_missing_one(bea, cases):
    with pytest.raises(Http404):
        case_get_for(bea, reference=cases["tax"].reference)
    with pytest.raises(Http404):
        case_get_for(bea, reference="FD-1999-000001")


def test_forwarding_to_a_department_lets_its_officers_see_it(ava, bea, cases):
    assert "tax" not in visible(bea, cases)
    case_forward(
        case=cases["tax"],
        actor=ava,
        department=Department.objects.get(name="Waste and Recycling"),
        reason="Customer asked about waste charges on the bill",
    )
    assert "tax" in visible(bea, cases)
    assert cases["tax"].reference in {c.reference for c in department_inbox(bea)}


def test_a_restricted_case_opened_by_an_advisor_goes_straight_to_its_department(ava, sam, cases):
    care = cases["care"]
    assert (care.status, care.assigned_to, care.department.name) == (
        "forwarded",
        None,
        "Adult Social Care",
    )
    assert "care" not in visible(ava, cases)
    assert care.reference in {c.reference for c in department_inbox(sam)}
    assert list(care.events.values_list("kind", flat=True)) == ["opened", "forwarded"]


def test_caseless_contacts_about_a_restricted_service_are_hidden_like_its_cases(
    ava, sam, max_, cases
):
    from frontdoor.cases.models import Channel
    from frontdoor.cases.services import contact_record
    from frontdoor.directory.models import ContactPoint

    customer = cases["care"].customer
    line = ContactPoint.objects.get(name="Health and Social Care Connect")
    contact_record(
        channel=Channel.PHONE,
        customer=customer,
        actor=sam,
        contact_point=line,
        summary="Worried about mum's care package",
    )
    assert customer_contacts(ava, customer_id=customer.pk).count() == 0
    assert customer_contacts(sam, customer_id=customer.pk).count() == 1
    assert customer_contacts(max_, customer_id=customer.pk).count() == 1


def test_my_cases_are_the_open_cases_assigned_to_me_by_due_date(ava, tess, cases):
    mine = list(cases_assigned_to(ava))
    assert [c.reference for c in mine] == sorted(
        [cases["bin"].reference, cases["tax"].reference],
        key=lambda ref: next(c.resolution_due for c in cases.values() if c.reference == ref),
    )
    assert list(cases_assigned_to(tess)) == []


def test_contact_history_leaves_out_contacts_on_cases_the_user_may_not_see(
    ava, bea, sam, max_, cases
):
    from frontdoor.cases.models import Channel
    from frontdoor.cases.services import contact_record

    customer = cases["care"].customer
    contact_record(channel=Channel.PHONE, customer=customer, case=cases["care"], actor=sam)
    contact_record(channel=Channel.PHONE, customer=customer, case=cases["bin"], actor=ava)
    assert customer_contacts(bea, customer_id=customer.pk).count() == 1
    assert customer_contacts(sam, customer_id=customer.pk).count() == 1
    assert customer_contacts(ava, customer_id=customer.pk).count() == 1
    assert customer_contacts(max_, customer_id=customer.pk).count() == 2
    contact_record(channel=Channel.PHONE, customer=customer, actor=ava, summary="No case")
    assert customer_contacts(bea, customer_id=customer.pk).count() == 2
    assert customer_contacts(max_, customer_id=customer.pk).count() == 3


@pytest.mark.parametrize(
    ("scope", "sees"),
    [
        ({}, set()),  # a scope naming nothing sees nothing
        ({"every_service": True}, {"bin", "tax"}),  # never restricted unless it says
        ({"every_service": True, "restricted": True}, {"bin", "tax", "care"}),
        ({"services": ["council-tax"]}, {"tax"}),
        ({"departments": ["Waste and Recycling"]}, {"bin"}),
        ({"departments": ["Adult Social Care"]}, set()),
        ({"departments": ["Adult Social Care"], "restricted": True}, {"care"}),
    ],
)
def test_a_scope_sees_the_cases_of_its_services_and_restricted_ones_only_when_it_says(
    cases, scope, sees
):
    from frontdoor.directory.models import Service

    scope = CaseScope(
        every_service=scope.get("every_service", False),
        service_ids=frozenset(
            Service.objects.filter(code__in=scope.get("services", [])).values_list("pk", flat=True)
        ),
        department_ids=frozenset(
            Department.objects.filter(name__in=scope.get("departments", [])).values_list(
                "pk", flat=True
            )
        ),
        restricted=scope.get("restricted", False),
    )
    refs = set(cases_in_scope(scope).values_list("reference", flat=True))
    assert {name for name, case in cases.items() if case.reference in refs} == sees
    assert {name for name, case in cases.items() if scope.covers(case.service)} == sees
