import json
from datetime import timedelta

import pytest
from django.utils import timezone

from frontdoor.core.models import Council
from frontdoor.intake.webforms.models import CollectionSlot, FormField, RequestForm
from tests.intake.open311.conftest import BASE, errors, records, xml_root

pytestmark = pytest.mark.django_db


def test_discovery_names_the_endpoint_and_both_formats_in_xml(client, council):
    response = client.get(f"{BASE}discovery.xml")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    root = xml_root(response)
    assert root.tag == "discovery"
    assert root.findtext("changeset")
    assert "Frontdoor Borough Council" in root.findtext("contact")
    endpoint = root.find("endpoints/endpoint")
    assert endpoint.findtext("url") == "http://testserver/open311/v2/"
    assert endpoint.findtext("specification") == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint.findtext("type") == "production"
    assert [f.text for f in endpoint.findall("formats/format")] == [
        "text/xml",
        "application/json",
    ]


def test_discovery_in_json(client, council):
    response = client.get(f"{BASE}discovery.json")
    assert response["Content-Type"] == "application/json; charset=utf-8"
    data = json.loads(response.content)
    assert data["endpoints"][0]["formats"] == ["text/xml", "application/json"]
    assert data["endpoints"][0]["url"].endswith("/open311/v2/")


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_services_are_the_forms_offered_over_open311(client, council, fmt):
    response = client.get(f"{BASE}services.{fmt}")
    assert response.status_code == 200
    services = {s["service_code"]: s for s in records(response, "service")}
    assert set(services) == {"missed-bin", "fly-tipping"}
    fly = services["fly-tipping"]
    assert fly["service_name"] == "Fly-tipping"
    assert fly["group"] == "Street care"
    assert fly["keywords"] == "rubbish, dumping, waste"
    assert fly["type"] == "realtime"
    assert fly["metadata"] in ("true", True)
    assert fly["description"].startswith("Tell us where the rubbish is")


def test_a_form_not_offered_or_not_published_is_no_service(client, council):
    fly, bin_ = (
        RequestForm.objects.get(slug="fly-tipping"),
        RequestForm.objects.get(slug="missed-bin"),
    )
    fly.offered_over_open311, bin_.is_published = False, False
    fly.save()
    bin_.save()
    response = client.get(f"{BASE}services.json")
    assert json.loads(response.content) == []


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_a_service_definition_gives_the_forms_questions_as_attributes(client, council, fmt):
    response = client.get(f"{BASE}services/fly-tipping.{fmt}")
    assert response.status_code == 200
    (definition,) = records(response, ".") if fmt == "xml" else records(response)
    assert definition["service_code"] == "fly-tipping"
    attributes = {a["code"]: a for a in definition["attributes"]}
    assert list(attributes) == ["waste_type", "amount", "details"]
    waste = attributes["waste_type"]
    assert waste["datatype"] == "multivaluelist"
    assert waste["required"] in ("true", True)
    assert waste["variable"] in ("true", True)
    assert waste["order"] in ("1", 1)
    assert waste["description"] == "What has been dumped? Select all that apply."
    assert {"key": "tyres", "name": "Tyres"} in waste["values"]
    assert attributes["amount"]["datatype"] == "singlevaluelist"
    assert attributes["details"]["datatype"] == "text"
    assert attributes["details"]["required"] in ("false", False)
    assert attributes["details"]["values"] == []


def test_every_form_field_type_has_its_open311_datatype(client, council):
    form = RequestForm.objects.get(slug="bulky-waste")
    form.offered_over_open311 = True
    form.save()
    FormField.objects.create(form=form, code="seen_on", label="When", datatype="date", page=3)
    FormField.objects.create(form=form, code="note", label="Note", datatype="text", page=3)
    tomorrow = timezone.localdate() + timedelta(days=1)
    CollectionSlot.objects.filter(form=form).delete()
    CollectionSlot.objects.create(form=form, date=tomorrow, capacity=2)
    response = client.get(f"{BASE}services/bulky-waste.json")
    attributes = {a["code"]: a for a in json.loads(response.content)["attributes"]}
    assert {code: a["datatype"] for code, a in attributes.items()} == {
        "items": "multivaluelist",
        "item_count": "number",
        "other_items": "text",
        "collection_date": "singlevaluelist",
        "seen_on": "datetime",
        "note": "string",
    }
    assert attributes["item_count"]["datatype_description"] == "A whole number from 1 to 10"
    assert [v["key"] for v in attributes["collection_date"]["values"]] == [tomorrow.isoformat()]


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_an_unknown_service_is_a_404_in_the_standards_shape(client, council, fmt):
    response = client.get(f"{BASE}services/potholes.{fmt}")
    assert response.status_code == 404
    ((code, description),) = errors(response)
    assert code == 404 and "potholes" in description


def test_an_unknown_format_is_a_400_in_xml(client, council):
    response = client.get(f"{BASE}services.csv")
    assert response.status_code == 400
    assert errors(response) == [(400, "Ask for .xml or .json, not .csv")]


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_an_unknown_path_is_a_404_in_the_standards_shape(client, council, fmt):
    response = client.get(f"{BASE}nothing/here.{fmt}")
    assert response.status_code == 404
    assert errors(response)[0][0] == 404


def test_a_method_the_endpoint_does_not_take_is_a_405_saying_what_it_takes(client, council):
    response = client.delete(f"{BASE}services.json")
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
    assert errors(response)[0][0] == 405


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_another_jurisdiction_is_a_400(client, council, fmt):
    response = client.get(f"{BASE}services.{fmt}", {"jurisdiction_id": "elsewhere.gov.uk"})
    assert response.status_code == 400
    ((_, description),) = errors(response)
    assert "elsewhere.gov.uk" in description and "frontdoor.example" in description


def test_the_councils_jurisdiction_is_accepted_and_may_be_left_out(client, council):
    assert (
        client.get(f"{BASE}services.xml", {"jurisdiction_id": "FRONTDOOR.example"}).status_code
        == 200
    )
    assert client.get(f"{BASE}services.xml").status_code == 200


def test_a_council_that_requires_the_jurisdiction_refuses_calls_without_it(client, db):
    from frontdoor.demo.council import council_build

    council_build()
    council = Council.objects.get()
    council.open311_jurisdiction_required, council.open311_jurisdiction_id = True, "leeds.gov.uk"
    council.save()
    response = client.get(f"{BASE}services.json")
    assert response.status_code == 400
    assert "jurisdiction_id is required" in errors(response)[0][1]
    assert (
        client.get(f"{BASE}services.json", {"jurisdiction_id": "leeds.gov.uk"}).status_code == 200
    )
