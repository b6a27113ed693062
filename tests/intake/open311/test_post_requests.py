import json
from decimal import Decimal

import pytest

from frontdoor.cases.models import Case, Channel, Contact
from frontdoor.intake.open311.models import Open311Client, Open311Request
from frontdoor.intake.open311.services import open311_client_create
from frontdoor.intake.webforms.models import FormSubmission
from frontdoor.notify.models import OutboundEmail
from frontdoor.routing.models import WorkItem
from tests.concurrency import at_once
from tests.intake.open311.conftest import BASE, errors, records, report

pytestmark = pytest.mark.django_db


def test_a_report_becomes_a_case_on_the_apps_open311_contact_point(post, fms):
    response = post("xml")
    assert response.status_code == 201
    (answer,) = records(response)
    case = Case.objects.get(reference=answer["service_request_id"])
    assert case.channel == Channel.OPEN311
    assert case.service.code == "fly-tipping"
    assert (case.latitude, case.longitude) == (Decimal("53.800700"), Decimal("-1.549100"))
    assert case.summary == "Report fly-tipping: Map point 53.800700, -1.549100"
    assert "What has been dumped: Household items or furniture, Black bags" in case.description
    assert "detail: By the bins behind Leeds Road" in case.description
    assert "Photo: https://fixmystreet.example/photo/77.full.jpeg" in case.description
    contact = Contact.objects.get(case=case)
    assert contact.channel == Channel.OPEN311
    assert contact.contact_point == fms.contact_point
    assert contact.source_key == f"open311:{fms.pk}:77"
    assert case.customer.emails.get().address == "jo.bloggs@example.com"
    assert WorkItem.objects.filter(case=case).exists()


def test_the_open311_record_keeps_what_the_app_sent(post, fms):
    post("json", address_string="LS1 4AP", address_id="uprn-1")
    record = Open311Request.objects.get()
    assert record.client == fms
    assert record.client_request_id == "77"
    assert record.attributes == {
        "waste_type": ["household", "bags"],
        "amount": "car_boot",
        "fixmystreet_id": "77",
        "easting": "429800",
    }
    assert (record.address_string, record.address_id) == ("LS1 4AP", "uprn-1")
    assert record.media_url == "https://fixmystreet.example/photo/77.full.jpeg"
    assert record.email == "jo.bloggs@example.com"
    assert record.case.location_postcode == "LS1 4AP"
    assert record.case.location == "LS1 4AP"
    submission = FormSubmission.objects.get(case=record.case)
    assert submission.answers == {"waste_type": ["household", "bags"], "amount": "car_boot"}


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_the_answer_gives_the_reference_the_notice_and_a_token(post, fmt):
    response = post(fmt, account_id="acct-9")
    (answer,) = records(response)
    record = Open311Request.objects.get()
    assert answer["service_request_id"] == record.case.reference
    assert answer["token"] == record.token
    assert answer["service_notice"].startswith("We aim to clear it within 5 working days")
    assert answer["account_id"] == "acct-9"


def test_the_uprn_an_app_sends_is_kept_on_the_case(post):
    post("xml", **{"attribute[uprn]": "100023336956"})
    assert Case.objects.get().location_uprn == 100023336956


def test_fixmystreet_confirms_to_its_users_so_the_council_sends_no_second_email(post):
    post("xml")
    assert Case.objects.get().customer is not None
    assert not OutboundEmail.objects.exists()


def test_an_app_that_asks_for_it_has_the_council_email_the_confirmation(post, fms):
    fms.confirm_by_email = True
    fms.save()
    post("xml")
    case = Case.objects.get()
    email = OutboundEmail.objects.get(case=case)
    assert email.to_address == "jo.bloggs@example.com"
    assert case.reference in email.subject


def test_a_missed_bin_goes_straight_to_the_department_as_on_the_web(post):
    post(
        "xml",
        service_code="missed-bin",
        **{"attribute[bin]": "garden", "attribute[out_by_7am]": "yes"},
    )
    case = Case.objects.get()
    assert case.status == Case.Status.FORWARDED
    assert case.department.name == "Waste and Recycling"


def test_an_anonymous_report_by_address_alone_has_no_customer(post):
    response = post(
        "json",
        lat=None,
        long=None,
        email=None,
        first_name=None,
        last_name=None,
        phone=None,
        address_string="Behind the library, Albion Street",
    )
    assert response.status_code == 201
    case = Case.objects.get()
    assert case.customer is None
    assert case.location == "Behind the library, Albion Street"


def test_the_same_report_posted_again_is_one_case_and_answers_200_with_it(post, fms):
    fms.confirm_by_email = True
    fms.save()
    first = records(post("xml"))[0]
    again = post("json", description="A retry with other words")
    assert again.status_code == 200
    assert records(again)[0]["service_request_id"] == first["service_request_id"]
    assert Case.objects.count() == 1 and Open311Request.objects.count() == 1
    assert OutboundEmail.objects.count() == 1


def test_without_the_apps_own_id_the_same_content_is_one_case_and_other_content_another(post):
    first = post("xml", **{"attribute[fixmystreet_id]": None})
    again = post("xml", **{"attribute[fixmystreet_id]": None})
    other = post("xml", **{"attribute[fixmystreet_id]": None}, description="Another pile")
    assert (first.status_code, again.status_code, other.status_code) == (201, 200, 201)
    assert records(first)[0]["service_request_id"] == records(again)[0]["service_request_id"]
    assert Case.objects.count() == 2


def test_two_apps_may_use_the_same_own_id(client, post):
    _, other_key = open311_client_create(name="Council app")
    post("xml")
    response = client.post(f"{BASE}requests.xml", report(api_key=other_key))
    assert response.status_code == 201
    assert Case.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_the_same_report_posted_twice_at_once_makes_one_case(council, client):
    from django.test import Client

    Open311Client.objects.filter(name="FixMyStreet").update(confirm_by_email=True)

    def send() -> tuple[int, str]:
        response = Client().post(f"{BASE}requests.json", report())
        return response.status_code, json.loads(response.content)[0]["service_request_id"]

    results = at_once(send, threads=4)
    assert sorted(code for code, _ in results) == [200, 200, 200, 201]
    assert len({reference for _, reference in results}) == 1
    assert Case.objects.count() == 1 and Open311Request.objects.count() == 1
    assert Contact.objects.count() == 1 and OutboundEmail.objects.count() == 1


def test_a_json_body_is_read_like_a_form(client, fms):
    body = report()
    body.pop("attribute[waste_type][]")
    body["attribute"] = {"waste_type": ["tyres"]}
    response = client.post(f"{BASE}requests.json", body, content_type="application/json")
    assert response.status_code == 201
    assert FormSubmission.objects.get().answers["waste_type"] == ["tyres"]


def test_an_xml_body_is_read_like_a_form(client, fms):
    body = b"""<?xml version="1.0" encoding="UTF-8"?>
<service_request>
  <api_key>fixmystreet-demo-key</api_key><service_code>fly-tipping</service_code>
  <lat>53.8</lat><long>-1.55</long><description>Tyres</description>
  <attribute><waste_type>tyres</waste_type><waste_type>bags</waste_type>
    <amount>van</amount><fixmystreet_id>x-1</fixmystreet_id></attribute>
</service_request>"""
    response = client.post(f"{BASE}requests.xml", body, content_type="text/xml")
    assert response.status_code == 201
    assert FormSubmission.objects.get().answers == {
        "waste_type": ["tyres", "bags"],
        "amount": "van",
    }
    assert Open311Request.objects.get().client_request_id == "x-1"


# --- What is refused ------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["xml", "json"])
@pytest.mark.parametrize("key", [None, "", "not-a-key"])
def test_a_missing_or_wrong_key_is_a_403(post, fmt, key):
    response = post(fmt, api_key=key)
    assert response.status_code == 403
    assert errors(response)[0][0] == 403
    assert not Case.objects.exists()


def test_the_key_of_an_inactive_client_is_a_403(post, fms):
    fms.is_active = False
    fms.save()
    assert post("xml").status_code == 403
    assert not Case.objects.exists()


def test_a_get_of_requests_needs_no_key_but_a_post_is_never_taken_without_one(client, fms):
    assert client.get(f"{BASE}requests.xml").status_code == 200
    assert client.post(f"{BASE}requests.xml", report(api_key=None)).status_code == 403


REFUSED = [
    ({"service_code": "potholes"}, "service_code 'potholes' is not a service offered here"),
    ({"service_code": None}, "service_code is required"),
    ({"lat": None, "long": None}, "Give the location"),
    ({"long": None}, "Give both lat and long"),
    ({"lat": "north"}, "lat must be a number"),
    ({"lat": "91"}, "lat must be a number from -90 to 90"),
    ({"long": "NaN"}, "long must be a number from -180 to 180"),
    ({"attribute[amount]": "boat"}, "attribute[amount]: Select one of the options"),
    ({"attribute[amount]": None}, "attribute[amount]: Select how much is there"),
    ({"attribute[waste_type][]": ["tyres", "gold"]}, "attribute[waste_type]: Select from"),
    ({"media_url": "https://x.example/" + "a" * 2000}, "media_url must be 2,000 characters"),
    ({"media_url": "ftp://x.example/a.jpeg"}, "media_url must be an http or https address"),
    ({"media_url": "javascript:alert(1)"}, "media_url must be an http or https address"),
    ({"description": "x" * 4001}, "description must be 4,000 characters or fewer"),
    ({"email": "not an email"}, "email must be an email address"),
    ({"phone": "12"}, "phone must be a phone number"),
    ({"address_string": "x" * 301, "lat": None, "long": None}, "address_string must be 300"),
    ({"attribute[fixmystreet_id]": "9" * 101}, "attribute[fixmystreet_id] must be 100"),
    ({"description": "nul\x00byte"}, "description contains a NUL character"),
]


@pytest.mark.parametrize("fmt", ["xml", "json"])
@pytest.mark.parametrize(("overrides", "said"), REFUSED, ids=[s for _, s in REFUSED])
def test_bad_input_is_a_400_saying_what_is_wrong_and_nothing_is_saved(post, fmt, overrides, said):
    response = post(fmt, **overrides)
    assert response.status_code == 400
    assert all(code == 400 for code, _ in errors(response))
    assert any(said in description for _, description in errors(response)), errors(response)
    assert not Case.objects.exists() and not Open311Request.objects.exists()


def test_a_number_attribute_is_checked_as_the_form_checks_it(post):
    from frontdoor.intake.webforms.models import RequestForm

    form = RequestForm.objects.get(slug="bulky-waste")
    form.offered_over_open311 = True
    form.save()
    response = post(
        "json",
        service_code="bulky-waste",
        **{"attribute[items][]": ["sofa"]},
        **{"attribute[item_count]": "11"},
    )
    assert response.status_code == 400
    said = [d for _, d in errors(response)]
    assert "attribute[item_count]: How many items are there must be 10 or fewer" in said
    assert any(d.startswith("attribute[collection_date]: ") for d in said)


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        (b"{not json", "application/json"),
        (b"[1, 2]", "application/json"),
        (b'{"api_key": {"a": 1}}', "application/json"),
        (b"\xff\xfe", "application/json"),
        (b"<request><unclosed></request>", "text/xml"),
        (
            b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa">'
            b'<!ENTITY b "&a;&a;&a;&a;&a;&a;">]><r><api_key>&b;</api_key></r>',
            "application/xml",
        ),
        (
            b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            b"<r><description>&x;</description></r>",
            "text/xml",
        ),
    ],
    ids=["broken", "not-an-object", "nested", "not-utf8", "broken-xml", "entity-bomb", "xxe"],
)
def test_a_body_that_cannot_be_read_is_a_400(client, fms, body, kind):
    response = client.post(f"{BASE}requests.xml", body, content_type=kind)
    assert response.status_code == 400
    assert errors(response)[0][0] == 400


def test_a_report_the_write_path_refuses_is_a_400_in_its_words(post, monkeypatch):
    from django.core.exceptions import ValidationError

    from frontdoor.intake.open311 import views

    def taken(**kwargs):
        raise ValidationError("That collection date has just been taken. Choose another date.")

    monkeypatch.setattr(views, "open311_request_submit", taken)
    response = post("json")
    assert response.status_code == 400
    assert errors(response) == [
        (400, "That collection date has just been taken. Choose another date.")
    ]


def test_only_the_open311_views_are_exempt_from_csrf(fms):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    assert strict.post(f"{BASE}requests.xml", report()).status_code == 201
    assert strict.post("/forms/fly-tipping/questions-1/", {}).status_code == 403


def test_a_keen_reporter_is_not_held_to_the_web_forms_hourly_limit(post):
    from frontdoor.intake.webforms.services import SUBMISSIONS_PER_HOUR_FROM_AN_EMAIL

    for n in range(SUBMISSIONS_PER_HOUR_FROM_AN_EMAIL + 2):
        assert post("json", **{"attribute[fixmystreet_id]": f"keen-{n}"}).status_code == 201
