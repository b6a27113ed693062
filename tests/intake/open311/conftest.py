"""An Open311 app's side of the conversation: FixMyStreet's demo client, its reports, and the
answers read back as FixMyStreet reads them (XML) or as JSON."""

import json
from typing import Any

import defusedxml.ElementTree as SafeET
import pytest

from frontdoor.demo.open311 import DEMO_API_KEY
from frontdoor.intake.open311.models import Open311Client

BASE = "/open311/v2/"
KEY = DEMO_API_KEY
JURISDICTION = "frontdoor.example"


def report(**overrides: Any) -> dict[str, Any]:
    """A fly-tipping report as FixMyStreet posts one; None drops a parameter."""
    params: dict[str, Any] = {
        "api_key": KEY,
        "jurisdiction_id": JURISDICTION,
        "service_code": "fly-tipping",
        "lat": "53.800700",
        "long": "-1.549100",
        "email": "jo.bloggs@example.com",
        "first_name": "Jo",
        "last_name": "Bloggs",
        "phone": "07911 123456",
        "description": "title: Mattress dumped\n\ndetail: By the bins behind Leeds Road",
        "media_url": "https://fixmystreet.example/photo/77.full.jpeg",
        "attribute[waste_type][]": ["household", "bags"],
        "attribute[amount]": "car_boot",
        "attribute[fixmystreet_id]": "77",
        "attribute[easting]": "429800",
    }
    params.update(overrides)
    return {k: v for k, v in params.items() if v is not None}


def records(response, item: str = "request") -> list[dict[str, Any]]:
    """The answer's items as plain dicts, from XML (children of the root's `item` elements,
    nested lists flattened to lists of dicts) or from JSON."""
    if response["Content-Type"].startswith("application/json"):
        data = json.loads(response.content)
        return data if isinstance(data, list) else [data]
    assert response.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    root = SafeET.fromstring(response.content)
    return [_plain(element) for element in root.findall(item)]


def xml_root(response):
    assert response["Content-Type"].startswith("text/xml")
    return SafeET.fromstring(response.content)


LISTS = {"attributes", "values", "endpoints", "formats"}


def _plain(element) -> Any:
    if element.tag in LISTS:
        return [_plain(child) for child in element]
    children = list(element)
    if not children:
        return element.text or ""
    return {child.tag: _plain(child) for child in children}


def errors(response) -> list[tuple[int, str]]:
    if response["Content-Type"].startswith("application/json"):
        return [(e["code"], e["description"]) for e in json.loads(response.content)]
    root = xml_root(response)
    assert root.tag == "errors"
    return [
        (int(e.findtext("code")), e.findtext("description") or "") for e in root.findall("error")
    ]


@pytest.fixture
def fms(council) -> Open311Client:
    return Open311Client.objects.select_related("contact_point").get(name="FixMyStreet")


@pytest.fixture
def post(client, fms):
    """POST requests.<fmt> with a report (overrides as for report())."""

    def send(fmt: str = "xml", **overrides: Any):
        return client.post(f"{BASE}requests.{fmt}", report(**overrides))

    return send
