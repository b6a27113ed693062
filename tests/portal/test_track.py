"""Following one case without an account: its reference and the email it was raised with.
Any wrong pair gets the same answer, and failures are limited."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from frontdoor.cases.models import Channel
from frontdoor.portal.models import RateLimitHit
from tests.factories import case_for

NOT_FOUND = "We could not find a case with that reference and email address"


@pytest.fixture
def case(cara_customer, ava):
    return case_for(customer=cara_customer, actor=ava, channel=Channel.PHONE)


def track(client, reference, email, **extra):
    return client.post("/track/", {"reference": reference, "email": email}, **extra)


def test_the_right_pair_shows_the_cases_progress(client, case):
    response = track(client, case.reference.lower(), "CARA@example.com", follow=True)
    page = response.content.decode()
    assert case.reference in page and "Progress" in page and "You got in touch by phone" in page
    assert "Add an update" not in page


def test_a_wrong_pair_gets_one_answer_whichever_part_is_wrong(client, case, carl_customer):
    other = case_for(customer=carl_customer)
    answers = [
        track(client, case.reference, "carl@example.com"),
        track(client, "FD-1999-000001", "cara@example.com"),
        track(client, other.reference, "cara@example.com"),
    ]
    for answer in answers:
        page = answer.content.decode()
        # the one message above the form, and nothing said of either field
        assert page.count(NOT_FOUND) == 1 and "govuk-error-message" not in page
    assert all(a.status_code == 200 for a in answers)


def test_the_case_page_needs_the_look_up_first(client, case):
    assert client.get(f"/track/{case.reference}/").status_code == 404
    track(client, case.reference, "cara@example.com")
    assert client.get(f"/track/{case.reference}/").status_code == 200


def test_failures_for_one_reference_are_limited(client, case):
    for _ in range(5):
        assert track(client, case.reference, "guess@example.com").status_code == 200
    refused = track(client, case.reference, "cara@example.com")  # right, but too late
    assert refused.status_code == 429
    assert "You have tried too many times" in refused.content.decode()


def test_failures_from_one_address_are_limited(client, case):
    for number in range(10):
        track(client, f"FD-2026-{number:06d}", "guess@example.com", REMOTE_ADDR="192.0.2.7")
    refused = track(client, case.reference, "cara@example.com", REMOTE_ADDR="192.0.2.7")
    assert refused.status_code == 429
    other_address = track(client, case.reference, "cara@example.com", REMOTE_ADDR="192.0.2.8")
    assert other_address.status_code == 302


def test_failures_for_one_email_address_are_limited_from_any_connection(client, case):
    for number in range(10):
        track(
            client,
            f"FD-2026-{number + 100:06d}",
            "cara@example.com",
            REMOTE_ADDR=f"192.0.2.{number}",
        )
    refused = track(client, case.reference, "CARA@example.com", REMOTE_ADDR="198.51.100.1")
    assert refused.status_code == 429


def test_empty_fields_are_named_in_the_error_summary(client, council):
    page = client.post("/track/", {"reference": "", "email": ""}).content.decode()
    assert 'href="#id_reference">Enter your case reference' in page
    assert 'href="#id_email">Enter your email address' in page


def test_hits_too_old_to_count_are_forgotten(client, case):
    track(client, case.reference, "guess@example.com", REMOTE_ADDR="192.0.2.7")
    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        track(client, "FD-2026-999999", "guess@example.com", REMOTE_ADDR="192.0.2.9")
    assert set(RateLimitHit.objects.values_list("key", flat=True)) == {
        "192.0.2.9",
        "FD-2026-999999",
        "guess@example.com",
    }
