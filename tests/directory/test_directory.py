import contextlib
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone

from frontdoor.core.roles import Role
from frontdoor.directory.models import ContactPoint, Department, SLAPolicy, StaffMember
from frontdoor.directory.services import contact_point_mark_used


def test_last_used_only_moves_forward(council):
    point = ContactPoint.objects.get(name="Main switchboard")
    now = timezone.now()
    contact_point_mark_used(contact_point_id=point.pk, at=now)
    contact_point_mark_used(contact_point_id=point.pk, at=now - timedelta(days=3))
    point.refresh_from_db()
    assert point.last_used_at == now


def test_a_mark_rolled_back_does_not_stop_the_next(council, django_capture_on_commit_callbacks):
    point = ContactPoint.objects.first()
    now = timezone.now()
    with contextlib.suppress(RuntimeError), transaction.atomic():
        contact_point_mark_used(contact_point_id=point.pk, at=now)
        raise RuntimeError("the batch was rolled back")
    with django_capture_on_commit_callbacks(execute=True):
        contact_point_mark_used(contact_point_id=point.pk, at=now + timedelta(seconds=1))
    point.refresh_from_db()
    assert point.last_used_at == now + timedelta(seconds=1)


def test_a_first_response_target_cannot_be_later_than_resolution(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        SLAPolicy.objects.create(name="Backwards", first_response_target=10, resolution_target=5)


def test_a_back_office_officer_must_belong_to_a_department(db):
    user = get_user_model().objects.create(username="nobody")
    with pytest.raises(IntegrityError), transaction.atomic():
        StaffMember.objects.create(user=user, role=Role.BACK_OFFICE)


def test_only_managers_may_be_granted_restricted_cases(db):
    user = get_user_model().objects.create(username="keen")
    with pytest.raises(IntegrityError), transaction.atomic():
        StaffMember.objects.create(user=user, role=Role.ADVISOR, may_view_restricted=True)


def test_one_address_per_kind_of_contact_point(council):
    existing = ContactPoint.objects.get(name="Main switchboard")
    with pytest.raises(IntegrityError), transaction.atomic():
        ContactPoint.objects.create(kind=existing.kind, name="Duplicate", address=existing.address)


def test_the_demo_council_has_the_services_the_seed_documents_name(council):
    from frontdoor.directory.models import Service

    names = set(Service.objects.values_list("name", flat=True))
    for expected in [
        "Council Tax",
        "Missed bin collection",
        "Bulky waste collection",
        "Blue Badge",
        "Adult social care referral",
        "Potholes and roads",
        "Planning enquiry",
        "Parking permits and fines",
        "Housing Benefit",
        "Birth, death and marriage certificates",
    ]:
        assert expected in names
    assert Service.objects.get(code="adult-social-care").restricted
    assert Department.objects.filter(name="Finance").exists()
