"""The Notify stand-in answers as GOV.UK Notify's v2 API does, so the adapter tests mean
something: the official client gets Notify's shapes, and what Notify refuses is refused."""

import json
import time

import jwt
import pytest
import requests
from notifications_python_client.errors import HTTPError
from notifications_python_client.notifications import NotificationsAPIClient

from tests.notify_server import API_KEY, SECRET, SERVICE_ID, fake_notify_start


@pytest.fixture
def notify():
    server, notify = fake_notify_start()
    yield notify
    server.shutdown()
    server.server_close()


def client(notify, api_key=API_KEY):
    return NotificationsAPIClient(api_key, base_url=notify.base_url)


def post(notify, path, body, token):
    response = requests.post(
        notify.base_url + path,
        data=json.dumps(body),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
        timeout=5,
    )
    return response.status_code, response.json()


def token(secret=SECRET, iss=SERVICE_ID, iat=None, algorithm="HS256"):
    claims = {"iss": iss, "iat": int(time.time()) if iat is None else iat}
    return jwt.encode(claims, secret, algorithm=algorithm)


def test_a_text_is_answered_201_in_notifys_shape(notify):
    template = notify.template_add("sms", "Your case ((reference)) is with ((department))")
    response = client(notify).send_sms_notification(
        phone_number="07700 900123",
        template_id=template,
        personalisation={"reference": "FD-2026-000001", "department": "Waste"},
        reference="frontdoor-sms-1",
    )
    assert set(response) == {"id", "reference", "content", "uri", "template", "scheduled_for"}
    assert response["reference"] == "frontdoor-sms-1"
    assert response["content"] == {
        "body": "Your case FD-2026-000001 is with Waste",
        "from_number": "GOVUK",
    }
    assert response["template"]["id"] == template and response["template"]["version"] == 1
    (received,) = notify.received
    assert received.claims["iss"] == SERVICE_ID
    assert abs(received.claims["iat"] - time.time()) < 5


def test_an_email_is_answered_with_its_subject(notify):
    template = notify.template_add("email", "((body))", subject="((subject))")
    response = client(notify).send_email_notification(
        email_address="jo@example.com",
        template_id=template,
        personalisation={"subject": "Resolved", "body": "All done"},
    )
    assert response["content"]["subject"] == "Resolved"
    assert response["content"]["body"] == "All done"


@pytest.mark.parametrize(
    ("bearer", "message"),
    [
        (token(secret="0" * 36), "Invalid token: signature, api token not found"),
        (token(iss="another-service"), "Invalid token: service not found"),
        (token(iat=int(time.time()) - 120), "Error: Your system clock must be accurate"),
        (token(secret=SECRET * 2, algorithm="HS512"), "Invalid token: algorithm used is not HS256"),
        ("not-a-jwt", "Invalid token: signature, api token not found"),
    ],
)
def test_a_token_notify_would_refuse_is_refused_403(notify, bearer, message):
    template = notify.template_add("sms", "Hello")
    status, body = post(
        notify,
        "/v2/notifications/sms",
        {"template_id": template, "phone_number": "07700900123"},
        bearer,
    )
    assert status == 403
    assert body["status_code"] == 403
    assert body["errors"][0]["error"] == "AuthError"
    assert body["errors"][0]["message"].startswith(message)
    assert notify.received == []


def test_the_official_client_with_a_wrong_key_gets_403(notify):
    wrong = f"frontdoor_tests-{SERVICE_ID}-{'1' * 8}-1111-1111-1111-{'1' * 12}"
    with pytest.raises(HTTPError) as raised:
        client(notify, api_key=wrong).send_sms_notification(
            phone_number="07700900123", template_id=notify.template_add("sms", "Hi")
        )
    assert raised.value.status_code == 403


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"phone_number": "07700900123"}, "template_id is a required property"),
        ({"template_id": "TEMPLATE"}, "phone_number is a required property"),
        ({"template_id": "nope", "phone_number": "07700900123"}, "not a valid UUID"),
        ({"template_id": "TEMPLATE", "phone_number": "020 7946 0000"}, "Not a UK mobile"),
        (
            {"template_id": "TEMPLATE", "phone_number": "07700900123", "personalisation": "x"},
            "is not of type object",
        ),
        (
            {"template_id": "TEMPLATE", "phone_number": "07700900123", "reference": 7},
            "is not of type string",
        ),
    ],
)
def test_a_body_notify_would_not_take_is_refused_400(notify, body, message):
    template = notify.template_add("sms", "Hello")
    body = {k: template if v == "TEMPLATE" else v for k, v in body.items()}
    status, answer = post(notify, "/v2/notifications/sms", body, token())
    assert status == 400
    assert answer["errors"][0]["error"] == "ValidationError"
    assert message in answer["errors"][0]["message"]


def test_missing_personalisation_and_an_unknown_template_are_refused(notify):
    template = notify.template_add("sms", "Case ((reference))")
    with pytest.raises(HTTPError, match="Missing personalisation: reference"):
        client(notify).send_sms_notification(phone_number="07700900123", template_id=template)
    with pytest.raises(HTTPError, match="Template not found"):
        client(notify).send_sms_notification(
            phone_number="07700900123", template_id="6f6a1e7c-0000-4f5e-8d2b-4b1c9f0e7a55"
        )
    email_template = notify.template_add("email", "Hi", subject="Hi")
    with pytest.raises(HTTPError, match="email template is not suitable for sms"):
        client(notify).send_sms_notification(phone_number="07700900123", template_id=email_template)


@pytest.mark.parametrize(
    ("status", "error"),
    [(400, "BadRequestError"), (403, "AuthError"), (429, "RateLimitError"), (500, "Exception")],
)
def test_failures_are_answered_with_notifys_error_body(notify, status, error):
    notify.fail_next(status)
    template = notify.template_add("sms", "Hello")
    with pytest.raises(HTTPError) as raised:
        client(notify).send_sms_notification(phone_number="07700900123", template_id=template)
    assert raised.value.status_code == status
    assert raised.value.message[0]["error"] == error
    # only the next one: the one after is answered as usual
    assert client(notify).send_sms_notification(phone_number="07700900123", template_id=template)
