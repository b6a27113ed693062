"""A local HTTP server that answers as GOV.UK Notify's v2 API does, for tests: never the
internet.

It takes `POST /v2/notifications/sms` and `/v2/notifications/email` as Notify does: the
bearer token must be a JWT signed HS256 with the API key's secret, `iss` the service id and
`iat` within 30 seconds of now; the body is checked (template_id, phone_number or
email_address, personalisation, reference), the template must exist, be of that type and
have every placeholder filled; the answer is 201 with Notify's response shape, or Notify's
error body ({"status_code": …, "errors": [{"error": …, "message": …}]}). `fail_next(429)`
(or 400, 403, 500) makes the next requests fail as Notify would, to test retries and
permanent failures.

Test modules load it with `pytest_plugins = ["tests.notify_server"]` (tests/conftest.py
does) and take the `notify_server` fixture, which points Frontdoor's settings at it.
"""

from __future__ import annotations

import json
import re
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
import pytest

SERVICE_ID = "0c1e5b39-5b7f-4b58-9d43-0a4f64d3c1a2"
SECRET = "6f6a1e7c-3c3d-4f5e-8d2b-4b1c9f0e7a55"
API_KEY = f"frontdoor_tests-{SERVICE_ID}-{SECRET}"
CLOCK_LEEWAY = 30  # seconds: Notify refuses a token issued further from its own clock

_PLACEHOLDER = re.compile(r"\(\(([^)?]+)\)\)")
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_UK_MOBILE = re.compile(r"^(?:\+44|0044|0)7\d{9}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
SMS_LIMIT = 918

# What Notify answers with each failure, as its documentation gives them.
CANNED_ERRORS = {
    400: ("BadRequestError", "Can't send to this recipient using a team-only API key"),
    403: ("AuthError", "Invalid token: API key not found"),
    429: (
        "RateLimitError",
        "Exceeded rate limit for key type LIVE of 3000 requests per 60 seconds",
    ),
    500: ("Exception", "Internal server error"),
}


@dataclass(frozen=True)
class NotifyTemplateStub:
    kind: str  # "sms" or "email"
    body: str
    subject: str = ""

    @property
    def placeholders(self) -> set[str]:
        return {p.strip().lower() for p in _PLACEHOLDER.findall(self.subject + self.body)}

    def render(self, text: str, values: dict[str, str]) -> str:
        lowered = {key.lower(): value for key, value in values.items()}
        return _PLACEHOLDER.sub(lambda m: str(lowered[m.group(1).strip().lower()]), text)


@dataclass(frozen=True)
class Received:
    """A notification Notify accepted: what was posted, and the token's claims."""

    kind: str
    body: dict[str, Any]
    claims: dict[str, Any]
    id: str
    content: dict[str, Any]


@dataclass
class FakeNotify:
    service_id: str = SERVICE_ID
    secret: str = SECRET
    templates: dict[str, NotifyTemplateStub] = field(default_factory=dict)
    received: list[Received] = field(default_factory=list)
    refused: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    failures: list[int] = field(default_factory=list)
    base_url: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)

    def template_add(self, kind: str, body: str, subject: str = "") -> str:
        template_id = str(uuid.uuid4())
        self.templates[template_id] = NotifyTemplateStub(kind=kind, body=body, subject=subject)
        return template_id

    def fail_next(self, *statuses: int) -> None:
        """The next requests get these answers, in order (400, 403, 429 or 500)."""
        with self.lock:
            self.failures.extend(statuses)

    def answer(self, path: str, headers: Any, raw: bytes) -> tuple[int, dict[str, Any]]:
        kind = {"/v2/notifications/sms": "sms", "/v2/notifications/email": "email"}.get(path)
        if kind is None:
            return _error(404, "ResourceNotFound", "The requested URL was not found on the server.")
        authorisation = headers.get("Authorization", "")
        if not authorisation.startswith("Bearer "):
            return _error(401, "AuthError", "Unauthorized: authentication token must be provided")
        claims, refusal = self._claims(authorisation.removeprefix("Bearer ").strip())
        if refusal:
            return _error(403, "AuthError", refusal)
        with self.lock:
            failure = self.failures.pop(0) if self.failures else None
        if failure is not None:
            return _error(failure, *CANNED_ERRORS[failure])
        try:
            body = json.loads(raw or b"null")
        except ValueError:
            return _error(400, "ValidationError", "Invalid JSON supplied in POST data")
        problems = _validation_problems(kind, body)
        if problems:
            return _errors(400, [("ValidationError", p) for p in problems])
        template = self.templates.get(body["template_id"])
        if template is None:
            return _error(400, "BadRequestError", "Template not found")
        if template.kind != kind:
            return _error(
                400,
                "BadRequestError",
                f"{template.kind} template is not suitable for {kind} notification",
            )
        values = body.get("personalisation") or {}
        missing = sorted(template.placeholders - {key.lower() for key in values})
        if missing:
            return _error(400, "BadRequestError", f"Missing personalisation: {', '.join(missing)}")
        content: dict[str, Any] = {"body": template.render(template.body, values)}
        if kind == "sms":
            if len(content["body"]) > SMS_LIMIT:
                return _error(
                    400,
                    "BadRequestError",
                    f"Text messages cannot be longer than {SMS_LIMIT} characters. Your message "
                    f"is {len(content['body'])} characters",
                )
            content["from_number"] = "GOVUK"
        else:
            content["subject"] = template.render(template.subject, values)
            content["from_email"] = "frontdoor.tests@notifications.service.gov.uk"
            content["one_click_unsubscribe_url"] = None
        notification_id = str(uuid.uuid4())
        with self.lock:
            self.received.append(Received(kind, body, claims, notification_id, content))
        template_id = body["template_id"]
        return 201, {
            "id": notification_id,
            "reference": body.get("reference"),
            "content": content,
            "uri": f"{self.base_url}/v2/notifications/{notification_id}",
            "template": {
                "id": template_id,
                "version": 1,
                "uri": f"{self.base_url}/v2/template/{template_id}/version/1",
            },
            "scheduled_for": None,
        }

    def _claims(self, token: str) -> tuple[dict[str, Any], str]:
        """The token's claims, or why Notify would refuse it (its own wording)."""
        try:
            header = jwt.get_unverified_header(token)
            unverified = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError:
            return {}, "Invalid token: signature, api token not found"
        if header.get("alg") != "HS256":
            return {}, "Invalid token: algorithm used is not HS256"
        if "iss" not in unverified:
            return {}, "Invalid token: iss field not provided"
        if unverified["iss"] != self.service_id:
            return {}, "Invalid token: service not found"
        try:
            claims = jwt.decode(
                token, key=self.secret, algorithms=["HS256"], options={"verify_iat": False}
            )
        except jwt.PyJWTError:
            return {}, "Invalid token: signature, api token not found"
        if "iat" not in claims:
            return {}, "Invalid token: iat field not provided"
        if abs(time.time() - int(claims["iat"])) > CLOCK_LEEWAY:
            return {}, "Error: Your system clock must be accurate to within 30 seconds"
        return claims, ""


def _validation_problems(kind: str, body: Any) -> list[str]:
    if not isinstance(body, dict):
        return ["Invalid JSON supplied in POST data"]
    problems = []
    recipient = "phone_number" if kind == "sms" else "email_address"
    for name in ("template_id", recipient):
        if name not in body:
            problems.append(f"{name} is a required property")
    template_id = body.get("template_id")
    if template_id is not None and not (isinstance(template_id, str) and _UUID.match(template_id)):
        problems.append("template_id is not a valid UUID")
    address = body.get(recipient)
    if address is not None:
        if kind == "sms" and not _UK_MOBILE.match(re.sub(r"[\s()-]", "", str(address))):
            problems.append("phone_number Not a UK mobile number")
        if kind == "email" and not _EMAIL.match(str(address)):
            problems.append("email_address Not a valid email address")
    personalisation = body.get("personalisation")
    if personalisation is not None and not isinstance(personalisation, dict):
        problems.append(f"personalisation {personalisation!r} is not of type object")
    reference = body.get("reference")
    if reference is not None and not isinstance(reference, str):
        problems.append(f"reference {reference!r} is not of type string, null")
    allowed = {"template_id", recipient, "personalisation", "reference"} | (
        {"sms_sender_id"} if kind == "sms" else {"email_reply_to_id", "one_click_unsubscribe_url"}
    )
    for name in sorted(set(body) - allowed):
        problems.append(f"Additional properties are not allowed ({name} was unexpected)")
    return problems


def _error(status: int, error: str, message: str) -> tuple[int, dict[str, Any]]:
    return _errors(status, [(error, message)])


def _errors(status: int, errors: list[tuple[str, str]]) -> tuple[int, dict[str, Any]]:
    return status, {
        "status_code": status,
        "errors": [{"error": error, "message": message} for error, message in errors],
    }


def fake_notify_start() -> tuple[ThreadingHTTPServer, FakeNotify]:
    notify = FakeNotify()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's hook name
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            status, answer = notify.answer(self.path, self.headers, raw)
            if status >= 400:
                with notify.lock:
                    notify.refused.append((status, answer))
            payload = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - its signature
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    notify.base_url = f"http://127.0.0.1:{server.server_port}"
    threading.Thread(
        target=server.serve_forever, args=(0.05,), name="fake-notify", daemon=True
    ).start()
    return server, notify


@pytest.fixture
def notify_server(settings):
    """GOV.UK Notify's v2 API on loopback, with Frontdoor's key and base URL pointing at it."""
    server, notify = fake_notify_start()
    settings.FRONTDOOR_NOTIFY_API_KEY = API_KEY
    settings.FRONTDOOR_NOTIFY_BASE_URL = notify.base_url
    yield notify
    server.shutdown()
    server.server_close()
