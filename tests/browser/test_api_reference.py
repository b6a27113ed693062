"""The API's reference page in a real browser: Swagger UI from our own static files."""

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_api_reference_renders_every_operation_from_this_server_alone(page, live_server):
    asked = []
    page.on("request", lambda request: asked.append(request.url))
    page.goto("/api/")
    for summary in ("Open a case", "List cases", "Read a case", "Add a customer"):
        expect(page.get_by_text(summary, exact=True)).to_be_visible()
    ours = urlsplit(live_server.url).netloc
    assert asked and {urlsplit(url).netloc for url in asked} == {ours}, asked
