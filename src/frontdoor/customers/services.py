from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.db.models.functions import Lower

from frontdoor.customers.models import Customer, CustomerAddress, CustomerEmail, CustomerPhone
from frontdoor.customers.normalise import (
    email_normalise,
    name_key,
    phone_to_e164,
    postcode_normalise,
)
from frontdoor.customers.selectors import customer_first_with


@dataclass(frozen=True)
class AddressDraft:
    line_1: str
    postcode: str
    line_2: str = ""
    town: str = ""
    uprn: int | None = None


@dataclass(frozen=True)
class CustomerDraft:
    kind: str = Customer.Kind.PERSON
    title: str = ""
    given_name: str = ""
    family_name: str = ""
    organisation_name: str = ""
    date_of_birth: date | None = None
    emails: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    addresses: list[AddressDraft] = field(default_factory=list)
    notes: str = ""


def customer_search_keys(*, kind: str, given_name: str, family_name: str, organisation: str):
    if kind == Customer.Kind.ORGANISATION:
        return name_key(organisation), ""
    return name_key(family_name), name_key(given_name)


def customer_create(*, draft: CustomerDraft) -> Customer:
    """Create a customer with their emails, phones and addresses, normalised; all or nothing.

    Raises ValidationError (before writing anything) when an email, phone or postcode is invalid.
    """
    (customer,) = customers_create(drafts=[draft])
    return customer


@dataclass(frozen=True)
class _Normalised:
    draft: CustomerDraft
    emails: list[str]
    phones: list[str]
    addresses: list[tuple[AddressDraft, str]]


@transaction.atomic
def customers_create(*, drafts: Sequence[CustomerDraft]) -> list[Customer]:
    """Create customers in the order given, their rows written together; all or nothing.

    Every email, phone and postcode is checked first: one that is invalid raises
    ValidationError before anything is written."""
    checked = [
        _Normalised(
            draft=draft,
            emails=list(dict.fromkeys(email_normalise(e) for e in draft.emails if e.strip())),
            phones=list(dict.fromkeys(phone_to_e164(p) for p in draft.phones if p.strip())),
            addresses=[(a, postcode_normalise(a.postcode)) for a in draft.addresses],
        )
        for draft in drafts
    ]
    customers = []
    for item in checked:
        draft = item.draft
        family_key, given_key = customer_search_keys(
            kind=draft.kind,
            given_name=draft.given_name,
            family_name=draft.family_name,
            organisation=draft.organisation_name,
        )
        customers.append(
            Customer(
                kind=draft.kind,
                title=draft.title.strip(),
                given_name=draft.given_name.strip(),
                family_name=draft.family_name.strip(),
                organisation_name=draft.organisation_name.strip(),
                family_key=family_key,
                given_key=given_key,
                date_of_birth=draft.date_of_birth,
                notes=draft.notes,
            )
        )
    Customer.objects.bulk_create(customers)
    CustomerEmail.objects.bulk_create(
        CustomerEmail(customer=customer, address=a, is_primary=i == 0)
        for customer, item in zip(customers, checked, strict=True)
        for i, a in enumerate(item.emails)
    )
    CustomerPhone.objects.bulk_create(
        CustomerPhone(customer=customer, number=n, kind=_phone_kind(n), is_primary=i == 0)
        for customer, item in zip(customers, checked, strict=True)
        for i, n in enumerate(item.phones)
    )
    CustomerAddress.objects.bulk_create(
        CustomerAddress(
            customer=customer,
            line_1=a.line_1.strip(),
            line_2=a.line_2.strip(),
            town=a.town.strip(),
            postcode=postcode,
            uprn=a.uprn,
            is_primary=i == 0,
        )
        for customer, item in zip(customers, checked, strict=True)
        for i, (a, postcode) in enumerate(item.addresses)
    )
    return customers


def customer_find_or_create(*, draft: CustomerDraft) -> tuple[Customer, bool]:
    """The customer these details describe, and whether they are new: the longest-standing
    unmerged customer with the first email address given, else with the first phone number,
    else a new customer made from the details. A customer found is left as they are: details
    that came with a request are not proof enough to change someone's record.

    Raises ValidationError, before writing anything, for an email, phone or postcode that
    cannot be recorded."""
    emails = [email_normalise(e) for e in draft.emails if e.strip()]
    phones = [phone_to_e164(p) for p in draft.phones if p.strip()]
    for address in draft.addresses:
        postcode_normalise(address.postcode)
    return _found_or_created(
        draft, email=emails[0] if emails else "", phone=phones[0] if phones else ""
    )


# Part of its caller's transaction rather than a savepoint of its own, like
# cases.services.cases_open: it is on the path of every report that comes in. The details
# were checked before, so what fails here is the database, which ends the caller's block.
@transaction.atomic(savepoint=False)
def _found_or_created(draft: CustomerDraft, *, email: str, phone: str) -> tuple[Customer, bool]:
    found = (customer_first_with(email=email) if email else None) or (
        customer_first_with(phone=phone) if phone else None
    )
    if found is not None:
        return found, False
    return customer_create(draft=draft), True


def _phone_kind(e164: str) -> str:
    return CustomerPhone.Kind.MOBILE if e164.startswith("+447") else CustomerPhone.Kind.OTHER


@transaction.atomic
def customer_details_add(
    *,
    customer: Customer,
    email: str = "",
    phone: str = "",
    address: AddressDraft | None = None,
) -> Customer:
    """Add another email, phone number or address to a customer; a repeat is ignored."""
    if email.strip():
        address_text = email_normalise(email)
        if not customer.emails.filter(address__iexact=address_text).exists():
            CustomerEmail.objects.create(
                customer=customer, address=address_text, is_primary=not customer.emails.exists()
            )
    if phone.strip():
        number = phone_to_e164(phone)
        if not customer.phones.filter(number=number).exists():
            CustomerPhone.objects.create(
                customer=customer,
                number=number,
                kind=_phone_kind(number),
                is_primary=not customer.phones.exists(),
            )
    if address is not None and not _has_address(customer, address):
        CustomerAddress.objects.create(
            customer=customer,
            line_1=address.line_1.strip(),
            line_2=address.line_2.strip(),
            town=address.town.strip(),
            postcode=postcode_normalise(address.postcode),
            uprn=address.uprn,
            is_primary=not customer.addresses.exists(),
        )
    return customer


def _has_address(customer: Customer, address: AddressDraft) -> bool:
    if address.uprn and customer.addresses.filter(uprn=address.uprn).exists():
        return True
    return customer.addresses.filter(
        line_1__iexact=address.line_1.strip(), postcode=postcode_normalise(address.postcode)
    ).exists()


@transaction.atomic
def customers_for_emails(*, senders: Sequence[tuple[str, str]]) -> dict[str, Customer]:
    """The customer for each (address, name) that wrote in, keyed by the address in lower case:
    the longest-standing unmerged customer with that address, or a new one named from the
    first message that gave a name (or from the address when none did).

    Raises ValidationError, before writing anything, for an address we cannot record."""
    names: dict[str, str] = {}
    for address, name in senders:
        key = address.lower()
        if not names.get(key):
            names[key] = name
    found: dict[str, Customer] = {}
    rows = (
        CustomerEmail.objects.filter(customer__merged_into__isnull=True)
        .annotate(address_lower=Lower("address"))
        .filter(address_lower__in=list(names))
        .select_related("customer")
        .order_by("customer_id")
    )
    for row in rows:
        found.setdefault(row.address_lower, row.customer)  # the longest-standing wins
    missing = [key for key in names if key not in found]
    original: dict[str, str] = {}
    for address, _ in senders:
        original.setdefault(address.lower(), address)  # as first written
    created = customers_create(
        drafts=[_draft_from_email(original[key], names[key]) for key in missing]
    )
    found.update(zip(missing, created, strict=True))
    return found


def _draft_from_email(address: str, name: str) -> CustomerDraft:
    words = name.replace('"', "").split()
    if len(words) >= 2:
        given, family = " ".join(words[:-1]), words[-1]
    else:
        given, family = "", (words[0] if words else address.split("@")[0])
    return CustomerDraft(given_name=given[:100], family_name=family[:100], emails=[address])
