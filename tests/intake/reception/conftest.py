import pytest

from frontdoor.directory.models import ContactPoint, Service


@pytest.fixture
def desk(council):
    """The demo council's Civic Centre reception, which issues tickets for seven services."""
    return ContactPoint.objects.get(name="Civic Centre reception")


@pytest.fixture
def council_tax(council):
    return Service.objects.get(code="council-tax")


@pytest.fixture
def blue_badge(council):
    return Service.objects.get(code="blue-badge")
