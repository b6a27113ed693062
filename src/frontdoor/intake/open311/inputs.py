"""What an app posted, checked: a request against its service's form (the same builder the
public form uses, so the two can never disagree on what is valid), or an update. Every
problem found is a 400 naming the parameter."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from django.utils.dateparse import parse_datetime

from frontdoor.customers.normalise import phone_to_e164, postcode_normalise
from frontdoor.intake.open311 import protocol
from frontdoor.intake.open311.models import ExtendedStatus, Open311Client
from frontdoor.intake.open311.protocol import DESCRIPTION_LIMIT, Open311Error, text
from frontdoor.intake.open311.selectors import service_offered
from frontdoor.intake.open311.services import ReportPosted, UpdatePosted
from frontdoor.intake.webforms.forms import answer_stored, answers_form_class
from frontdoor.intake.webforms.models import FormField, RequestForm

NAME_LIMIT = 100
ID_LIMIT = 100


def report_read(params: MultiValueDict, *, client: Open311Client) -> ReportPosted:
    code = text(params, "service_code", limit=60, required=True)
    form = service_offered(code)
    if form is None:
        raise Open311Error(
            400, f"service_code {code!r} is not a service offered here: GET services for the list"
        )
    problems: list[str] = []
    try:
        point = protocol.point(params)
    except Open311Error as error:
        problems += error.descriptions
        point = None
    address_string = text(params, "address_string", limit=300)
    address_id = text(params, "address_id", limit=ID_LIMIT)
    if point is None and not address_string and not address_id and not problems:
        problems.append("Give the location: lat and long, address_string or address_id")
    given = protocol.attributes(params)
    answers, attribute_problems = _answers(form, given)
    problems += attribute_problems
    own_id = (given.get(client.own_id_attribute) or "").strip()
    if len(own_id) > ID_LIMIT:
        problems.append(
            f"attribute[{client.own_id_attribute}] must be {ID_LIMIT} characters or fewer"
        )
    email = _email(params, problems)
    phone = _phone(params, problems)
    media_url = _collect(problems, protocol.media_url, params)
    description = _collect(problems, text, params, "description", limit=DESCRIPTION_LIMIT)
    if problems:
        raise Open311Error(400, *problems)
    return ReportPosted(
        form=form,
        answers=answers,
        attributes={k: v if len(v) > 1 else v[0] for k, v in given.lists()},
        client_request_id=own_id,
        latitude=point.latitude if point else None,
        longitude=point.longitude if point else None,
        address_string=address_string,
        address_id=address_id,
        postcode=_postcode(address_string),
        uprn=_uprn(given.get("uprn") or ""),
        description=description or "",
        media_url=media_url or "",
        email=email,
        first_name=text(params, "first_name", limit=NAME_LIMIT),
        last_name=text(params, "last_name", limit=NAME_LIMIT),
        phone=phone,
        device_id=text(params, "device_id", limit=ID_LIMIT),
        account_id=text(params, "account_id", limit=ID_LIMIT),
    )


def _collect(problems: list[str], read: Any, *args: Any, **kwargs: Any) -> Any:
    try:
        return read(*args, **kwargs)
    except Open311Error as error:
        problems += error.descriptions
        return None


def _answers(form: RequestForm, given: MultiValueDict) -> tuple[dict[str, Any], list[str]]:
    """The form's questions answered from the attributes, cleaned by the form builder.
    Attributes the form does not ask (an app's own, like fixmystreet_id) are kept as sent
    but not checked."""
    fields = list(form.fields.all())
    data: MultiValueDict = MultiValueDict()
    for field in fields:
        values = [v for v in given.getlist(field.code) if v]
        if field.datatype == FormField.Datatype.DATE:
            values = [_as_date(v) for v in values]
        if values:
            data.setlist(field.code, values)
    bound = answers_form_class(form, fields=fields, for_api=True)(data)
    if not bound.is_valid():
        return {}, [
            f"attribute[{code}]: {message}"
            for code, messages in bound.errors.items()
            for message in messages
        ]
    return {
        code: answer_stored(value)
        for code, value in bound.cleaned_data.items()
        if value not in (None, "", [])
    }, []


def _as_date(value: str) -> str:
    """A datetime attribute as the date it falls on here; the form asks for a date."""
    try:
        moment = parse_datetime(value)
    except ValueError:
        return value
    if moment is None:
        return value
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return moment.date().isoformat()


def _email(params: MultiValueDict, problems: list[str]) -> str:
    email = _collect(problems, text, params, "email", limit=254) or ""
    if email:
        try:
            validate_email(email)
        except ValidationError:
            problems.append("email must be an email address, like name@example.com")
            return ""
    return email


def _phone(params: MultiValueDict, problems: list[str]) -> str:
    raw = _collect(problems, text, params, "phone", limit=30) or ""
    if not raw:
        return ""
    try:
        return phone_to_e164(raw)
    except ValidationError:
        problems.append("phone must be a phone number, like 0113 496 0000 or +44 7911 123456")
        return ""


def _postcode(address: str) -> str:
    if not address or len(address) > 8:
        return ""
    try:
        return postcode_normalise(address)
    except ValidationError:
        return ""


def _uprn(raw: str) -> int | None:
    raw = raw.strip()
    return int(raw) if raw.isdigit() and len(raw) <= 12 else None


def update_read(params: MultiValueDict) -> tuple[str, UpdatePosted]:
    """(the case reference it is for, the update)."""
    problems: list[str] = []
    reference = _collect(problems, text, params, "service_request_id", limit=24, required=True)
    update_id = _collect(problems, text, params, "update_id", limit=ID_LIMIT, required=True)
    status = (_collect(problems, text, params, "status", limit=40, required=True) or "").upper()
    if status and status not in ExtendedStatus.values:
        problems.append(f"status must be one of {', '.join(ExtendedStatus.values)}")
    description = _collect(problems, text, params, "description", limit=DESCRIPTION_LIMIT)
    updated_at = _collect(problems, protocol.moment, params, "updated_datetime")
    media_url = _collect(problems, protocol.media_url, params)
    email = _email(params, problems)
    attributes = _collect(problems, protocol.attributes, params)
    if problems:
        raise Open311Error(400, *problems)
    return reference, UpdatePosted(
        update_id=update_id,
        status=status,
        description=description or "",
        updated_at=updated_at,
        media_url=media_url or "",
        attributes={k: v if len(v) > 1 else v[0] for k, v in attributes.lists()},
        email=email,
        first_name=text(params, "first_name", limit=NAME_LIMIT),
        last_name=text(params, "last_name", limit=NAME_LIMIT),
    )
