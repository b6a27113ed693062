"""The OpenAPI schema at /api/openapi.json and the reference page at /api/, served from our
own static files."""

import re

import pytest
from django.contrib.staticfiles import finders
from openapi_spec_validator import validate

from frontdoor.api import schemas
from frontdoor.cases.models import Case
from frontdoor.customers.models import Customer

PATHS = {
    "/api/v1/cases": {"get", "post"},
    "/api/v1/cases/{reference}": {"get"},
    "/api/v1/customers": {"get", "post"},
    "/api/v1/customers/{customer_id}": {"get"},
}


@pytest.fixture
def schema(client, db):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    return response.json()


def test_the_schema_is_valid_openapi_3_and_has_every_operation(schema):
    validate(schema)
    assert schema["openapi"].startswith("3.")
    assert {path: set(ops) for path, ops in schema["paths"].items()} == PATHS


def test_every_operation_asks_for_a_bearer_key(schema):
    (scheme,) = schema["components"]["securitySchemes"].values()
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    for operations in schema["paths"].values():
        for operation in operations.values():
            assert operation["security"], operation["operationId"]
            assert "401" in operation["responses"], operation["operationId"]


def test_operations_are_named_for_client_generators(schema):
    ids = {op["operationId"] for ops in schema["paths"].values() for op in ops.values()}
    assert ids == {
        "case_create",
        "case_list",
        "case_get",
        "customer_create",
        "customer_search",
        "customer_get",
    }


def test_the_reference_page_is_served_and_loads_nothing_from_another_site(client, db):
    response = client.get("/api/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "/api/openapi.json" in page
    assets = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert assets and all(url.startswith("/static/") for url in assets), assets
    for url in assets:
        assert finders.find(url.removeprefix("/static/")), url
    assert "https://" not in page and "http://" not in page


@pytest.mark.parametrize(
    ("schema_enum", "choices"),
    [
        (schemas.CaseKind, Case.Kind),
        (schemas.CaseStatus, Case.Status),
        (schemas.CustomerKind, Customer.Kind),
    ],
)
def test_the_apis_choices_are_the_models(schema_enum, choices):
    assert [member.value for member in schema_enum] == list(choices.values)


def test_the_apis_priorities_are_the_models_in_order():
    assert [p.value for p in schemas.CasePriority] == [
        label.lower() for label in Case.Priority.labels
    ]


def test_an_unknown_api_address_answers_in_json(client, db):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.json()["detail"]
