"""Who may see which case, decided once, here. Views never fetch a case any other way."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.http import Http404

from frontdoor.cases.models import OPEN_STATUSES, Case, CaseEvent, CaseFile, Contact
from frontdoor.core.roles import Role, is_resident, staff_role
from frontdoor.customers.selectors import customer_ids_with_email
from frontdoor.directory.models import Service


def case_visibility(user: Any, *, via: str = "") -> Q | None:
    """The condition for the cases a user may see, as a Q on `via` (e.g. "case__" from a
    contact), so other queries join on it instead of scanning a subquery of every case.
    None means no case at all.

    Front office and managers see every case that is not restricted. Back-office officers
    see their department's cases. Restricted cases (e.g. social care) are seen only by the
    department owning the service and by managers granted that permission."""
    role = staff_role(user)
    if role is None:
        return None
    member = user.staff_member
    if role == Role.MANAGER and member.may_view_restricted:
        return Q()
    own_service = Q(**{f"{via}service__department_id": member.department_id})
    unrestricted = Q(**{f"{via}restricted": False})
    if role == Role.BACK_OFFICE:
        return (Q(**{f"{via}department_id": member.department_id}) & unrestricted) | own_service
    if member.department_id:
        return unrestricted | own_service
    return unrestricted


def may_see_restricted(user: Any, *, department_id: int) -> bool:
    """Whether the user may see the restricted cases of services owned by this department."""
    role = staff_role(user)
    if role is None:
        return False
    member = user.staff_member
    if role == Role.MANAGER and member.may_view_restricted:
        return True
    return member.department_id == department_id


def cases_visible_to(user: Any) -> QuerySet[Case]:
    condition = case_visibility(user)
    if condition is None:
        return Case.objects.none()
    return Case.objects.filter(condition)


@dataclass(frozen=True)
class CaseScope:
    """What a caller who is not a member of staff may see (one of the council's own systems
    calling the API, say): the cases of some services, or of every service, and restricted
    ones only when it says so."""

    every_service: bool = False
    service_ids: frozenset[int] = frozenset()
    department_ids: frozenset[int] = frozenset()
    restricted: bool = False

    def covers(self, service: Service) -> bool:
        """Whether this scope sees the cases of the service (so may open one for it)."""
        if service.restricted and not self.restricted:
            return False
        return (
            self.every_service
            or service.pk in self.service_ids
            or service.department_id in self.department_ids
        )


def cases_in_scope(scope: CaseScope) -> QuerySet[Case]:
    if scope.every_service:
        condition = Q()
    elif scope.service_ids or scope.department_ids:
        condition = Q(service_id__in=scope.service_ids) | Q(
            service__department_id__in=scope.department_ids
        )
    else:
        return Case.objects.none()
    if not scope.restricted:
        condition &= Q(restricted=False)
    return Case.objects.filter(condition)


def case_from_source(*, source_key: str) -> Case | None:
    """The case the contact with this source identity (the source's own id for the request)
    was recorded on, if it was: for a source that sends the same request again. Not an access
    decision."""
    contact = (
        Contact.objects.filter(source_key=source_key)
        .select_related("case__service", "case__customer")
        .first()
    )
    return contact.case if contact is not None else None


def case_get_for(user: Any, *, reference: str) -> Case:
    """The case, or 404 when it does not exist or the user may not see it (so nothing leaks)."""
    try:
        return (
            cases_visible_to(user)
            .select_related(
                "service__department",
                "service__sla_policy",
                "department",
                "customer",
                "assigned_to",
                "outcome",
            )
            .get(reference=reference)
        )
    except Case.DoesNotExist:
        raise Http404("No such case") from None


def case_timeline(case: Case) -> QuerySet[CaseEvent]:
    return case.events.select_related("actor", "department").order_by("at", "id")


def cases_assigned_to(user: Any) -> QuerySet[Case]:
    """My cases: open cases assigned to the user, most urgent deadline first."""
    return (
        cases_visible_to(user)
        .filter(assigned_to=user, status__in=OPEN_STATUSES)
        .select_related("service", "customer")
        .order_by("resolution_due", "pk")
    )


def department_inbox(user: Any) -> QuerySet[Case]:
    """Open cases sent to the user's department (forwarded, or routed straight to it), most
    urgent deadline first. Cases the front office is still handling are not in it."""
    member = getattr(user, "staff_member", None)
    if member is None or member.department_id is None:
        return Case.objects.none()
    return (
        cases_visible_to(user)
        .filter(
            department_id=member.department_id,
            status__in=OPEN_STATUSES,
            forwarded_at__isnull=False,
        )
        .select_related("service", "customer", "assigned_to")
        .order_by("resolution_due", "pk")
    )


def customer_cases(user: Any, *, customer_id: int) -> QuerySet[Case]:
    return (
        cases_visible_to(user)
        .filter(customer_id=customer_id)
        .select_related("service")
        .order_by("-opened_at")
    )


def customer_contacts(user: Any, *, customer_id: int) -> QuerySet[Contact]:
    """A customer's contact history. Contacts on cases the user may not see are left out, and
    so are contacts with no case about a restricted service the user may not see."""
    condition = case_visibility(user, via="case__")
    if condition is None:
        return Contact.objects.none()
    contacts = Contact.objects.filter(customer_id=customer_id)
    if condition:  # an empty Q means everything: OR-ing it would drop the condition instead
        member = user.staff_member
        caseless = Q(case__isnull=True) & (
            Q(service__isnull=True)
            | Q(service__restricted=False)
            | Q(service__department_id=member.department_id)
        )
        contacts = contacts.filter(caseless | (Q(case__isnull=False) & condition))
    return contacts.select_related("case", "contact_point", "handled_by").order_by("-occurred_at")


def case_actions_for(user: Any, case: Case) -> frozenset[str]:
    """What the user may do to a case they can see."""
    role = staff_role(user)
    if role is None:
        return frozenset()
    actions = {"note"}
    if case.is_open:
        actions |= {"forward", "resolve", "await_customer", "email_reply"}
        if case.status in (Case.Status.NEW, Case.Status.AWAITING_CUSTOMER):
            actions.add("start")
        member = user.staff_member
        if case.status == Case.Status.FORWARDED and member.department_id == case.department_id:
            actions.add("accept")
    elif case.status == Case.Status.RESOLVED:
        actions |= {"close", "reopen"}
    else:
        actions.add("reopen")
    return frozenset(actions)


def cases_by_reference(references: Iterable[str]) -> dict[str, Case]:
    """Cases by their references, for matching what a customer quotes back to us (an email
    subject, say). Not an access decision: what the caller does with them is its own."""
    wanted = set(references)
    if not wanted:
        return {}
    return {
        case.reference: case
        for case in Case.objects.filter(reference__in=wanted).select_related(
            "service__sla_policy", "customer"
        )
    }


def cases_by_id(ids: Iterable[int]) -> dict[int, Case]:
    """Cases by id, for the same internal matching as cases_by_reference."""
    wanted = set(ids)
    if not wanted:
        return {}
    return Case.objects.select_related("service__sla_policy", "customer").in_bulk(wanted)


def case_file_get(case: Case, *, file_id: int) -> CaseFile:
    """A file sent on a case the caller may already see (case_get_for decided that)."""
    try:
        return case.files.get(pk=file_id)
    except CaseFile.DoesNotExist:
        raise Http404("No such file") from None


# What residents see: their own cases, in My Account or by reference and email. Restricted
# cases (social care) are left out: who may learn of one is for its department to decide,
# and the person it is about may not be the one who raised it.


def _cases_raised_with(address: str) -> QuerySet[Case]:
    customer_ids = customer_ids_with_email(address)
    if not customer_ids:
        return Case.objects.none()
    return Case.objects.filter(customer_id__in=customer_ids, restricted=False)


def cases_of_resident(user: Any) -> QuerySet[Case]:
    """A resident's cases in My Account, newest first: every case, whatever the channel, whose
    customer has the email address the resident has confirmed as theirs (in any case), or was
    merged into one that has. None for an unconfirmed address, for staff (they have the
    console and cases_visible_to) and for anyone signed out."""
    if not is_resident(user):
        return Case.objects.none()
    account = getattr(user, "resident_account", None)
    if account is None or account.verified_at is None:
        return Case.objects.none()
    return (
        _cases_raised_with(account.email)
        .select_related("service", "department", "outcome")
        .order_by("-opened_at", "-pk")
    )


def case_of_resident_get(user: Any, *, reference: str) -> Case:
    """One of the resident's cases, or 404 when it is not theirs or does not exist (alike)."""
    try:
        return cases_of_resident(user).get(reference=reference)
    except Case.DoesNotExist:
        raise Http404("No such case") from None


def case_tracked(*, reference: str, email: str) -> Case | None:
    """The case with this reference if it was raised with this email address (its customer
    has it, or was merged into one that has): what someone without an account may follow."""
    reference, email = reference.strip().upper(), email.strip()
    if not reference or not email:
        return None
    return (
        _cases_raised_with(email)
        .select_related("service", "department", "outcome")
        .filter(reference=reference)
        .first()
    )


def case_timeline_for_customer(case: Case) -> QuerySet[CaseEvent]:
    """The events of a case its customer may see, oldest first, with their files."""
    return (
        case.events.filter(visible_to_customer=True)
        .select_related("department", "contact")
        .prefetch_related("files")
        .order_by("at", "id")
    )


# The events that tell a customer (and the app they reported through) where their case has
# got to. The rest of a timeline is staff's own business (notes, assignments), the customer's
# own words (contacts, their updates) or known to them already (the opening).
PROGRESS_EVENT_KINDS = (
    CaseEvent.Kind.FORWARDED,
    CaseEvent.Kind.ACCEPTED,
    CaseEvent.Kind.STARTED,
    CaseEvent.Kind.AWAITING_CUSTOMER,
    CaseEvent.Kind.SCHEDULED,
    CaseEvent.Kind.RESOLVED,
    CaseEvent.Kind.CLOSED,
    CaseEvent.Kind.REOPENED,
)


def progress_events() -> QuerySet[CaseEvent]:
    """Customer-visible progress on cases (not an access decision: callers narrow it to the
    cases they may show)."""
    return CaseEvent.objects.filter(kind__in=PROGRESS_EVENT_KINDS, visible_to_customer=True)


def latest_progress_event_id(*, case_field: str = "case_id") -> Subquery:
    """The id of the latest progress event of the case in the outer query's `case_field`,
    for annotating a list of cases (case_event_case serves it)."""
    return Subquery(
        progress_events()
        .filter(case_id=OuterRef(case_field))
        .order_by("-at", "-id")
        .values("id")[:1]
    )
