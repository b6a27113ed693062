"""The staff console's menu: each entry is shown to those its app's selectors let in."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from frontdoor.core.roles import staff_role
from frontdoor.intake.email.selectors import may_see_quarantine
from frontdoor.intake.reception.selectors import may_staff_reception
from frontdoor.reporting.selectors import may_see_dashboards
from frontdoor.routing.selectors import may_read_rules, may_see_board, may_take_work


@dataclass(frozen=True)
class MenuEntry:
    url_name: str
    label: str
    shown_to: Callable[[Any], bool]
    # Other pages of the same section, where the entry is marked current too.
    also: tuple[str, ...] = ()


def _in_a_department(user: Any) -> bool:
    return user.staff_member.department_id is not None


def _anyone(user: Any) -> bool:
    return True


MENU = [
    MenuEntry("workspace", "My work", may_take_work),
    MenuEntry("board", "Team board", may_see_board),
    MenuEntry("reception", "Front desk", may_staff_reception, also=("reception_desk",)),
    MenuEntry("customer_search", "Customers", _anyone),
    MenuEntry("my_cases", "My cases", _anyone),
    MenuEntry("department_inbox", "Department inbox", _in_a_department),
    MenuEntry("quarantine", "Quarantine", may_see_quarantine),
    MenuEntry("routing_rules", "Routing rules", may_read_rules),
    MenuEntry(
        "report_overview",
        "Reports",
        may_see_dashboards,
        also=("report_service", "report_today", "report_peers"),
    ),
    MenuEntry("contact_points", "Contact points", may_see_dashboards),
    MenuEntry("absences", "Who is away", _anyone),
]


def console_menu(request: HttpRequest) -> dict[str, object]:
    """The entries for the signed-in member of staff, the current one marked."""
    user = request.user
    if staff_role(user) is None:
        return {}
    section = request.resolver_match.url_name if request.resolver_match else None
    entries = [
        {
            "href": reverse(f"console:{e.url_name}"),
            "label": e.label,
            "current": section in (e.url_name, *e.also),
        }
        for e in MENU
        if e.shown_to(user)
    ]
    return {"console_menu": entries}
