"""Whatever an app sends, the answer is a success or an error in the standard's shape, never a
server error."""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.intake.open311.conftest import BASE, KEY, errors, report

pytestmark = pytest.mark.django_db

NAMES = [
    "api_key",
    "jurisdiction_id",
    "service_code",
    "lat",
    "long",
    "address_string",
    "address_id",
    "email",
    "device_id",
    "account_id",
    "first_name",
    "last_name",
    "phone",
    "description",
    "media_url",
    "attribute[waste_type][]",
    "attribute[amount]",
    "attribute[details]",
    "attribute[fixmystreet_id]",
    "attribute[uprn]",
    "attribute[]",
    "attribute[",
    "service_request_id",
    "update_id",
    "status",
    "updated_datetime",
    "start_date",
    "end_date",
]
_text = st.text(max_size=300) | st.sampled_from(
    [
        "",
        KEY,
        "fly-tipping",
        "missed-bin",
        "53.8",
        "-1.55",
        "1e999",
        "NaN",
        "-0",
        "van",
        "tyres",
        "https://x.example/a.jpeg",
        "2026-06-01T00:00:00Z",
        "2026-02-30",
        "0001-01-01T00:00:00+14:00",
        "9999-12-31T23:59:59-23:00",
        "REOPEN",
        "FD-2026-000001",
        "\x00",
        "\ud800",
        "x" * 5000,
    ]
)
_params = st.dictionaries(
    st.sampled_from(NAMES) | st.text(max_size=20), st.lists(_text, max_size=3), max_size=12
)
FINE = {200, 201, 400, 403, 404}
SLOW = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def _shaped(response) -> None:
    assert response.status_code in FINE, response.content[:500]
    if response.status_code >= 400:
        assert errors(response)


def _form(params: dict) -> dict:
    # The test client encodes str values; a lone surrogate cannot be, so it goes as a
    # replacement character, as a real client's encoder would send it.
    return {
        k.encode("utf-8", "replace").decode(): [
            v.encode("utf-8", "replace").decode() for v in values
        ]
        for k, values in params.items()
    }


@SLOW
@given(
    params=_params,
    fmt=st.sampled_from(["xml", "json"]),
    endpoint=st.sampled_from(["requests", "servicerequestupdates"]),
)
def test_any_form_post_is_answered_in_the_standards_shape(client, fms, params, fmt, endpoint):
    _shaped(client.post(f"{BASE}{endpoint}.{fmt}", _form(params)))


@SLOW
@given(overrides=_params, fmt=st.sampled_from(["xml", "json"]))
def test_a_good_report_with_any_changes_is_answered_in_the_standards_shape(
    client, fms, overrides, fmt
):
    params = report(**_form(overrides))
    _shaped(client.post(f"{BASE}requests.{fmt}", params))


@SLOW
@given(body=st.binary(max_size=2000) | st.text(max_size=2000).map(str.encode))
def test_any_json_or_xml_body_is_answered_in_the_standards_shape(client, fms, body):
    for kind in ("application/json", "text/xml"):
        _shaped(client.post(f"{BASE}requests.json", body, content_type=kind))


@SLOW
@given(
    data=st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=50),
        lambda children: (
            st.lists(children, max_size=4)
            | st.dictionaries(st.text(max_size=10), children, max_size=4)
        ),
        max_leaves=20,
    )
)
def test_any_json_value_is_answered_in_the_standards_shape(client, fms, data):
    body = json.dumps({**report(), "attribute": data} if isinstance(data, dict) else data)
    _shaped(client.post(f"{BASE}requests.xml", body, content_type="application/json"))


@SLOW
@given(
    params=_params,
    path=st.sampled_from(
        ["requests", "servicerequestupdates", "services", "discovery", "requests/FD-2026-000001"]
    ),
)
def test_any_query_is_answered_in_the_standards_shape(client, fms, params, path):
    _shaped(client.get(f"{BASE}{path}.json", _form(params)))
