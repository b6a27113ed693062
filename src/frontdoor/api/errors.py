"""Errors as JSON a caller can act on: {"detail": what to do, "errors": {field: [messages]}}."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import HttpError
from ninja.errors import ValidationError as NinjaValidationError

CHECK_FIELDS = "Some fields are not right: see errors, by field."
# Where ninja says a value came from; the first part of every error location.
_SOURCES = {"body", "query", "path", "header", "cookie", "form", "file"}
# Pydantic's wording, in words a developer at the council would use.
_PLAINER = {
    "Field required": "This field is required",
    "Extra inputs are not permitted": "This field is not known: check its spelling",
}


class ApiProblem(Exception):
    """A request the API cannot do, with the HTTP status to say so."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        errors: Mapping[str, Iterable[str]] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.errors = {field: list(messages) for field, messages in (errors or {}).items()}
        self.extra = extra


def field_errors(error: DjangoValidationError, *, prefix: str = "") -> dict[str, list[str]]:
    """A Django ValidationError's messages by field path ("body" for those of no field)."""
    if not hasattr(error, "error_dict"):
        return {prefix.rstrip(".") or "body": list(error.messages)}
    return {
        f"{prefix}{'body' if field == '__all__' else field}": list(messages)
        for field, messages in error.message_dict.items()
    }


def _path(location: Iterable[Any], params: set[str]) -> str:
    parts = [str(p) for p in location]
    if parts and parts[0] in _SOURCES:
        parts = parts[1:]
    if parts and parts[0] in params:
        parts = parts[1:]
    return ".".join(parts) or "body"


# Pydantic's error types whose own wording helps nobody, and what to say instead.
_BY_TYPE = dict.fromkeys(
    ("datetime_parsing", "datetime_from_date_parsing", "datetime_type", "timezone_aware"),
    "Enter a time in ISO 8601 with its time zone, like 2026-03-02T09:30:00+00:00",
)


def _message(error: Mapping[str, Any]) -> str:
    if error.get("type") in _BY_TYPE:
        return _BY_TYPE[error["type"]]
    message = str(error.get("msg", "This value is not right"))
    message = message.removeprefix("Value error, ")
    return _PLAINER.get(message, message)


def handlers_install(api: NinjaAPI, *, params: set[str]) -> None:
    """Answer every failure the caller can cause in the one format. `params` are the names
    views give their schema arguments, which are not part of a field's path."""

    def respond(request: HttpRequest, problem: ApiProblem) -> HttpResponse:
        response = api.create_response(
            request,
            {"detail": problem.detail, "errors": problem.errors, **problem.extra},
            status=problem.status,
        )
        if problem.status == 401:
            response["WWW-Authenticate"] = 'Bearer realm="frontdoor"'
        return response

    # Ninja types a handler's exception loosely; each of these is only given its own kind.
    def on_problem(request: HttpRequest, exc: Any) -> HttpResponse:
        return respond(request, exc)

    def on_invalid(request: HttpRequest, exc: Any) -> HttpResponse:
        errors: dict[str, list[str]] = {}
        for error in exc.errors:
            errors.setdefault(_path(error.get("loc", ()), params), []).append(_message(error))
        if list(errors) == ["body"] and errors["body"] == [_PLAINER["Field required"]]:
            return respond(request, ApiProblem(400, "Send a JSON object in the request body."))
        return respond(request, ApiProblem(422, CHECK_FIELDS, errors=errors))

    def on_django_invalid(request: HttpRequest, exc: Any) -> HttpResponse:
        return respond(request, ApiProblem(422, CHECK_FIELDS, errors=field_errors(exc)))

    def on_http_error(request: HttpRequest, exc: Any) -> HttpResponse:
        detail = str(exc)
        if exc.status_code == 400:  # ninja: the body is not JSON
            detail = "The request body is not JSON: send a JSON object."
        return respond(request, ApiProblem(exc.status_code, detail))

    def on_not_found(request: HttpRequest, exc: Any) -> HttpResponse:
        return respond(request, ApiProblem(404, str(exc) or "Not found"))

    api.add_exception_handler(ApiProblem, on_problem)
    api.add_exception_handler(NinjaValidationError, on_invalid)
    api.add_exception_handler(DjangoValidationError, on_django_invalid)
    api.add_exception_handler(HttpError, on_http_error)
    api.add_exception_handler(Http404, on_not_found)
