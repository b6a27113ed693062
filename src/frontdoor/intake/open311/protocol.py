"""Open311 on the wire: answers in XML (the standard's required format) or JSON, errors in the
standard's shape, and what a client sent read into plain values, refusing what cannot be
stored with a 400 that says what was wrong.

XML is built with the standard library's ElementTree; XML bodies are read with defusedxml, so
an entity bomb or an external entity is refused, not expanded."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET  # noqa: S405 - building only; parsing goes through defusedxml
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException
from django.core.exceptions import SuspiciousOperation, ValidationError
from django.core.validators import URLValidator
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from django.utils.dateparse import parse_datetime

FORMATS = {"xml": "text/xml; charset=utf-8", "json": "application/json; charset=utf-8"}
XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'
# The child element of each list in an XML answer.
XML_ITEMS = {
    "services": "service",
    "service_requests": "request",
    "service_request_updates": "request_update",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "errors": "error",
}
# The standard limits a description to 4,000 characters; the rest are ours, each the size of
# the column it lands in.
DESCRIPTION_LIMIT = 4000
MEDIA_URL_LIMIT = 2000
BODY_LIMIT = 1_000_000
_http_url = URLValidator(schemes=["http", "https"])
# Characters XML 1.0 cannot carry at all (most control characters): left out of answers.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


class Open311Error(Exception):
    """A call refused: its HTTP status and what was wrong, one description per problem."""

    def __init__(self, status: int, *descriptions: str) -> None:
        super().__init__("; ".join(descriptions))
        self.status = status
        self.descriptions = list(descriptions) or ["Something was wrong with the call"]


def answer(fmt: str, root: str, value: Any, *, status: int = 200) -> HttpResponse:
    """`value` as the standard shapes it: for XML, lists become repeated child elements
    (XML_ITEMS) under `root`; for JSON, the value itself, so a list of requests is an array."""
    if fmt == "json":
        body = json.dumps(_jsonable(value), ensure_ascii=False).encode()
    else:
        element = _element(root, value)
        body = XML_DECLARATION + ET.tostring(element, encoding="utf-8", xml_declaration=False)
    return HttpResponse(body, status=status, content_type=FORMATS.get(fmt, FORMATS["xml"]))


def errors_answer(fmt: str, error: Open311Error) -> HttpResponse:
    items = [{"code": error.status, "description": d} for d in error.descriptions]
    return answer(fmt, "errors", items, status=error.status)


def _element(tag: str, value: Any) -> ET.Element:
    element = ET.Element(tag)
    if isinstance(value, Mapping):
        for key, child in value.items():
            element.append(_element(key, child))
    elif isinstance(value, list):
        item_tag = XML_ITEMS.get(tag, "item")
        for child in value:
            element.append(_element(item_tag, child))
    elif value is not None:
        element.text = _text(value)
    return element


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return w3c(value)
    return _NOT_XML.sub("", str(value))


def _jsonable(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime):
        return w3c(value)
    return value


def w3c(moment: datetime) -> str:
    """ISO 8601 with the offset, in the council's time zone: 2026-03-27T10:15:00+00:00."""
    return timezone.localtime(moment).isoformat(timespec="seconds")


# --- What a client sent ---------------------------------------------------------------------


def params_of(request: HttpRequest) -> MultiValueDict:
    """The call's parameters: the query string, then the body (form-encoded as the standard
    says, or, for clients that send them, a JSON object or an XML document of the same
    names). A body that cannot be read is a 400."""
    params = MultiValueDict({k: request.GET.getlist(k) for k in request.GET})
    if request.method != "POST":
        return params
    kind = (request.content_type or "").lower()
    try:
        if kind in ("application/json", "text/json"):
            body = _json_params(request.body)
        elif kind in ("text/xml", "application/xml"):
            body = _xml_params(request.body)
        else:
            body = MultiValueDict({k: request.POST.getlist(k) for k in request.POST})
    except SuspiciousOperation as error:  # too large, too many fields
        raise Open311Error(400, f"The request body was refused: {error}") from None
    for key in body:
        params.setlist(key, body.getlist(key))
    return params


def _json_params(raw: bytes) -> MultiValueDict:
    if len(raw) > BODY_LIMIT:
        raise Open311Error(400, f"The body is larger than {BODY_LIMIT:,} bytes")
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise Open311Error(400, "The body is not valid JSON") from None
    if not isinstance(data, dict):
        raise Open311Error(400, "The JSON body must be an object of parameters")
    params: MultiValueDict = MultiValueDict()
    for key, value in data.items():
        if key == "attribute" and isinstance(value, dict):
            for code, given in value.items():
                params.setlist(f"attribute[{code}]", _json_values(f"attribute[{code}]", given))
        else:
            params.setlist(key, _json_values(key, value))
    return params


def _json_values(key: str, value: Any) -> list[str]:
    values = value if isinstance(value, list) else [value]
    out = []
    for item in values:
        if isinstance(item, bool):
            out.append("true" if item else "false")
        elif isinstance(item, str | int | float):
            out.append(str(item))
        elif item is not None:
            raise Open311Error(400, f"{key} must be text, a number or a list of them")
    return out


def _xml_params(raw: bytes) -> MultiValueDict:
    """<request><service_code>…</service_code><attribute><code>value</code></attribute>…:
    each child a parameter, repeated for several values."""
    if len(raw) > BODY_LIMIT:
        raise Open311Error(400, f"The body is larger than {BODY_LIMIT:,} bytes")
    try:
        root = SafeET.fromstring(raw)
    except (ET.ParseError, DefusedXmlException, ValueError):
        raise Open311Error(400, "The body is not well-formed XML, or uses entities") from None
    params: MultiValueDict = MultiValueDict()
    for child in root:
        if child.tag == "attribute":
            for given in child:
                params.appendlist(f"attribute[{given.tag}]", (given.text or "").strip())
        else:
            params.appendlist(str(child.tag), (child.text or "").strip())
    return params


@dataclass(frozen=True)
class Point:
    latitude: Decimal
    longitude: Decimal


def text(params: MultiValueDict, name: str, *, limit: int, required: bool = False) -> str:
    """One text parameter, stripped; refused when too long or not storable text."""
    value = params.get(name) or ""
    value = checked_text(name, value).strip()
    if required and not value:
        raise Open311Error(400, f"{name} is required")
    if len(value) > limit:
        raise Open311Error(400, f"{name} must be {limit:,} characters or fewer")
    return value


def checked_text(name: str, value: str) -> str:
    # PostgreSQL cannot store NUL, and a lone surrogate (from a JSON escape) is not UTF-8.
    if "\x00" in value:
        raise Open311Error(400, f"{name} contains a NUL character")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise Open311Error(400, f"{name} is not valid UTF-8 text") from None
    return value


def point(params: MultiValueDict) -> Point | None:
    lat, long = params.get("lat") or "", params.get("long") or ""
    if not lat and not long:
        return None
    if not lat or not long:
        raise Open311Error(400, "Give both lat and long, or neither")
    latitude = _coordinate("lat", lat, 90)
    longitude = _coordinate("long", long, 180)
    return Point(latitude, longitude)


def _coordinate(name: str, raw: str, bound: int) -> Decimal:
    try:
        value = Decimal(checked_text(name, raw).strip())
    except InvalidOperation:
        raise Open311Error(400, f"{name} must be a number in degrees (WGS84)") from None
    if not value.is_finite() or not -bound <= value <= bound:
        raise Open311Error(400, f"{name} must be a number from -{bound} to {bound}")
    return value.quantize(Decimal("0.000001"))


def media_url(params: MultiValueDict) -> str:
    """The first media_url (some apps send one per photo); an http(s) address of a sensible
    length, since apps link to the photo rather than send it."""
    urls = [u.strip() for u in params.getlist("media_url") if u.strip()]
    for url in urls:
        checked_text("media_url", url)
        if len(url) > MEDIA_URL_LIMIT:
            raise Open311Error(400, f"media_url must be {MEDIA_URL_LIMIT:,} characters or fewer")
        try:
            _http_url(url)
        except ValidationError:
            raise Open311Error(400, "media_url must be an http or https address") from None
    return urls[0] if urls else ""


def attributes(params: MultiValueDict) -> MultiValueDict:
    """attribute[code]=value, and attribute[code][]=value for each value of a list."""
    found: MultiValueDict = MultiValueDict()
    for key in params:
        if not key.startswith("attribute[") or not key.endswith("]"):
            continue
        code = key[len("attribute[") : -1].removesuffix("][")
        checked_text("attribute code", code)
        for value in params.getlist(key):
            found.appendlist(code, checked_text(f"attribute[{code}]", value).strip())
    return found


def moment(params: MultiValueDict, name: str, *, end_of_day: bool = False) -> datetime | None:
    """A W3C date-time (a date alone means its start, or its end for an end_date); one
    without a zone is taken as the council's local time."""
    raw = checked_text(name, params.get(name) or "").strip()
    if not raw:
        return None
    try:
        parsed = parse_datetime(raw)
        if parsed is None and len(raw) == 10:
            day = date.fromisoformat(raw)
            parsed = datetime.combine(day, time.max if end_of_day else time.min)
    except ValueError:
        parsed = None
    if parsed is None:
        raise Open311Error(400, f"{name} must be a W3C date-time, like 2026-03-27T09:00:00Z")
    # Far enough either way for any report; beyond, arithmetic on the date would overflow.
    if not 1900 <= parsed.year <= 2999:
        raise Open311Error(400, f"{name} must be between the years 1900 and 2999")
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


def listed(params: MultiValueDict, name: str, *, limit: int = 1000) -> list[str]:
    """A comma-separated list parameter, without blanks."""
    raw = checked_text(name, ",".join(params.getlist(name)))
    items = [item.strip() for item in raw.split(",") if item.strip()]
    if len(items) > limit:
        raise Open311Error(400, f"{name} may list at most {limit:,} values")
    return items
