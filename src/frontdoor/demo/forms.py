"""The demo council's online forms: the ones the seed councils name."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from frontdoor.core.calendar import council_calendar
from frontdoor.directory.models import ContactPoint, Service
from frontdoor.intake.webforms.models import CollectionSlot, FormField, RequestForm

BIN_TYPES = """general | General waste (black bin)
recycling | Recycling (green bin)
garden | Garden waste (brown bin)
food | Food waste caddy"""

BULKY_ITEMS = """sofa | Sofa or armchair
bed | Bed or mattress
fridge | Fridge or freezer
washer | Washing machine or dishwasher
furniture | Table, chairs or wardrobe
other | Something else"""

FLY_TIPPED = """bags | Black bags
household | Household items or furniture
building | Building rubble
garden | Garden waste
tyres | Tyres
hazardous | Asbestos, chemicals or drums
other | Something else"""

HOW_MUCH = """single | A single bag or item
car_boot | A car boot load
van | A small van load
lorry | A lorry load or more"""

# slug, title, service, kind, location, email required, straight on, Open311, group,
# introduction, what happens next, fields (code, label, hint, type, required, page, extra)
FORMS: list[dict[str, Any]] = [
    {
        "slug": "missed-bin",
        "title": "Report a missed bin",
        "service": "missed-bin",
        "needs_location": True,
        "straight_to_department": True,
        "offered_over_open311": True,
        "group": "Bins and recycling",
        "introduction": "Tell us within 2 working days of your collection day. You will need "
        "the address and which bin was missed.",
        "what_happens_next": "We will collect it within 2 working days. Please leave the bin "
        "out until we do.",
        "fields": [
            ("bin", "Which bin was missed?", "", "choice", True, 1, {"choices": BIN_TYPES}),
            (
                "out_by_7am",
                "Was the bin out by 7am on collection day?",
                "",
                "choice",
                True,
                2,
                {"choices": "yes | Yes\nno | No"},
            ),
        ],
    },
    {
        "slug": "bulky-waste",
        "title": "Book a bulky waste collection",
        "service": "bulky-waste",
        "needs_location": True,
        "straight_to_department": True,
        "introduction": "We collect up to 10 large items from outside your home. You will "
        "choose a collection date.",
        "what_happens_next": "Put the items out by 7am on your collection day, where the crew "
        "can reach them.",
        "fields": [
            (
                "items",
                "What do you want collected?",
                "Select all that apply.",
                "choices",
                True,
                1,
                {"choices": BULKY_ITEMS},
            ),
            (
                "item_count",
                "How many items are there?",
                "Up to 10.",
                "number",
                True,
                1,
                {"min_value": 1, "max_value": 10},
            ),
            (
                "other_items",
                "Describe anything else",
                "For example, 'a rolled-up carpet'.",
                "textarea",
                False,
                1,
                {"max_length": 500},
            ),
            ("collection_date", "Choose a collection date", "", "slot", True, 2, {}),
        ],
    },
    {
        "slug": "fly-tipping",
        "title": "Report fly-tipping",
        "service": "fly-tipping",
        "needs_location": True,
        "email_required": False,
        "offered_over_open311": True,
        "group": "Street care",
        "keywords": "rubbish, dumping, waste",
        "introduction": "Tell us where the rubbish is and what it is. Do not touch it: it may "
        "be dangerous. You can report it without giving your name.",
        "what_happens_next": "We aim to clear it within 5 working days, and the same day if it "
        "is dangerous.",
        "fields": [
            (
                "waste_type",
                "What has been dumped?",
                "Select all that apply.",
                "choices",
                True,
                1,
                {"choices": FLY_TIPPED},
            ),
            ("amount", "How much is there?", "", "choice", True, 2, {"choices": HOW_MUCH}),
            (
                "details",
                "Anything else we should know?",
                "For example, whether you saw who left it.",
                "textarea",
                False,
                3,
                {"max_length": 2000},
            ),
        ],
    },
    {
        "slug": "blue-badge",
        "title": "Ask about a Blue Badge",
        "service": "blue-badge",
        "kind": "enquiry",
        "introduction": "Ask about applying for, renewing or replacing a Blue Badge.",
        "what_happens_next": "A Blue Badge officer will reply by email.",
        "fields": [
            (
                "about",
                "What is your enquiry about?",
                "",
                "choice",
                True,
                1,
                {
                    "choices": "new | Applying for a new badge\nrenew | Renewing a badge\n"
                    "replace | Replacing a lost or stolen badge\nother | Something else"
                },
            ),
            (
                "badge_number",
                "Badge number (if you have one)",
                "It is on the front of the badge.",
                "text",
                False,
                2,
                {"max_length": 30},
            ),
            ("question", "Your question", "", "textarea", True, 2, {"max_length": 3000}),
        ],
    },
    {
        "slug": "general-enquiry",
        "title": "Ask us a question",
        "service": "general-enquiry",
        "kind": "enquiry",
        "introduction": "Ask about any council service.",
        "what_happens_next": "An advisor will reply by email.",
        "fields": [
            ("question", "Your question", "", "textarea", True, 1, {"max_length": 3000}),
        ],
    },
    {
        "slug": "feedback",
        "title": "Make a comment, compliment or complaint",
        "service": "feedback",
        "kind": "comment",
        "introduction": "Tell us what we did well or what went wrong. A complaint is any "
        "expression of dissatisfaction: you do not need to use the word.",
        "what_happens_next": "We acknowledge complaints within 5 working days and reply within "
        "10 working days.",
        "fields": [
            (
                "feedback_kind",
                "What would you like to do?",
                "",
                "choice",
                True,
                1,
                {
                    "choices": "complaint | Make a complaint\ncompliment | Give a compliment\n"
                    "comment | Make a comment or suggestion",
                    "sets_case_kind": True,
                },
            ),
            (
                "service_name",
                "Which service is it about?",
                "For example, 'bin collections'.",
                "text",
                False,
                2,
                {"max_length": 200},
            ),
            ("details", "Tell us what happened", "", "textarea", True, 2, {"max_length": 5000}),
            (
                "put_right",
                "What would you like us to do to put it right?",
                "",
                "textarea",
                False,
                2,
                {"max_length": 2000},
            ),
        ],
    },
]

# Web-form contact points the forms above need beyond those in council.CONTACT_POINTS.
FORM_CONTACT_POINTS = [
    ("Ask us a question", "/forms/general-enquiry", "general-enquiry"),
    ("Comments, compliments and complaints", "/forms/feedback", "feedback"),
]
SLOT_DAYS = 30
SLOT_CAPACITY = 20


def forms_build(services: dict[str, Service]) -> None:
    """Create the demo forms (leaving alone any the council has changed) and bulky waste
    collection dates for the next working days."""
    for name, address, code in FORM_CONTACT_POINTS:
        ContactPoint.objects.get_or_create(
            kind=ContactPoint.Kind.WEB_FORM,
            address=address,
            defaults={
                "name": name,
                "service": services[code],
                "department": services[code].department,
            },
        )
    for position, spec in enumerate(FORMS, start=1):
        spec = dict(spec)
        fields = spec.pop("fields")
        service = services[spec.pop("service")]
        point = ContactPoint.objects.get(
            kind=ContactPoint.Kind.WEB_FORM, address=f"/forms/{spec['slug']}"
        )
        form, created = RequestForm.objects.get_or_create(
            slug=spec.pop("slug"),
            defaults={"service": service, "contact_point": point, "position": position, **spec},
        )
        if not created:
            continue
        for order, (code, label, hint, datatype, required, page, extra) in enumerate(fields, 1):
            FormField.objects.create(
                form=form,
                code=code,
                label=label,
                hint=hint,
                datatype=datatype,
                required=required,
                page=page,
                position=order,
                **extra,
            )
    bulky = RequestForm.objects.get(slug="bulky-waste")
    slots_add(form=bulky, days=SLOT_DAYS, capacity=SLOT_CAPACITY)


def slots_add(*, form: RequestForm, days: int, capacity: int) -> None:
    """Collection dates on the next `days` working days that have none yet."""
    calendar = council_calendar()
    day = timezone.localdate()
    have = set(form.slots.values_list("date", flat=True))
    wanted: list[date] = []
    while len(wanted) < days:
        day += timedelta(days=1)
        if calendar.is_working_day(day):
            wanted.append(day)
    CollectionSlot.objects.bulk_create(
        [CollectionSlot(form=form, date=d, capacity=capacity) for d in wanted if d not in have]
    )
