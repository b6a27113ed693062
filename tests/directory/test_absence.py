"""Staff absence: who is away, who covers, and that nobody is given work while away."""

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from frontdoor.cases.models import Channel
from frontdoor.cases.services import case_forward
from frontdoor.directory.models import Department, StaffAbsence
from frontdoor.directory.selectors import absence_of, absences_current
from frontdoor.directory.services import AbsenceDraft, absence_end, absence_record
from frontdoor.routing.models import AdvisorState, WorkItem
from frontdoor.routing.services import presence_set, work_dispatch, work_next
from tests.factories import case_for
from tests.routing.work import offered_to, queued

AVAILABLE = AdvisorState.Presence.AVAILABLE
HOUR = timedelta(hours=1)


def away(member, *, starts=None, ends=None, kind="planned", actor=None, **more):
    starts = starts or timezone.now() - HOUR
    return absence_record(
        draft=AbsenceDraft(staff=member, kind=kind, starts_at=starts, ends_at=ends, **more),
        actor=actor,
    )


@pytest.fixture
def waste(council):
    return Department.objects.get(name="Waste and Recycling")


def test_forwarding_to_an_officer_who_is_away_is_refused_naming_the_cover(bea, max_, waste, ava):
    away(bea.staff_member, ends=timezone.now() + timedelta(days=3), cover=max_.staff_member)
    case = case_for(channel=Channel.PHONE)
    with pytest.raises(ValidationError) as refused:
        case_forward(case=case, actor=ava, department=waste, reason="Crew", officer=bea)
    message = refused.value.message_dict["officer"][0]
    assert "Bea Backoffice is away until" in message and "Max" in message
    case.refresh_from_db()
    assert case.status == "new"  # nothing half-done


def test_a_cover_team_is_named_when_there_is_no_cover_person(bea, waste, ava):
    away(bea.staff_member, kind="unplanned", cover_department=waste)
    case = case_for(channel=Channel.PHONE)
    with pytest.raises(ValidationError, match="until further notice. Waste and Recycling is"):
        case_forward(case=case, actor=ava, department=waste, reason="Crew", officer=bea)


def test_forwarding_to_an_officer_at_work_gives_them_the_case(bea, waste, ava):
    case = case_forward(
        case=case_for(channel=Channel.PHONE),
        actor=ava,
        department=waste,
        reason="Crew needed",
        officer=bea,
    )
    assert (case.status, case.assigned_to, case.department) == ("forwarded", bea, waste)
    assert case.events.get(kind="forwarded").text == "Crew needed"
    named = case.events.get(kind="assigned")
    assert named.text == "Forwarded for Bea Backoffice" and not named.visible_to_customer


def test_an_officer_of_another_department_cannot_be_named(sam, waste, ava):
    with pytest.raises(ValidationError, match="not in Waste and Recycling"):
        case_forward(
            case=case_for(channel=Channel.PHONE),
            actor=ava,
            department=waste,
            reason="Crew",
            officer=sam,
        )


def test_an_absent_advisor_gets_no_offers_and_what_they_held_goes_back(ava, abe, tess):
    item = queued()
    presence_set(user=ava, presence=AVAILABLE)
    work_dispatch()
    assert offered_to(ava) == [item]
    away(ava.staff_member, kind="unplanned", actor=tess)
    presence_set(user=abe, presence=AVAILABLE)
    work_dispatch()
    state = AdvisorState.objects.get(user=ava)
    assert (state.presence, state.presence_note) == ("offline", "Recorded as away")
    assert offered_to(ava) == [] and offered_to(abe) == [item]


def test_an_absent_advisor_cannot_make_themselves_available_or_take_work(ava):
    queued()
    away(ava.staff_member)
    with pytest.raises(ValidationError, match="recorded as away"):
        presence_set(user=ava, presence=AVAILABLE)
    with pytest.raises(ValidationError, match="recorded as away"):
        work_next(user=ava)
    assert WorkItem.objects.get().status == "waiting"


def test_a_planned_absence_starts_on_its_day_and_ends_when_they_are_back(ava):
    monday = timezone.now() + timedelta(days=2)
    absence = away(ava.staff_member, starts=monday, ends=monday + timedelta(days=5))
    assert absence_of(ava.staff_member) is None
    assert absence_of(ava.staff_member, at=monday + HOUR) == absence
    with time_machine.travel(monday + HOUR):
        absence_end(absence=absence, actor=None)
        assert absence_of(ava.staff_member) is None
    assert StaffAbsence.objects.get().ends_at is not None  # kept: it happened


def test_withdrawing_an_absence_not_yet_begun_keeps_it_on_record_but_it_never_applies(ava, tess):
    monday = timezone.now() + timedelta(days=2)
    absence = away(ava.staff_member, starts=monday)
    absence_end(absence=absence, actor=tess)
    kept = StaffAbsence.objects.get()
    assert kept.withdrawn and kept.ended_by == tess and kept.ended_at is not None
    assert absence_of(ava.staff_member, at=monday + HOUR) is None
    assert list(absences_current()) == []
    away(ava.staff_member, starts=monday)  # and the days are free to record again


def test_overlaps_self_cover_cover_away_and_backwards_dates_are_refused(ava, abe):
    now = timezone.now()
    away(abe.staff_member, ends=now + timedelta(days=2))
    away(ava.staff_member, starts=now + timedelta(days=10), ends=now + timedelta(days=12))
    cases = [
        ({"ends": now - timedelta(days=1)}, "ends_at", "after the start"),
        ({"cover": ava.staff_member}, "cover", "nobody covers their own"),
        ({"cover": abe.staff_member}, "cover", "Abe Advisor is away then too"),
        ({"ends": now + timedelta(days=11)}, "starts_at", "already recorded as away"),
    ]
    for extra, field, message in cases:
        with pytest.raises(ValidationError) as refused:
            away(ava.staff_member, **extra)
        assert message in refused.value.message_dict[field][0]
    assert StaffAbsence.objects.count() == 2


def test_the_database_refuses_an_absence_ending_before_it_starts(ava):
    now = timezone.now()
    with pytest.raises(IntegrityError), transaction.atomic():
        StaffAbsence.objects.create(
            staff=ava.staff_member, kind="planned", starts_at=now, ends_at=now, recorded_at=now
        )


def test_who_is_away_lists_now_and_the_next_fortnight_but_not_the_past_or_far_future(ava, abe, bea):
    now = timezone.now()
    away(ava.staff_member, starts=now - timedelta(days=3), ends=now - timedelta(days=1))
    away(abe.staff_member, starts=now + timedelta(days=20))
    soon = away(bea.staff_member, starts=now + timedelta(days=3))
    assert list(absences_current()) == [soon]


# --- The pages --------------------------------------------------------------------------


def day_boxes(name, day):
    """A date as the GOV.UK date input posts it: day, month and year boxes."""
    return {f"{name}_0": str(day.day), f"{name}_1": str(day.month), f"{name}_2": str(day.year)}


def absence_form(member, **overrides):
    data = {
        "staff": str(member.pk),
        "kind": "planned",
        **day_boxes("first_day", timezone.localdate()),
        "last_day_0": "",
        "last_day_1": "",
        "last_day_2": "",
        "reason": "Annual leave",
        "cover": "",
        "cover_department": "",
    }
    return data | overrides


@pytest.mark.parametrize(
    ("person", "whose", "may"),
    [
        ("tess", "ava", True),
        ("tess", "bea", False),  # team leaders record the front office's absences
        ("max_", "bea", True),
        ("ada", "ava", True),
        ("ava", "abe", False),
        ("bea", "bea", False),
    ],
)
def test_who_may_record_whose_absence(request, client, person, whose, may):
    client.force_login(request.getfixturevalue(person))
    member = request.getfixturevalue(whose).staff_member
    page = client.get(reverse("console:absence_new"))
    response = client.post(reverse("console:absence_new"), absence_form(member))
    assert StaffAbsence.objects.filter(staff=member).exists() is may
    if person in ("ava", "bea"):
        assert page.status_code == 403 and response.status_code == 403
    elif not may:
        assert response.status_code == 200  # not among the people they may choose
        assert "Select a valid choice" in response.text


def test_everyone_in_the_console_sees_who_is_away_but_only_recorders_see_kind_and_reason(
    client, tess, ava, bea, max_
):
    away(bea.staff_member, kind="unplanned", reason="Flu", actor=max_)
    client.force_login(ava)
    listing = client.get(reverse("console:absences"))
    assert "Bea Backoffice" in listing.text and "Away" in listing.text
    assert "Unplanned" not in listing.text and "Flu" not in listing.text
    assert "Back now" not in listing.text
    client.force_login(bea)
    assert "Flu" not in client.get(reverse("console:absences")).text
    client.force_login(tess)  # bea is back office: not tess's to record or read
    assert "Unplanned" not in client.get(reverse("console:absences")).text
    client.force_login(max_)
    assert "Unplanned: Flu" in client.get(reverse("console:absences")).text


def test_residents_and_visitors_are_kept_out_of_the_absence_pages(client, cara):
    assert client.get(reverse("console:absences")).status_code == 302
    client.force_login(cara)
    assert client.get(reverse("console:absences")).status_code == 403
    assert client.get(reverse("console:absence_new")).status_code == 403


def test_recording_and_ending_an_absence_through_the_pages(client, tess, ava):
    client.force_login(tess)
    response = client.post(
        reverse("console:absence_new"), absence_form(ava.staff_member, reason="Dentist")
    )
    assert response.status_code == 302
    absence = StaffAbsence.objects.get()
    assert absence.recorded_by == tess and absence.ends_at is None
    listing = client.get(reverse("console:absences")).text
    assert "Dentist" in listing and "Back now" in listing
    client.post(reverse("console:absence_end", args=[absence.pk]))
    assert absence_of(ava.staff_member) is None


def test_bad_dates_get_field_messages_and_nothing_is_saved(client, tess, ava):
    client.force_login(tess)
    yesterday = day_boxes("last_day", timezone.localdate() - timedelta(days=1))
    response = client.post(
        reverse("console:absence_new"),
        absence_form(ava.staff_member, **yesterday, first_day_1=""),
    )
    assert response.status_code == 200
    assert "There is a problem" in response.text
    assert "The first day away must include a month" in response.text
    assert not StaffAbsence.objects.exists()
    response = client.post(
        reverse("console:absence_new"), absence_form(ava.staff_member, **yesterday)
    )
    assert "The last day must be the same as or after the first day" in response.text
    assert not StaffAbsence.objects.exists()


def test_an_overlap_found_by_the_service_is_shown_on_the_form(client, tess, ava):
    away(ava.staff_member)
    client.force_login(tess)
    response = client.post(reverse("console:absence_new"), absence_form(ava.staff_member))
    assert "already recorded as away" in response.text
    assert 'href="#id_first_day_0"' in response.text  # the summary links to the field
    assert StaffAbsence.objects.count() == 1


def test_the_forward_form_refuses_an_absent_officer_with_the_cover(client, ava, bea, max_, waste):
    away(bea.staff_member, cover=max_.staff_member)
    case = case_for(channel=Channel.PHONE)
    client.force_login(ava)
    response = client.post(
        reverse("console:case_action", args=[case.reference, "forward"]),
        {"department": str(waste.pk), "officer": str(bea.pk), "reason": "Crew needed"},
    )
    assert response.status_code == 200
    assert "Bea Backoffice is away until further notice" in response.text
    assert "Max" in response.text
    case.refresh_from_db()
    assert case.status == "new"


def test_an_away_advisor_setting_themselves_available_is_told_why_not(client, ava):
    away(ava.staff_member)
    client.force_login(ava)
    response = client.post(
        reverse("console:presence_change"), {"presence": "available"}, follow=True
    )
    assert response.status_code == 200
    assert "You are recorded as away until further notice" in response.text
    assert not AdvisorState.objects.filter(user=ava, presence="available").exists()
