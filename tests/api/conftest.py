"""Keys for the API tests, issued as the admin issues them, and a client that sends them."""

import json

import pytest
from django.test import Client

from frontdoor.api.services import ApiKeyDraft, api_key_issue
from frontdoor.directory.models import Department, Service


def issue(ada, name: str, **scope) -> str:
    """The whole key for a new API key (issued by ada) with this scope."""
    departments = [Department.objects.get(name=n) for n in scope.pop("departments", [])]
    services = [Service.objects.get(code=c) for c in scope.pop("services", [])]
    draft = ApiKeyDraft(name=name, departments=departments, services=services, **scope)
    return api_key_issue(draft=draft, actor=ada).secret


class ApiClient:
    """Django's test client, speaking JSON with a key (or with the header given)."""

    def __init__(self, key: str | None = None, *, client: Client | None = None) -> None:
        self.client = client or Client()
        self.key = key

    def _headers(self, headers):
        sent = {} if self.key is None else {"Authorization": f"Bearer {self.key}"}
        return {**sent, **(headers or {})}

    def get(self, path, data=None, headers=None):
        return self.client.get(path, data, headers=self._headers(headers))

    def post(self, path, body=None, *, raw=None, headers=None):
        content = raw if raw is not None else json.dumps(body)
        return self.client.post(
            path, content, content_type="application/json", headers=self._headers(headers)
        )


@pytest.fixture
def waste_key(council, ada):
    """Waste and Recycling's round-management system: reads and opens its cases, for the
    customers it names."""
    return issue(
        ada,
        "Waste rounds",
        departments=["Waste and Recycling"],
        may_create_cases=True,
        may_use_customers=True,
    )


@pytest.fixture
def street_app(council, ada):
    """A street-reporting app: opens Waste and Recycling's cases, with no customer records."""
    return ApiClient(
        issue(ada, "Street app", departments=["Waste and Recycling"], may_create_cases=True)
    )


@pytest.fixture
def waste(waste_key):
    return ApiClient(waste_key)


@pytest.fixture
def crm(council, ada):
    """The council's CRM sync: every service, customers too, but no restricted cases."""
    return ApiClient(
        issue(ada, "CRM", every_service=True, may_create_cases=True, may_use_customers=True)
    )


@pytest.fixture
def social_care(council, ada):
    """Social care's case system: its restricted service, allowed to see it."""
    return ApiClient(
        issue(
            ada,
            "Social care system",
            services=["adult-social-care"],
            may_view_restricted=True,
            may_create_cases=True,
        )
    )
