import mailbox

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from frontdoor.cases.models import Case
from frontdoor.intake.email.models import InboundEmail
from tests.concurrency import at_once
from tests.intake.email.mail import message


@pytest.fixture
def eml_folder(tmp_path):
    for number in range(6):
        path = tmp_path / "drop" / f"{number:02d}.eml"
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(message(subject=f"Enquiry {number}").as_bytes())
    (tmp_path / "drop" / "broken.eml").write_bytes(b"Subject: no sender\r\n\r\n?")
    return tmp_path / "drop"


def test_a_folder_of_eml_files_is_imported_once(council, eml_folder, capsys):
    call_command("import_mail", str(eml_folder), inbox="waste@frontdoor.example")
    assert "7 messages read, 7 new" in capsys.readouterr().out
    call_command("import_mail", str(eml_folder), inbox="waste@frontdoor.example")
    assert "7 messages read, 0 new (7 already here)" in capsys.readouterr().out
    assert InboundEmail.objects.filter(status="accepted").count() == 6
    assert InboundEmail.objects.filter(status="quarantined").count() == 1
    assert Case.objects.count() == 6


def test_a_maildir_is_imported(council, tmp_path):
    box = mailbox.Maildir(str(tmp_path / "shared"), create=True)
    for number in range(3):
        box.add(message(subject=f"Old mail {number}").as_bytes())
    call_command("import_mail", str(tmp_path / "shared"), inbox="counciltax@frontdoor.example")
    assert Case.objects.filter(service__code="council-tax").count() == 3


def test_an_unknown_inbox_lists_the_real_ones(council, eml_folder):
    with pytest.raises(CommandError, match="waste@frontdoor.example"):
        call_command("import_mail", str(eml_folder), inbox="nope@example.com")


@pytest.mark.django_db(transaction=True)
def test_two_importers_at_once_on_one_folder_add_each_message_once(council, eml_folder):
    at_once(
        lambda: call_command("import_mail", str(eml_folder), inbox="waste@frontdoor.example"),
        threads=2,
    )
    assert InboundEmail.objects.count() == 7 and Case.objects.count() == 6
