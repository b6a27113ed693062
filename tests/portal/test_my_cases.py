"""My cases and a case's page for its resident: their cases only, the timeline in plain
English with none of staff's own words, and updates and files sent to staff."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from frontdoor.cases.models import CaseEvent, Channel, Outcome
from frontdoor.cases.services import (
    CaseDraft,
    case_close,
    case_forward,
    case_note_add,
    case_reopen,
    case_resolve,
    case_start,
    contact_record,
)
from frontdoor.directory.models import Department, Service
from tests.cases.files import png_bytes, upload
from tests.factories import case_for
from tests.portal.conftest import sign_in

LONDON = ZoneInfo("Europe/London")
STAFF_WORDS = [
    "Customer sounded cross",  # the call's summary
    "Crew to go back, driver missed it twice",  # the forwarding reason
    "Internal: check the crew rota",  # a note
    "Bin collected by crew 7",  # the resolution note
    "Reopened: crew lied",  # the reopening reason
    "Taken over from",  # the start by someone else
]


@pytest.fixture
def signed_in_cara(client, cara):
    sign_in(client, "cara@example.com")
    return client


def test_cara_sees_her_cases_and_not_carls(signed_in_cara, cara_customer, carl_customer, ava):
    hers = case_for(customer=cara_customer, actor=ava, channel=Channel.PHONE)
    by_email = case_for(customer=cara_customer, channel=Channel.EMAIL, service_code="council-tax")
    his = case_for(customer=carl_customer, actor=ava)
    page = signed_in_cara.get("/account/").content.decode()
    assert hers.reference in page and by_email.reference in page
    assert his.reference not in page
    assert "Council Tax" in page and "Email" in page and "Phone" in page
    assert signed_in_cara.get(f"/account/cases/{his.reference}/").status_code == 404


def test_the_list_gives_the_target_date_as_a_london_date_and_pages(
    signed_in_cara, cara_customer, ava
):
    # Opened on a Friday evening in March, due ten working days later.
    case = case_for(
        customer=cara_customer, actor=ava, opened_at=datetime(2026, 3, 27, 18, 30, tzinfo=LONDON)
    )
    page = signed_in_cara.get("/account/").content.decode()
    local = case.resolution_due.astimezone(LONDON)
    assert f"{local.day} {local:%B %Y}" in page
    for _ in range(20):
        case_for(customer=cara_customer, actor=ava)
    first = signed_in_cara.get("/account/").content.decode()
    second = signed_in_cara.get("/account/?page=2").content.decode()
    assert case.reference not in first and case.reference in second  # the oldest, last
    assert 'aria-label="Pages of your cases"' in first and 'rel="next"' in first


def test_staff_are_told_to_use_the_console(client, ava):
    client.force_login(ava)
    response = client.get("/account/")
    assert response.status_code == 403
    page = response.content.decode()
    assert "You are signed in as council staff" in page and reverse("console:home") in page


def test_signed_out_people_are_sent_to_sign_in(client, council):
    response = client.get("/account/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("portal:sign_in"))


def test_the_timeline_is_in_plain_english_and_never_in_staffs_words(
    signed_in_cara, cara_customer, ava, abe
):
    contact = contact_record(
        channel=Channel.PHONE,
        customer=cara_customer,
        actor=ava,
        summary="Customer sounded cross",
        new_case=CaseDraft(
            service=Service.objects.get(code="missed-bin"), summary="Missed bin, customer cross"
        ),
    )
    case = contact.case
    case_note_add(case=case, actor=ava, text="Internal: check the crew rota")
    case = case_start(case=case, actor=abe)
    waste = Department.objects.get(name="Waste and Recycling")
    case = case_forward(
        case=case, actor=abe, department=waste, reason="Crew to go back, driver missed it twice"
    )
    case = case_resolve(
        case=case, actor=abe, outcome=Outcome.objects.first(), note="Bin collected by crew 7"
    )
    case = case_reopen(case=case, actor=ava, reason="Reopened: crew lied")
    page = signed_in_cara.get(f"/account/cases/{case.reference}/").content.decode()
    for words in STAFF_WORDS + ["Missed bin, customer cross", "Ava", "Abe"]:
        assert words not in page, words
    for words in [
        "Case opened",
        "You phoned us",
        "Work started",
        "Passed to Waste and Recycling",
        "Resolved",
        "Reopened",
    ]:
        assert words in page, words
    assert case.events.filter(kind=CaseEvent.Kind.NOTE).exists()


def test_a_resident_adds_an_update_with_a_photo_and_staff_see_it(
    signed_in_cara, client, cara_customer, ava, bea
):
    case = case_for(customer=cara_customer, actor=ava, service_code="council-tax")
    response = signed_in_cara.post(
        f"/account/cases/{case.reference}/",
        {"text": "Here is the bill", "upload": upload("my bill.png", png_bytes())},
        follow=True,
    )
    page = response.content.decode()
    assert "Your update has been sent" in page and "Here is the bill" in page
    assert "my bill.png" in page
    sent = case.files.get()
    client.force_login(ava)
    staff_page = client.get(reverse("console:case_detail", args=[case.reference])).content
    assert b"Update from the customer" in staff_page and b"Here is the bill" in staff_page
    download = client.get(reverse("console:case_file", args=[case.reference, sent.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == png_bytes()
    assert download["Content-Type"] == "image/png"
    assert 'attachment; filename="my bill.png"' in download["Content-Disposition"]
    client.force_login(bea)  # Waste's officer may not see a council tax case, nor its files
    assert (
        client.get(reverse("console:case_file", args=[case.reference, sent.pk])).status_code == 404
    )


def test_a_file_of_the_wrong_kind_is_refused_with_a_clear_message(
    signed_in_cara, cara_customer, ava
):
    case = case_for(customer=cara_customer, actor=ava)
    response = signed_in_cara.post(
        f"/account/cases/{case.reference}/",
        {"text": "", "upload": upload("run-me.pdf", b"MZ\x90\x00" * 100)},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert (
        'href="#id_upload">The selected file must be a PDF, JPG, PNG, Word or ODT document' in page
    )
    assert not case.files.exists()


def test_a_file_too_big_is_refused_with_a_clear_message(
    signed_in_cara, cara_customer, ava, settings
):
    settings.FRONTDOOR_MAX_UPLOAD_BYTES = 2 * 1024 * 1024
    case = case_for(customer=cara_customer, actor=ava)
    big = upload("big.png", png_bytes() + b"0" * (2 * 1024 * 1024))
    page = signed_in_cara.post(f"/account/cases/{case.reference}/", {"upload": big})
    assert "The selected file must be smaller than 2MB" in page.content.decode()


def test_someone_elses_case_takes_no_update(signed_in_cara, carl_customer, ava):
    case = case_for(customer=carl_customer, actor=ava)
    response = signed_in_cara.post(f"/account/cases/{case.reference}/", {"text": "Mine now"})
    assert response.status_code == 404
    assert not case.events.filter(kind=CaseEvent.Kind.CUSTOMER_UPDATE).exists()


def test_a_closed_case_offers_no_update_and_takes_none(signed_in_cara, cara_customer, ava):
    case = case_for(customer=cara_customer, actor=ava)
    case = case_resolve(case=case, actor=ava, outcome=Outcome.objects.first(), note="Done")
    case = case_close(case=case, actor=ava)
    page = signed_in_cara.get(f"/account/cases/{case.reference}/").content.decode()
    assert "Add an update" not in page and "updates can no longer be added" in page
    signed_in_cara.post(f"/account/cases/{case.reference}/", {"text": "One more thing"})
    assert not case.events.filter(kind=CaseEvent.Kind.CUSTOMER_UPDATE).exists()
