import pytest
from django.urls import reverse

from frontdoor.directory.models import ContactPoint
from frontdoor.intake.email.services import email_receive
from tests.intake.email.mail import message


def test_the_case_page_shows_the_email_safely(client, ava, waste_inbox):
    mail = message(
        subject="Bins",
        body="Still not emptied.\n\nOn Mon, 2 Mar 2026, Council wrote:\n> We logged it",
        html='<p onclick="steal()">Still <b>not</b> emptied</p><script>alert(1)</script>'
        '<img src="https://tracker.example/p.gif">',
    )
    email = email_receive(raw=mail.as_bytes(), contact_point=waste_inbox, source="smtp")
    client.force_login(ava)
    page = client.get(reverse("console:case_detail", args=[email.case.reference])).text
    assert "Still not emptied." in page
    assert "Earlier messages quoted in this email" in page and "We logged it" in page
    assert "<b>not</b>" in page
    assert (
        "<script>alert(1)" not in page and "onclick" not in page and "tracker.example" not in page
    )


@pytest.fixture
def quarantined(council):
    inbox = ContactPoint.objects.get(address="waste@frontdoor.example")
    return email_receive(raw=b"Subject: no sender\r\n\r\n?", contact_point=inbox, source="import")


@pytest.mark.parametrize(
    ("person", "sees"),
    [
        ("tess", True),
        ("max_", True),
        ("ada", True),
        ("ava", False),
        ("bea", False),
        ("cara", False),
    ],
)
def test_who_sees_the_quarantine(request, client, quarantined, person, sees):
    client.force_login(request.getfixturevalue(person))
    response = client.get(reverse("console:quarantine"))
    if person == "cara":
        assert response.status_code == 403
        return
    assert ("no sender address" in response.text) is sees
    reprocess = client.post(reverse("console:quarantine_reprocess", args=[quarantined.pk]))
    assert reprocess.status_code == (302 if sees else 404)


def test_processing_again_says_why_it_is_still_quarantined(client, tess, quarantined):
    client.force_login(tess)
    response = client.post(
        reverse("console:quarantine_reprocess", args=[quarantined.pk]), follow=True
    )
    assert "Still quarantined: It has no sender address" in response.text
