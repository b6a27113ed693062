import pytest
from django.urls import reverse

from frontdoor.cases.models import Case
from frontdoor.intake.webforms.models import CollectionSlot, RequestForm
from frontdoor.notify.models import OutboundEmail


def step(slug, name, change=False):
    return reverse("webform_step", args=[slug, name]) + ("?change=1" if change else "")


def walk_fly_tipping(client, *, email="jo@example.com"):
    client.get(reverse("webform_start", args=["fly-tipping"]))
    for name, data in [
        ("questions-1", {"waste_type": ["bags", "tyres"]}),
        ("questions-2", {"amount": "van"}),
        ("questions-3", {"details": ""}),
        ("where", {"location": "Behind the shops on Leeds Road", "postcode": "ls11ur"}),
        ("about-you", {"name": "Jo Bloggs", "email": email, "phone": ""}),
    ]:
        response = client.post(step("fly-tipping", name), data)
        assert response.status_code == 302, (name, response.content.decode()[:2000])
    return response


def test_the_forms_are_listed_for_the_public(client, council):
    page = client.get(reverse("webform_list")).content.decode()
    for title in ["Report a missed bin", "Book a bulky waste collection", "Report fly-tipping"]:
        assert title in page


def test_a_resident_reports_fly_tipping_checks_and_gets_the_reference(client, council):
    last = walk_fly_tipping(client)
    assert last.url == step("fly-tipping", "check")
    check = client.get(last.url).content.decode()
    assert "Black bags, Tyres" in check
    assert "LS1 1UR" in check
    sent = client.post(step("fly-tipping", "check"))
    assert sent.url == reverse("webform_done", args=["fly-tipping"])
    case = Case.objects.get()
    done = client.get(sent.url).content.decode()
    assert case.reference in done
    assert "jo@example.com" in done
    assert OutboundEmail.objects.get(case=case).to_address == "jo@example.com"


def test_sending_twice_makes_one_case(client, council):
    walk_fly_tipping(client)
    client.post(step("fly-tipping", "check"))
    again = client.post(step("fly-tipping", "check"))
    assert again.url == reverse("webform_done", args=["fly-tipping"])
    assert Case.objects.count() == 1


def test_a_missing_answer_is_shown_in_the_error_summary_linked_to_the_field(client, council):
    client.get(reverse("webform_start", args=["fly-tipping"]))
    page = client.post(step("fly-tipping", "questions-1"), {}).content.decode()
    assert "There is a problem" in page
    assert 'href="#id_waste_type_0"' in page
    assert "Select at least one option" in page
    assert "<title>Error: " in page


def test_a_wrong_postcode_says_what_to_type(client, council):
    client.get(reverse("webform_start", args=["fly-tipping"]))
    client.post(step("fly-tipping", "questions-1"), {"waste_type": ["bags"]})
    client.post(step("fly-tipping", "questions-2"), {"amount": "van"})
    client.post(step("fly-tipping", "questions-3"), {"details": ""})
    page = client.post(step("fly-tipping", "where"), {"location": "x", "postcode": "nope"})
    assert "Enter a real postcode, like LS1 1UR" in page.content.decode()


def test_skipping_ahead_goes_back_to_the_first_question_not_answered(client, council):
    response = client.get(step("fly-tipping", "about-you"))
    assert response.url == step("fly-tipping", "questions-1")
    assert client.get(step("fly-tipping", "check")).url == step("fly-tipping", "questions-1")


def test_change_returns_to_check_your_answers(client, council):
    walk_fly_tipping(client)
    response = client.post(step("fly-tipping", "questions-2", change=True), {"amount": "lorry"})
    assert response.url == step("fly-tipping", "check")
    assert "A lorry load or more" in client.get(response.url).content.decode()


def test_fly_tipping_may_be_reported_without_a_name_or_email(client, council):
    walk_fly_tipping(client, email="")
    client.post(step("fly-tipping", "check"))
    case = Case.objects.get()
    assert case.customer is None
    done = client.get(reverse("webform_done", args=["fly-tipping"])).content.decode()
    assert "Make a note of your reference" in done


def test_a_missed_bin_needs_an_email(client, council):
    client.get(reverse("webform_start", args=["missed-bin"]))
    client.post(step("missed-bin", "questions-1"), {"bin": "general"})
    client.post(step("missed-bin", "questions-2"), {"out_by_7am": "yes"})
    client.post(step("missed-bin", "where"), {"location": "12 Leeds Road", "postcode": ""})
    page = client.post(step("missed-bin", "about-you"), {"name": "Jo", "email": ""})
    assert "Enter your email address" in page.content.decode()


def test_a_robot_that_fills_the_hidden_box_gets_no_case(client, council):
    client.get(reverse("webform_start", args=["general-enquiry"]))
    client.post(step("general-enquiry", "questions-1"), {"question": "Buy cheap watches"})
    page = client.post(
        step("general-enquiry", "about-you"),
        {"name": "Bot", "email": "bot@example.com", "website": "http://spam.example"},
    )
    assert "We could not accept this form" in page.content.decode()
    assert client.get(step("general-enquiry", "check")).status_code == 302
    assert not Case.objects.exists()


def test_a_taken_collection_date_sends_them_back_to_choose_another(client, council):
    slot = CollectionSlot.objects.filter(form__slug="bulky-waste").first()
    client.get(reverse("webform_start", args=["bulky-waste"]))
    client.post(step("bulky-waste", "questions-1"), {"items": ["sofa"], "item_count": "2"})
    client.post(step("bulky-waste", "questions-2"), {"collection_date": slot.date.isoformat()})
    client.post(step("bulky-waste", "where"), {"location": "12 Leeds Road"})
    client.post(step("bulky-waste", "about-you"), {"name": "Jo Bloggs", "email": "jo@example.com"})
    CollectionSlot.objects.filter(pk=slot.pk).update(booked=slot.capacity)
    response = client.post(step("bulky-waste", "check"))
    assert response.url == step("bulky-waste", "questions-2") + "?taken=1"
    page = client.get(response.url).content.decode()
    assert "has just been taken" in page
    assert slot.date.isoformat() not in page
    assert not Case.objects.exists()


def test_numbers_out_of_range_are_refused_with_the_limit(client, council):
    client.get(reverse("webform_start", args=["bulky-waste"]))
    page = client.post(step("bulky-waste", "questions-1"), {"items": ["sofa"], "item_count": "40"})
    assert "must be 10 or fewer" in page.content.decode()


@pytest.mark.parametrize("slug", ["no-such-form", "feedback"])
def test_an_unknown_or_closed_form_is_not_found(client, council, slug):
    RequestForm.objects.filter(slug="feedback").update(is_published=False)
    assert client.get(reverse("webform_start", args=[slug])).status_code == 404
    assert client.get(step(slug, "questions-1")).status_code == 404


def test_the_confirmation_page_is_only_for_whoever_sent_the_form(client, council):
    assert client.get(reverse("webform_done", args=["fly-tipping"])).status_code == 302
