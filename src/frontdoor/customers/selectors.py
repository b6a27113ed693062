"""Reads of customers. Staff of every role may find customers; residents may not."""

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, connection
from django.db.models import Q, QuerySet
from django.db.models.functions import Lower
from django.http import Http404

from frontdoor.core.prepared import PreparedQuery
from frontdoor.core.roles import staff_role
from frontdoor.customers.models import Customer, CustomerAddress, CustomerEmail, CustomerPhone
from frontdoor.customers.normalise import (
    name_key,
    phone_is_uk_mobile,
    phone_to_e164,
    postcode_normalise,
)

SEARCH_LIMIT = 50
_PHONEISH = re.compile(r"^[+\d][\d\s()-]{6,}$")


def customers_visible_to(user: object) -> QuerySet[Customer]:
    if staff_role(user) is None:
        return Customer.objects.none()
    return Customer.objects.filter(merged_into__isnull=True)


def customer_get_for(user: object, *, customer_id: int) -> Customer:
    try:
        return customers_visible_to(user).get(pk=customer_id)
    except Customer.DoesNotExist:
        raise Http404("No such customer") from None


def customer_email_addresses(customer: Customer) -> list[str]:
    """Where to write to a customer: their email addresses, the primary first."""
    return list(customer.emails.order_by("-is_primary", "pk").values_list("address", flat=True))


def customer_uk_mobiles(customer: Customer) -> list[str]:
    """The customer's UK mobile numbers (E.164), the primary first: the ones a text reaches."""
    numbers = customer.phones.filter(number__startswith="+447").order_by("-is_primary", "pk")
    return [n for n in numbers.values_list("number", flat=True) if phone_is_uk_mobile(n)]


def _prefix_range(field: str, prefix: str) -> Q:
    """Keys starting with prefix, answered from an index on either database. PostgreSQL's
    text_pattern_ops index serves LIKE 'prefix%' whatever the database collation; SQLite
    compares bytes (BINARY), so a range on its plain index is exact and LIKE would not use it."""
    if connection.vendor == "postgresql":
        return Q(**{f"{field}__startswith": prefix})
    upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    return Q(**{f"{field}__gte": prefix, f"{field}__lt": upper})


def customers_search(user: object, *, query: str) -> tuple[str, list[Customer]]:
    """Find customers by email, phone, postcode or name. Returns (what was searched, matches)."""
    query = query.strip()
    visible = customers_visible_to(user)
    if not query:
        return "", []
    if "@" in query:
        return "email", _fetch(visible.filter(pk__in=_with_email(query)))
    if _PHONEISH.match(query):
        try:
            number = phone_to_e164(query)
        except ValidationError:
            number = None
        if number:
            return "phone", _fetch(visible.filter(pk__in=_with_phone(number)))
    try:
        postcode = postcode_normalise(query)
    except ValidationError:
        postcode = None
    if postcode:
        address_ids = CustomerAddress.objects.filter(postcode=postcode).values("customer_id")
        return "postcode", _fetch(visible.filter(pk__in=address_ids))
    return "name", _fetch(visible.filter(_name_filter(query)))


def _with_email(address: str) -> QuerySet[CustomerEmail, Any]:
    return _emails_lowered(address.strip().lower())


def _emails_lowered(lowered: str) -> QuerySet[CustomerEmail, Any]:
    # Compared as Lower(address) so the customer_email_address index answers it.
    return (
        CustomerEmail.objects.alias(address_lower=Lower("address"))
        .filter(address_lower=lowered)
        .values("customer_id")
    )


def _with_phone(e164: str) -> QuerySet[CustomerPhone, Any]:
    return CustomerPhone.objects.filter(number=e164).values("customer_id")


def customer_by_id(*, customer_id: int) -> Customer | None:
    """A customer, merged or not (a merged one names the customer it went into), with their
    details. Not an access decision: for callers that made it already (an API key allowed to
    use customers)."""
    return (
        Customer.objects.filter(pk=customer_id)
        .prefetch_related("emails", "phones", "addresses")
        .first()
    )


def customers_with(*, email: str = "", phone: str = "") -> list[Customer]:
    """Unmerged customers with this email address (in any case) and this phone number (E.164),
    whichever are given, longest-standing first. Like customer_by_id, not an access decision."""
    if not email and not phone:
        return []
    found = Customer.objects.filter(merged_into__isnull=True)
    if email:
        found = found.filter(pk__in=_with_email(email))
    if phone:
        found = found.filter(pk__in=_with_phone(phone))
    return list(
        found.order_by("pk").prefetch_related("emails", "phones", "addresses")[:SEARCH_LIMIT]
    )


def customer_first_with(*, email: str = "", phone: str = "") -> Customer | None:
    """The longest-standing of customers_with, without their details: one query, built once
    (see core.prepared), for a caller that needs only whose record it is (a report coming in,
    say)."""
    if email and phone:
        both = customers_with(email=email, phone=phone)
        return both[0] if both else None
    if email:
        row = _first_with_email.first(email=email.strip().lower())
    elif phone:
        row = _first_with_phone.first(phone=phone)
    else:
        return None
    return None if row is None else Customer.from_db(DEFAULT_DB_ALIAS, _CUSTOMER_COLUMNS, row)


_CUSTOMER_COLUMNS = [f.attname for f in Customer._meta.concrete_fields]


def _oldest_unmerged(customer_ids: QuerySet[Any, Any]) -> QuerySet[Customer, tuple[Any, ...]]:
    return (
        Customer.objects.filter(merged_into__isnull=True, pk__in=customer_ids)
        .order_by("pk")
        .values_list(*_CUSTOMER_COLUMNS)[:1]
    )


_first_with_email = PreparedQuery(lambda email: _oldest_unmerged(_emails_lowered(email)), "email")
_first_with_phone = PreparedQuery(lambda phone: _oldest_unmerged(_with_phone(phone)), "phone")


def _name_filter(query: str) -> Q:
    words = name_key(query).split()
    if len(words) == 1:
        return _prefix_range("family_key", words[0]) | _prefix_range("given_key", words[0])
    first, last = words[0], words[-1]
    whole = " ".join(words)
    return (
        (_prefix_range("family_key", last) & _prefix_range("given_key", first))
        | (_prefix_range("family_key", first) & _prefix_range("given_key", last))
        | _prefix_range("family_key", whole)
    )


def _fetch(queryset: QuerySet[Customer]) -> list[Customer]:
    return list(
        queryset.order_by("family_key", "given_key", "pk").prefetch_related(
            "emails", "phones", "addresses"
        )[:SEARCH_LIMIT]
    )


def customers_unmerged(ids: list[int]) -> list[Customer]:
    """These customers that are still records of their own (not merged into another), in
    order of id. Not an access decision; the caller makes that."""
    return list(Customer.objects.filter(pk__in=ids, merged_into__isnull=True).order_by("pk"))


def customer_ids_with_email(address: str) -> list[int]:
    """The customers whose history this email address is: those with it (in any case), and
    those merged into one of them. Not an access decision; the caller makes that."""
    owners = list(
        CustomerEmail.objects.alias(address_lower=Lower("address"))
        .filter(address_lower=address.strip().lower())
        .order_by()
        .values_list("customer_id", flat=True)
    )
    if not owners:
        return []
    merged = (
        Customer.objects.filter(merged_into_id__in=owners).order_by().values_list("pk", flat=True)
    )
    return sorted({*owners, *merged})
