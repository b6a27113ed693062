"""A customer's update on their case (case_customer_update_add): a web-form contact and one
timeline event staff see, with a file checked by its content and size; nothing half-saved."""

import pytest
from django.core.exceptions import ValidationError

from frontdoor.cases.models import CaseEvent, CaseFile, Channel, Contact, Outcome
from frontdoor.cases.services import (
    CaseTransitionError,
    case_close,
    case_customer_update_add,
    case_resolve,
)
from frontdoor.cases.uploads import display_name
from frontdoor.routing.models import WorkItem
from frontdoor.routing.services import work_items_end, work_items_enqueue
from tests.cases.files import docx_bytes, jpeg_bytes, odt_bytes, pdf_bytes, png_bytes, upload
from tests.factories import CustomerFactory, case_for


@pytest.fixture(autouse=True)
def _files_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "files"


@pytest.fixture
def case(council, ava):
    return case_for(customer=CustomerFactory.create(emails=["cara@example.com"]), actor=ava)


def stored_files(settings):
    return [p for p in settings.MEDIA_ROOT.rglob("*") if p.is_file()]


def test_an_update_is_a_web_form_contact_and_one_event(case, cara):
    event = case_customer_update_add(case=case, author=cara, text="  The bin is still there  ")
    assert event.kind == CaseEvent.Kind.CUSTOMER_UPDATE
    assert event.text == "The bin is still there" and event.visible_to_customer
    assert event.actor == cara and event.channel == Channel.WEB_FORM
    contact = event.contact
    assert contact.channel == Channel.WEB_FORM and contact.direction == Contact.Direction.INBOUND
    assert contact.case == case and contact.customer == case.customer
    assert contact.handled_by is None
    assert not case.events.filter(kind=CaseEvent.Kind.CONTACT).exists()


def test_an_update_on_a_case_the_front_office_has_answered_goes_back_in_its_queue(
    council, ava, cara
):
    case = case_for(
        customer=CustomerFactory.create(emails=["cara@example.com"]), channel=Channel.EMAIL
    )
    work_items_enqueue(cases=[case])
    work_items_end(case_id=case.pk, at=case.opened_at)
    assert not WorkItem.objects.filter(case=case, status__in=WorkItem.OPEN).exists()
    case_customer_update_add(case=case, author=cara, text="Here is the photo you asked for")
    assert WorkItem.objects.filter(case=case, status="waiting").count() == 1


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [
        ("photo.png", png_bytes(), "image/png"),
        ("photo.JPG", jpeg_bytes(), "image/jpeg"),
        ("letter.pdf", pdf_bytes(), "application/pdf"),
        (
            "letter.docx",
            docx_bytes(),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        ("letter.odt", odt_bytes(), "application/vnd.oasis.opendocument.text"),
    ],
)
def test_accepted_kinds_of_file_are_kept_under_a_name_of_our_own(
    case, cara, settings, name, content, kind
):
    event = case_customer_update_add(case=case, author=cara, text="", upload=upload(name, content))
    (sent,) = event.files.all()
    assert sent.content_type == kind and sent.size == len(content)
    assert sent.name.rsplit(".", 1)[0] == name.rsplit(".", 1)[0]
    assert sent.file.name.startswith(f"case-files/{case.pk}/")
    assert name.rsplit(".", 1)[0] not in sent.file.name
    assert sent.file.read() == content
    assert event.contact.summary == f"Sent a file: {sent.name}"


def test_the_type_is_judged_by_the_content_not_the_name(case, cara, settings):
    with pytest.raises(ValidationError) as refused:
        case_customer_update_add(
            case=case,
            author=cara,
            text="see attached",
            upload=upload("photo.pdf", b"MZ\x90\x00" * 64),
        )
    assert refused.value.message_dict["upload"] == [
        "The selected file must be a PDF, JPG, PNG, Word or ODT document"
    ]
    event = case_customer_update_add(
        case=case, author=cara, text="", upload=upload("really-a-photo.pdf", png_bytes())
    )
    assert event.files.get().name == "really-a-photo.png"


def test_a_file_over_the_limit_is_refused_and_nothing_is_kept(case, cara, settings):
    settings.FRONTDOOR_MAX_UPLOAD_BYTES = 1024
    with pytest.raises(ValidationError) as refused:
        case_customer_update_add(
            case=case, author=cara, text="big", upload=upload("big.png", png_bytes() + b"0" * 2000)
        )
    assert refused.value.message_dict["upload"] == ["The selected file must be smaller than 1KB"]
    assert not case.events.filter(kind=CaseEvent.Kind.CUSTOMER_UPDATE).exists()
    assert not Contact.objects.filter(case=case, channel=Channel.WEB_FORM).exists()
    assert not CaseFile.objects.exists() and stored_files(settings) == []


def test_an_empty_file_is_refused(case, cara):
    with pytest.raises(ValidationError) as refused:
        case_customer_update_add(case=case, author=cara, text="", upload=upload("a.png", b""))
    assert refused.value.message_dict["upload"] == ["The selected file is empty"]


def test_an_update_needs_words_or_a_file(case, cara):
    with pytest.raises(ValidationError) as refused:
        case_customer_update_add(case=case, author=cara, text="   ")
    assert refused.value.message_dict["text"] == ["Enter your update, or choose a file to send"]


def test_a_resolved_or_closed_case_takes_no_update(case, cara, ava, settings):
    case_resolve(case=case, actor=ava, outcome=Outcome.objects.first(), note="Collected")
    with pytest.raises(CaseTransitionError):
        case_customer_update_add(case=case, author=cara, text="Thanks")
    case.refresh_from_db()
    case_close(case=case, actor=ava)
    with pytest.raises(CaseTransitionError):
        case_customer_update_add(
            case=case, author=cara, text="x", upload=upload("a.png", png_bytes())
        )
    assert stored_files(settings) == []
    assert not case.events.filter(kind=CaseEvent.Kind.CUSTOMER_UPDATE).exists()


@pytest.mark.parametrize(
    ("sent_as", "shown_as"),
    [
        ("C:\\Users\\cara\\Pictures\\bin.jpeg", "bin.jpg"),
        ("../../etc/passwd", "passwd.pdf"),
        ("bin: <urgent>?.png", "bin urgent.png"),
        ("...", "file.pdf"),
    ],
)
def test_names_are_made_safe_to_show_and_download(sent_as, shown_as):
    extension = shown_as.rsplit(".", 1)[1]
    assert display_name(sent_as, extension) == shown_as
