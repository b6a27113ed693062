"""Departments, services, SLA policies, contact points, outcomes and the demo staff and
residents, drawn from the council documents in shared/seeds. Safe to run twice."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from frontdoor.cases.models import Outcome
from frontdoor.core.models import Council
from frontdoor.core.roles import Role
from frontdoor.demo.forms import forms_build
from frontdoor.demo.open311 import open311_build
from frontdoor.directory.models import (
    ContactPoint,
    Department,
    Service,
    Skill,
    SLAPolicy,
    StaffMember,
    StaffSkill,
    Team,
)
from frontdoor.intake.reception.models import DeskService
from frontdoor.portal.services import resident_account_ensure
from frontdoor.reporting.models import KpiTarget
from frontdoor.routing.models import RoutingRule, WorkChannel, WorkQueue

DEMO_PASSWORD = "frontdoor-demo"  # noqa: S105 - the published demo sign-in, not a secret

SLA_POLICIES = {
    # name: (unit, first response, resolution)
    "Standard enquiry": ("working_days", 2, 5),
    "Service request": ("working_days", 2, 10),
    "Urgent safety": ("working_hours", 2, 8),
    "Complaint stage 1": ("working_days", 5, 15),
    "Social care referral": ("working_days", 1, 3),
}

SKILLS = {
    "Revenues": ["Council tax", "Benefits"],
    "Environment": ["Waste and recycling", "Highways and streets"],
    "Health and Wellbeing": ["Adult social care", "Blue badges"],
    "Life events": ["Registrars and bereavement"],
    "Place": ["Planning and parking", "Housing"],
    "General": ["General enquiries"],
}

DEPARTMENTS = [
    "Revenues and Benefits",
    "Finance",
    "Waste and Recycling",
    "Highways",
    "Adult Social Care",
    "Registrars and Bereavement",
    "Planning",
    "Parking Services",
    "Housing",
    "Customer Services",
]

# name, code, department, SLA policy, front office resolves, restricted, skill
SERVICES = [
    (
        "Council Tax",
        "council-tax",
        "Revenues and Benefits",
        "Standard enquiry",
        True,
        False,
        "Council tax",
    ),
    (
        "Housing Benefit",
        "housing-benefit",
        "Revenues and Benefits",
        "Service request",
        False,
        False,
        "Benefits",
    ),
    (
        "Business Rates",
        "business-rates",
        "Revenues and Benefits",
        "Standard enquiry",
        True,
        False,
        "Council tax",
    ),
    (
        "Invoices and payments",
        "invoices-payments",
        "Finance",
        "Standard enquiry",
        False,
        False,
        None,
    ),
    (
        "Missed bin collection",
        "missed-bin",
        "Waste and Recycling",
        "Service request",
        True,
        False,
        "Waste and recycling",
    ),
    (
        "Bulky waste collection",
        "bulky-waste",
        "Waste and Recycling",
        "Service request",
        True,
        False,
        "Waste and recycling",
    ),
    (
        "Garden waste subscription",
        "garden-waste",
        "Waste and Recycling",
        "Standard enquiry",
        True,
        False,
        "Waste and recycling",
    ),
    (
        "Fly-tipping",
        "fly-tipping",
        "Waste and Recycling",
        "Service request",
        False,
        False,
        "Waste and recycling",
    ),
    (
        "Street cleansing",
        "street-cleansing",
        "Waste and Recycling",
        "Service request",
        False,
        False,
        "Waste and recycling",
    ),
    (
        "Potholes and roads",
        "potholes",
        "Highways",
        "Service request",
        False,
        False,
        "Highways and streets",
    ),
    (
        "Street lighting",
        "street-lighting",
        "Highways",
        "Service request",
        False,
        False,
        "Highways and streets",
    ),
    (
        "Dangerous structure or obstruction",
        "dangerous-structure",
        "Highways",
        "Urgent safety",
        False,
        False,
        "Highways and streets",
    ),
    (
        "Blue Badge",
        "blue-badge",
        "Adult Social Care",
        "Service request",
        True,
        False,
        "Blue badges",
    ),
    (
        "Adult social care referral",
        "adult-social-care",
        "Adult Social Care",
        "Social care referral",
        False,
        True,
        "Adult social care",
    ),
    (
        "Birth, death and marriage certificates",
        "registrars",
        "Registrars and Bereavement",
        "Standard enquiry",
        True,
        False,
        "Registrars and bereavement",
    ),
    (
        "Bereavement services",
        "bereavement",
        "Registrars and Bereavement",
        "Standard enquiry",
        False,
        False,
        "Registrars and bereavement",
    ),
    (
        "Planning enquiry",
        "planning",
        "Planning",
        "Standard enquiry",
        False,
        False,
        "Planning and parking",
    ),
    (
        "Parking permits and fines",
        "parking",
        "Parking Services",
        "Standard enquiry",
        True,
        False,
        "Planning and parking",
    ),
    ("Housing repairs", "housing-repairs", "Housing", "Service request", False, False, "Housing"),
    (
        "General enquiry",
        "general-enquiry",
        "Customer Services",
        "Standard enquiry",
        True,
        False,
        "General enquiries",
    ),
    (
        "Comments, compliments and complaints",
        "feedback",
        "Customer Services",
        "Complaint stage 1",
        False,
        False,
        "General enquiries",
    ),
]

OUTCOMES = [
    "Information given",
    "Service requested",
    "Appointment booked",
    "Payment taken",
    "Referred to partner organisation",
    "No further action needed",
    "Complaint upheld",
    "Complaint not upheld",
]

CONTACT_POINTS: list[tuple[str, str, str, str | None]] = [
    # kind, name, address, service code (None: the general line)
    ("phone", "Main switchboard", "+441134960000", None),
    ("phone", "Council tax line", "+441134960100", "council-tax"),
    ("phone", "Waste and recycling line", "+441134960200", "missed-bin"),
    ("phone", "Health and Social Care Connect", "+441134960300", "adult-social-care"),
    ("phone", "Highways faults", "+441134960400", "potholes"),
    ("phone", "Registrars", "+441134960500", "registrars"),
    ("phone", "Parking services", "+441134960600", "parking"),
    ("phone", "Old housing benefit line", "+441134960700", "housing-benefit"),
    ("email", "Customer services inbox", "customer.services@frontdoor.example", "general-enquiry"),
    ("email", "Council tax inbox", "counciltax@frontdoor.example", "council-tax"),
    ("email", "Waste inbox", "waste@frontdoor.example", "missed-bin"),
    ("email", "Finance inbox", "finance@frontdoor.example", "invoices-payments"),
    ("web_form", "Report a missed bin", "/forms/missed-bin", "missed-bin"),
    ("web_form", "Book a bulky waste collection", "/forms/bulky-waste", "bulky-waste"),
    ("web_form", "Report fly-tipping", "/forms/fly-tipping", "fly-tipping"),
    ("web_form", "Apply for a Blue Badge", "/forms/blue-badge", "blue-badge"),
    ("e_form", "Pothole e-form", "/eforms/pothole", "potholes"),
    ("chat", "Website chat", "/chat", None),
    ("social", "Council on social media", "@frontdoorcouncil", None),
    ("reception", "Civic Centre reception", "Civic Centre, ground floor", None),
]

# KPI: (target, amber margin, on the public page). The first-contact resolution and the
# calls-answered targets are those of the council plan in shared/seeds (003).
KPI_TARGETS = {
    "first_contact_resolution": (80, 5, True),
    "calls_answered": (92, 3, True),
    "abandonment_rate": (8, 3, True),
    "service_level": (80, 5, False),
    "first_response_in_target": (95, 5, True),
    "resolution_in_target": (90, 5, True),
    "digital_take_up": (40, 5, True),
    "average_speed_of_answer": (60, 30, False),
    "overdue": (10, 5, False),
}

# The services the Civic Centre reception issues queue tickets for: letter, service code.
RECEPTION_DESK = ("reception", "Civic Centre, ground floor")
DESK_SERVICES = [
    ("C", "council-tax"),
    ("H", "housing-benefit"),
    ("B", "blue-badge"),
    ("P", "parking"),
    ("R", "registrars"),
    ("W", "bulky-waste"),
    ("G", "general-enquiry"),
]

# username, first name, last name, role, department, may view restricted, superuser
STAFF: list[tuple[str, str, str, Role, str | None, bool, bool]] = [
    ("ava", "Ava", "Advisor", Role.ADVISOR, "Customer Services", False, False),
    ("abe", "Abe", "Advisor", Role.ADVISOR, "Customer Services", False, False),
    ("tess", "Tess", "Teamleader", Role.TEAM_LEADER, "Customer Services", False, False),
    ("bea", "Bea", "Backoffice", Role.BACK_OFFICE, "Waste and Recycling", False, False),
    ("sam", "Sam", "Socialcare", Role.BACK_OFFICE, "Adult Social Care", False, False),
    ("max", "Max", "Manager", Role.MANAGER, None, True, False),
    ("ada", "Ada", "Administrator", Role.ADMINISTRATOR, None, False, True),
]
RESIDENTS = [("cara", "Cara", "Resident"), ("carl", "Carl", "Resident")]

# The front office's email queues: name, position, services (none: the rest of the email).
WORK_QUEUES = [
    ("Email: Revenues", 10, ["council-tax", "housing-benefit", "business-rates"]),
    (
        "Email: Environment",
        20,
        [
            "missed-bin",
            "bulky-waste",
            "garden-waste",
            "fly-tipping",
            "street-cleansing",
            "potholes",
            "street-lighting",
            "dangerous-structure",
        ],
    ),
    ("Email: Health and Wellbeing", 30, ["blue-badge"]),
    ("Email: General", 100, []),
]
# Front-office staff in the Customer Services team, and their skills with levels
# (1 Learning, 2 Skilled, 3 Expert).
FRONT_OFFICE_SKILLS = {
    "ava": {
        "General enquiries": 3,
        "Council tax": 2,
        "Waste and recycling": 2,
        "Highways and streets": 1,
    },
    "abe": {"General enquiries": 3, "Waste and recycling": 2, "Council tax": 2},
    "tess": {name: 3 for names in SKILLS.values() for name in names},
}


@dataclass(frozen=True)
class SignIn:
    username: str
    description: str


def demo_sign_ins() -> list[SignIn]:
    staff = [
        SignIn(username, Role(role).label + (f", {department}" if department else ""))
        for username, _, _, role, department, _, _ in STAFF
    ]
    return staff + [SignIn(username, "Resident") for username, _, _ in RESIDENTS]


@transaction.atomic
def council_build() -> None:
    """Create (or complete) the demo council."""
    council = Council.current()
    council.name = council.name or "Frontdoor Borough Council"
    council.phone = council.phone or "0113 496 0000"
    council.website = council.website or "https://www.frontdoor.example"
    council.email_from = council.email_from or "customer.services@frontdoor.example"
    council.save()
    policies = {
        name: SLAPolicy.objects.get_or_create(
            name=name,
            defaults={"unit": unit, "first_response_target": first, "resolution_target": res},
        )[0]
        for name, (unit, first, res) in SLA_POLICIES.items()
    }
    skills = {}
    for family, names in SKILLS.items():
        for name in names:
            skills[name] = Skill.objects.get_or_create(
                name=name, defaults={"family_group": family}
            )[0]
    departments = {
        name: Department.objects.get_or_create(
            name=name,
            defaults={"email": name.lower().replace(" ", ".") + "@frontdoor.example"},
        )[0]
        for name in DEPARTMENTS
    }
    services = {}
    for name, code, department, policy, front_office, restricted, skill in SERVICES:
        services[code] = Service.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "department": departments[department],
                "sla_policy": policies[policy],
                "front_office_resolves": front_office,
                "restricted": restricted,
                "required_skill": skills.get(skill) if skill else None,
            },
        )[0]
    for name in OUTCOMES:
        Outcome.objects.get_or_create(name=name)
    for kind, name, address, service_code in CONTACT_POINTS:
        service = services.get(service_code) if service_code else None
        ContactPoint.objects.get_or_create(
            kind=kind,
            address=address,
            defaults={
                "name": name,
                "service": service,
                "department": service.department if service else departments["Customer Services"],
            },
        )
    for kpi, (target, margin, published) in KPI_TARGETS.items():
        KpiTarget.objects.get_or_create(
            kpi=kpi, defaults={"target": target, "amber_margin": margin, "published": published}
        )
    desk = ContactPoint.objects.get(kind=RECEPTION_DESK[0], address=RECEPTION_DESK[1])
    for position, (letter, code) in enumerate(DESK_SERVICES, start=1):
        DeskService.objects.get_or_create(
            desk=desk, service=services[code], defaults={"letter": letter, "position": position}
        )
    RoutingRule.objects.get_or_create(
        name="Remittance advice to Finance",
        defaults={
            "position": 10,
            "subject": "remittance advice",
            "department": departments["Finance"],
            "service": services["invoices-payments"],
        },
    )
    users = get_user_model().objects
    for username, first, last, role, home, restricted, superuser in STAFF:
        user, created = users.get_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "email": f"{username}@frontdoor.example",
                "is_staff": superuser,
                "is_superuser": superuser,
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        StaffMember.objects.get_or_create(
            user=user,
            defaults={
                "role": role,
                "department": departments[home] if home else None,
                "may_view_restricted": restricted,
            },
        )
    _front_office_build(services, skills)
    forms_build(services)
    open311_build()
    for username, first, last in RESIDENTS:
        user, created = users.get_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "email": f"{username}@example.com",
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        # They sign in to My Account with this address, already confirmed.
        resident_account_ensure(user=user, email=user.email, verified_at=timezone.now())


def _front_office_build(services: dict[str, Service], skills: dict[str, Skill]) -> None:
    team, _ = Team.objects.get_or_create(name="Customer Services")
    for username, levels in FRONT_OFFICE_SKILLS.items():
        member = StaffMember.objects.get(user__username=username)
        if member.team_id is None:
            member.team = team
            member.save(update_fields=["team"])
        for skill, level in levels.items():
            StaffSkill.objects.get_or_create(
                staff=member, skill=skills[skill], defaults={"level": level}
            )
    for name, position, codes in WORK_QUEUES:
        queue, created = WorkQueue.objects.get_or_create(
            name=name, defaults={"channel": WorkChannel.EMAIL, "position": position}
        )
        if created:
            queue.services.set([services[code] for code in codes])
