"""Two years of demo contacts, customers and cases, written in bulk.

The rows are the ones the case services would have written had every call, email and form
gone through them one at a time: the same fields, the same timeline events, the same rules
(restricted copied from the service, restricted cases sent straight to their department,
resolved cases with an outcome and a note, first-contact resolution worked out as
`case_resolve` does). Writing them one service call at a time would take hours for a million
contacts, so the lifecycle of each case is simulated in memory and the rows are written in
bulk, chunk by chunk, one transaction per chunk (see TableWriter for why not bulk_create).

The generator walks day by day from two years ago up to the start of today. A case stays in
memory while it is open, because a customer may still chase it; once resolved it can no longer
change and is written. Everything random comes from one random.Random(seed), so the same seed,
count and day give the same data.
"""

from __future__ import annotations

import bisect
import queue
import random
import threading
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection, models, transaction
from django.utils import timezone

from frontdoor.cases.models import Case, CaseEvent, Channel, Contact, Outcome
from frontdoor.cases.services import LIVE_CHANNELS, due_dates
from frontdoor.core.bulk import TableWriter, epoch_datetime, large_sqlite_cache
from frontdoor.core.calendar import WorkingCalendar, council_calendar
from frontdoor.core.models import Council
from frontdoor.core.references import format_reference, reference_numbers_allocate
from frontdoor.core.roles import Role
from frontdoor.customers.models import Customer, CustomerAddress, CustomerEmail, CustomerPhone
from frontdoor.customers.services import customer_search_keys
from frontdoor.directory.models import ContactPoint, Department, Service, SLAPolicy, StaffMember
from frontdoor.directory.services import contact_point_mark_used

DAYS = 730
CHUNK_CONTACTS = 15_000
# The phone line the demo leaves unused for over a year, for the contact-point hygiene report.
RETIRING_LINE = "Old housing benefit line"
RETIRING_LINE_QUIET_DAYS = 400

E = CaseEvent.Kind
S = Case.Status
SELF_SERVICE = frozenset({Channel.WEB_FORM, Channel.E_FORM, Channel.OPEN311})
POINT_KIND = {
    Channel.PHONE: ContactPoint.Kind.PHONE,
    Channel.EMAIL: ContactPoint.Kind.EMAIL,
    Channel.WEB_FORM: ContactPoint.Kind.WEB_FORM,
    Channel.E_FORM: ContactPoint.Kind.E_FORM,
    Channel.CHAT: ContactPoint.Kind.CHAT,
    Channel.SOCIAL: ContactPoint.Kind.SOCIAL,
    Channel.FACE_TO_FACE: ContactPoint.Kind.RECEPTION,
}
CHANNEL_LABEL = {c.value: c.label for c in Channel}
KIND_LABEL = {k.value: k.label for k in Case.Kind}

# ---------------------------------------------------------------------------------------------
# Who works the cases. Ava, Tess, Bea and Sam come from the demo council; these colleagues fill
# the rest of the teams so that one advisor does not carry a whole council's calls. They have
# no password: nobody signs in as them.

ADVISORS = [
    ("priya.shah", "Priya", "Shah"),
    ("tom.hughes", "Tom", "Hughes"),
    ("grace.okafor", "Grace", "Okafor"),
    ("liam.walsh", "Liam", "Walsh"),
    ("fatima.begum", "Fatima", "Begum"),
    ("ryan.price", "Ryan", "Price"),
    ("chloe.evans", "Chloe", "Evans"),
    ("daniel.nowak", "Daniel", "Nowak"),
    ("megan.reid", "Megan", "Reid"),
    ("sunil.patel", "Sunil", "Patel"),
    ("hannah.cole", "Hannah", "Cole"),
    ("kwame.mensah", "Kwame", "Mensah"),
]
OFFICERS = {
    "Revenues and Benefits": [
        ("helen.clarke", "Helen", "Clarke"),
        ("marcus.bell", "Marcus", "Bell"),
    ],
    "Finance": [("janet.morris", "Janet", "Morris")],
    "Waste and Recycling": [
        ("dave.turner", "Dave", "Turner"),
        ("kerry.jackson", "Kerry", "Jackson"),
    ],
    "Highways": [("steve.mills", "Steve", "Mills"), ("aisha.rahman", "Aisha", "Rahman")],
    "Adult Social Care": [("ruth.adeyemi", "Ruth", "Adeyemi")],
    "Registrars and Bereavement": [("margaret.lloyd", "Margaret", "Lloyd")],
    "Planning": [("owen.rees", "Owen", "Rees"), ("lucy.fox", "Lucy", "Fox")],
    "Parking Services": [("gary.knight", "Gary", "Knight")],
    "Housing": [("nadia.hussain", "Nadia", "Hussain"), ("paul.gregory", "Paul", "Gregory")],
    "Customer Services": [("joanne.carr", "Joanne", "Carr")],
}
# Share of the front-office work each demo user takes, against 1.0 for each colleague above.
DEMO_ADVISOR_WEIGHTS = {"ava": 1.0, "tess": 0.3}
# The demo back-office officers take a larger share of their department's cases.
DEMO_OFFICER_WEIGHTS = {"bea": 1.6, "sam": 1.5, "tess": 0.5}

# ---------------------------------------------------------------------------------------------
# People and places. Names from a fixed list; email addresses at the reserved example domains;
# phone numbers from Ofcom's ranges for drama (never allocated to anyone, and valid for
# libphonenumber; 07700 900xxx is not); postcodes in the fictional FD area, in the valid format.


def _words(text: str) -> list[str]:
    return text.split()


FEMALE_NAMES = _words(
    "Olivia Amelia Isla Emily Sophie Grace Jessica Hannah Lucy Ellie Charlotte Mia Ruby Evie "
    "Freya Poppy Megan Holly Niamh Siobhan Rhiannon Bethan Eilidh Catriona Margaret Susan "
    "Patricia Linda Janet Carol Helen Karen Julie Sarah Claire Rachel Emma Laura Nicola Joanne "
    "Amy Kirsty Yasmin Amira Maryam Noor Aisha Priya Anita Sunita Gurpreet Agnieszka Katarzyna "
    "Ioana Chiara Adaeze Chidinma Abena Shanice Zara Mei Fatima Jasmine Leah"
)
MALE_NAMES = _words(
    "Oliver George Harry Jack Jacob Noah Charlie Thomas Oscar William James Leo Alfie Henry "
    "Joshua Freddie Archie Ethan Isaac Alexander Joseph Samuel Daniel Logan Lewis Callum Ryan "
    "Connor Liam Sean Dylan Rhys Gareth Owen Dafydd Hamish Fraser Euan Angus David John Michael "
    "Peter Paul Mark Stephen Andrew Robert Richard Ian Graham Mohammed Ahmed Ali Omar Bilal "
    "Imran Rajesh Sanjay Arjun Harpreet Tomasz Piotr Marius Andrei Luca Chukwuemeka Kwame Tunde "
    "Delroy Wei"
)
FAMILY_NAMES = _words(
    "Smith Jones Williams Taylor Brown Davies Evans Wilson Thomas Johnson Roberts Robinson "
    "Thompson Wright Walker White Edwards Hughes Green Hall Lewis Harris Clarke Patel Jackson "
    "Wood Turner Martin Cooper Hill Ward Morris Moore Clark Lee King Baker Harrison Morgan Allen "
    "James Scott Phillips Watson Davis Parker Price Bennett Young Griffiths Mitchell Kelly Cook "
    "Carter Richardson Bailey Collins Bell Shaw Murphy Miller Cox Richards Khan Marshall "
    "Anderson Simpson Ellis Adams Singh Begum Wilkinson Foster Chapman Powell Webb Rogers Gray "
    "Mason Ali Hunt Hussain Campbell Matthews Owen Palmer Holmes Mills Barnes Knight Lloyd "
    "Butler Russell Barker Fisher Stevens Jenkins Murray Dixon Harvey Graham Pearson Ahmed "
    "Fletcher Walsh Kaur Gibson Howard Andrews Stewart Elliott Reynolds Saunders Payne Fox Ford "
    "Pearce Day Brooks West Lawrence Cole Atkinson Bradley Spencer Gill Dawson Ball Burton "
    "O'Brien Watts Rose Booth Perry Ryan Grant Wells Armstrong Francis Rees Hayes Hart Hudson "
    "Newman Barrett Webster Hunter Gregory Carr Lowe Page Marsh Riley Dunn Woods Parsons Berry "
    "Stone Reid Holland Hawkins Harding Porter Robertson Newton Reed Kennedy Williamson Bird "
    "Gardner Shah Dean Lane Cooke Bates Henderson Parry Burgess Bishop Walton Burns Nicholson "
    "Shepherd Ross Cross Long Freeman Warren Nicholls Hamilton Byrne Sutton McDonald Yates "
    "Hodgson Robson Curtis Hopkins O'Connor Harper Coleman Watkins Moss McCarthy Chambers "
    "O'Neill Griffin Sharp Hardy Wheeler Potter Osborne Johnston Gordon Doyle Wallace Jordan "
    "Hutchinson Rowe Burke Pritchard Gilbert Willis Higgins Miles Stevenson Hammond Arnold "
    "Buckley Walters Hewitt Barber Nelson Slater Austin Sullivan Whitehead Mann Frost Lambert "
    "Blake Akhtar Lynch Goodwin Barton Woodward Thomson Cunningham Quinn Barnett Baxter Bibi "
    "Clayton Nash Greenwood Jennings Holt Kemp Poole Gallagher Bond Stokes Tucker Davidson "
    "Fowler Heath Norman Middleton Lawson Banks French Stanley Jarvis Gibbs Ferguson Hayward "
    "Carroll Farrell Nowak Kowalski Okafor Adeyemi Mensah Chen Wong Nguyen Rahman Islam "
    "Chowdhury Mahmood Iqbal Sharma Kumar Evans-Jones Ashworth Pugh Vaughan Llewellyn Morrison"
)
FEMALE_TITLES = ("", "", "Mrs", "Ms", "Miss", "Mrs", "Ms", "Dr")
MALE_TITLES = ("", "", "Mr", "Mr", "Mr", "Dr")
EMAIL_DOMAINS = ("example.com", "example.org", "example.net")
ORGANISATIONS = [
    "Greenfield Residents' Association",
    "St Mary's Church of England Primary School",
    "Northgate Housing Association",
    "Frontdoor Food Bank",
    "Millbank Medical Practice",
    "Riverside Care Home",
    "Oakley Community Centre",
    "Ashford Green Allotment Society",
    "Kwik Fix Plumbing Ltd",
    "Station Road Dental Surgery",
    "The Crown and Anchor",
    "1st Eastbrook Scout Group",
    "Westholme Tenants' Association",
    "Citizens Advice Frontdoor",
    "Age UK Frontdoor",
    "Frontdoor Chamber of Commerce",
    "Friends of Victoria Park",
    "Bright Start Nursery",
    "Patel's Pharmacy",
    "Meadowbank Lettings",
    "Hillside Garage",
    "Frontdoor Rugby Club",
    "Canal Street Bakery",
    "Southfields Academy",
    "Orchard House Surgery",
    "Market Hall Traders",
    "Willow Lodge Hotel",
    "Frontdoor Credit Union",
]
# Ofcom numbers for drama: 1,000 numbers after each prefix, 13 characters in E.164.
PHONE_PREFIXES = (
    "+441134960",
    "+441144960",
    "+441164960",
    "+441174960",
    "+441184960",
    "+441214960",
    "+441314960",
    "+441414960",
    "+441514960",
    "+441614960",
    "+441914980",
    "+442079460",
    "+442890180",
    "+442920180",
)
DISTRICTS = [
    "Town Centre",
    "Northgate",
    "Southfields",
    "Eastbrook",
    "Westholme",
    "Millbank",
    "Oakley",
    "Ashford Green",
    "Hillside",
    "Riverside",
    "Meadowbank",
    "Kingsway",
]
TOWN = "Frontdoor"
STREET_NAMES = _words(
    "Acacia Albert Alexandra Beech Church Station Victoria Mill Park Queens Kings Manor Chapel "
    "Orchard Meadow Willow Elm Oak Ash Birch Cedar Hawthorn Holly Ivy Laurel Maple Rowan "
    "Sycamore Clarence Windsor York Lancaster Grosvenor Cambridge Oxford Milton Shakespeare "
    "Tennyson Wordsworth Byron Nelson Wellington Trafalgar Waterloo Coronation Jubilee Hillside "
    "Riverside Brook Canal Bridge Market High Spring Bank Green Cromwell Hampden Fairfield"
)
STREET_KINDS = _words(
    "Street Road Avenue Close Lane Drive Grove Terrace Crescent Way Gardens Place"
)
HOUSES_PER_POSTCODE = 8
INCODE_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"


def _streets() -> list[tuple[str, str, list[str]]]:
    """(street, district, postcodes by block of houses): the same on every run."""
    rng = random.Random(20_240_401)
    names = [f"{n} {k}" for n in STREET_NAMES for k in STREET_KINDS]
    rng.shuffle(names)
    streets = []
    for index, name in enumerate(names[:480]):
        district = index % len(DISTRICTS)
        postcodes = [
            f"FD{district + 1} {rng.randrange(10)}"
            f"{rng.choice(INCODE_LETTERS)}{rng.choice(INCODE_LETTERS)}"
            for _ in range(150 // HOUSES_PER_POSTCODE + 1)
        ]
        streets.append((name, DISTRICTS[district], postcodes))
    return streets


STREETS = _streets()

# ---------------------------------------------------------------------------------------------
# What residents ask about. Weight: the service's share of contacts. Season: a factor per month
# (January first). Channels: weights added to the defaults; web forms and e-forms only where the
# council publishes one. Place: the case has a location.

DEFAULT_CHANNELS = {
    Channel.PHONE: 56.0,
    Channel.EMAIL: 13.0,
    Channel.FACE_TO_FACE: 8.5,
    Channel.CHAT: 4.5,
    Channel.SOCIAL: 2.0,
}
FLAT = (1.0,) * 12


@dataclass(frozen=True)
class Profile:
    weight: float
    requests: tuple[tuple[str, str], ...]  # (case summary, what the customer said)
    outcomes: tuple[tuple[str, str], ...]  # (outcome, resolution note)
    season: tuple[float, ...] = FLAT
    channels: dict[Channel, float] = field(default_factory=dict)
    place: bool = False
    no_case: tuple[str, ...] = ()  # what was said when no case was needed
    kinds: tuple[tuple[str, float], ...] = ((Case.Kind.REQUEST, 1.0),)


PROFILES: dict[str, Profile] = {
    "council-tax": Profile(
        20,
        season=(1.0, 1.1, 2.4, 2.6, 1.3, 1.0, 0.9, 0.9, 0.9, 0.9, 0.9, 0.8),
        channels={Channel.EMAIL: 15, Channel.E_FORM: 6},
        kinds=((Case.Kind.ENQUIRY, 0.7), (Case.Kind.REQUEST, 0.3)),
        requests=(
            ("Query about this year's bill", "Asked why the bill has gone up this year"),
            ("Change of address", "Moving house and wants the account moved"),
            ("Single person discount", "Lives alone now and asked for the 25% discount"),
            ("Set up a direct debit", "Wants to pay by direct debit over 12 months"),
            ("Missed instalment reminder", "Received a reminder and says the payment was made"),
            ("Change of name on the account", "Got married and wants the bill in the new name"),
            ("Student exemption", "Full-time student asking about an exemption"),
        ),
        outcomes=(
            ("Information given", "Explained the bill, the band and the instalment dates."),
            ("Payment taken", "Took a card payment and brought the account up to date."),
            ("Service requested", "Set up the direct debit from next month."),
            ("Service requested", "Moved the account to the new address from the moving date."),
            ("Information given", "Applied the discount and sent a revised bill."),
        ),
        no_case=(
            "Asked for the balance on the account",
            "Asked when the next instalment is due",
            "Paid the instalment by card over the phone",
        ),
    ),
    "housing-benefit": Profile(
        5,
        channels={Channel.EMAIL: 12},
        requests=(
            ("Change of circumstances", "Started a new job and needs the claim reassessed"),
            ("Claim progress", "Applied a month ago and asked how the claim is going"),
            ("Overpayment letter", "Received an overpayment letter and does not understand it"),
        ),
        outcomes=(
            ("Information given", "Explained the overpayment and agreed a repayment plan."),
            ("Service requested", "Reassessed the claim with the new income."),
            ("Information given", "Confirmed the claim is processed; first payment next week."),
        ),
        no_case=("Asked what evidence the claim needs",),
    ),
    "business-rates": Profile(
        2,
        season=(1.0, 1.1, 1.8, 2.0, 1.1, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.9),
        channels={Channel.EMAIL: 25},
        kinds=((Case.Kind.ENQUIRY, 1.0),),
        requests=(
            ("Small business rate relief", "Asked whether the shop qualifies for relief"),
            ("Business rates bill query", "Bill for the unit seems too high"),
        ),
        outcomes=(
            ("Information given", "Explained the relief and sent the application form."),
            ("Service requested", "Applied small business rate relief and rebilled."),
        ),
    ),
    "invoices-payments": Profile(
        2,
        channels={Channel.EMAIL: 40},
        kinds=((Case.Kind.ENQUIRY, 1.0),),
        requests=(
            ("Invoice not paid", "Supplier chasing an invoice that is past its terms"),
            ("Paying an invoice", "Wants to pay an invoice for a licence"),
        ),
        outcomes=(
            ("Payment taken", "Payment made in the next payment run."),
            ("Information given", "Gave the bank details and the invoice reference to quote."),
        ),
    ),
    "missed-bin": Profile(
        12,
        season=(1.4, 0.9, 0.9, 1.0, 1.1, 1.3, 1.5, 1.5, 1.2, 1.0, 0.9, 1.1),
        channels={Channel.WEB_FORM: 80, Channel.SOCIAL: 2},
        place=True,
        requests=(
            ("Missed general waste collection", "Black bin was not emptied on collection day"),
            ("Missed recycling collection", "Blue recycling bin was not emptied"),
            ("Missed food waste collection", "Food caddy was left at the kerb"),
            ("Missed collection, whole street", "Nobody's bins were emptied on the street"),
            ("Assisted collection missed", "Crew did not collect from the assisted address"),
        ),
        outcomes=(
            ("Service requested", "Crew booked to return within two working days."),
            ("Service requested", "Collected the next day; crew reminded of the address."),
            ("Information given", "Bin was out after the crew passed; explained the times."),
        ),
        no_case=("Asked which bin goes out this week", "Asked about the holiday collection days"),
    ),
    "bulky-waste": Profile(
        5,
        season=(0.7, 0.8, 1.0, 1.3, 1.4, 1.4, 1.5, 1.4, 1.1, 0.9, 0.8, 0.7),
        channels={Channel.WEB_FORM: 100},
        place=True,
        requests=(
            ("Bulky waste collection: sofa", "Wants a sofa and an armchair collected"),
            ("Bulky waste collection: white goods", "Old fridge freezer to collect"),
            ("Bulky waste collection: mattress", "Two mattresses and a bed frame"),
            ("Change a bulky waste booking", "Cannot be in on the booked day"),
        ),
        outcomes=(
            ("Appointment booked", "Collection booked and paid for."),
            ("Payment taken", "Took payment and confirmed the collection date."),
            ("Service requested", "Booking moved to the next available date."),
        ),
    ),
    "garden-waste": Profile(
        4,
        season=(0.3, 0.6, 1.8, 2.0, 1.6, 1.3, 1.2, 1.0, 0.8, 0.6, 0.4, 0.3),
        channels={Channel.EMAIL: 10, Channel.E_FORM: 20},
        requests=(
            ("Renew garden waste subscription", "Wants to renew the brown bin for this year"),
            ("New garden waste subscription", "Just moved in and wants a brown bin"),
            ("Garden waste bin not delivered", "Paid a month ago and no bin has arrived"),
        ),
        outcomes=(
            ("Payment taken", "Subscription paid; permit sticker in the post."),
            ("Service requested", "Bin delivery booked."),
        ),
        no_case=("Asked when the garden waste season starts",),
    ),
    "fly-tipping": Profile(
        4,
        season=(0.7, 0.7, 0.9, 1.1, 1.3, 1.5, 1.6, 1.6, 1.2, 1.0, 0.8, 0.8),
        channels={Channel.WEB_FORM: 70, Channel.OPEN311: 14, Channel.SOCIAL: 6},
        place=True,
        requests=(
            ("Fly-tipping: household rubbish", "Bags of rubbish dumped in the lane"),
            ("Fly-tipping: mattress", "Mattress dumped on the pavement"),
            ("Fly-tipping: builders' waste", "Rubble and plasterboard left by the garages"),
            ("Fly-tipping: tyres", "A pile of tyres dumped near the allotments"),
        ),
        outcomes=(
            ("Service requested", "Cleared by the street scene team."),
            ("Service requested", "Cleared; evidence passed to enforcement."),
            ("No further action needed", "On private land; owner asked to clear it."),
        ),
    ),
    "street-cleansing": Profile(
        2,
        season=(1.0, 1.0, 1.0, 1.0, 1.1, 1.2, 1.2, 1.2, 1.1, 1.3, 1.3, 1.0),
        channels={Channel.OPEN311: 10},
        place=True,
        requests=(
            ("Litter in the street", "Litter piling up by the shops"),
            ("Leaves blocking the pavement", "Wet leaves making the path slippery"),
            ("Graffiti", "Offensive graffiti on the underpass"),
        ),
        outcomes=(
            ("Service requested", "Area swept by the cleansing crew."),
            ("Service requested", "Graffiti removed."),
        ),
    ),
    "potholes": Profile(
        5,
        season=(1.8, 1.9, 1.6, 1.2, 0.9, 0.7, 0.6, 0.6, 0.7, 0.9, 1.1, 1.4),
        channels={Channel.E_FORM: 90, Channel.OPEN311: 14},
        place=True,
        requests=(
            ("Pothole in the road", "Deep pothole in the road near the junction"),
            ("Pothole on the pavement", "Broken paving slab someone could trip on"),
            ("Damaged road surface", "Road surface breaking up after the frost"),
        ),
        outcomes=(
            ("Service requested", "Inspected; repair carried out."),
            ("No further action needed", "Inspected; below the intervention level."),
            ("Service requested", "Made safe; permanent repair scheduled."),
        ),
    ),
    "street-lighting": Profile(
        2,
        season=(1.5, 1.3, 1.0, 0.8, 0.6, 0.5, 0.5, 0.6, 0.9, 1.3, 1.6, 1.6),
        channels={Channel.OPEN311: 10, Channel.E_FORM: 10},
        place=True,
        requests=(
            ("Street light not working", "Street light outside has been off for a week"),
            ("Street light on all day", "Street light stays on during the day"),
        ),
        outcomes=(("Service requested", "Lamp replaced by the lighting contractor."),),
    ),
    "dangerous-structure": Profile(
        0.5,
        channels={Channel.SOCIAL: 2},
        place=True,
        kinds=((Case.Kind.REQUEST, 1.0),),
        requests=(
            ("Fallen tree blocking the road", "Tree down across the road after the storm"),
            ("Dangerous wall", "Garden wall leaning over the pavement"),
            ("Open manhole", "Manhole cover missing on the footpath"),
        ),
        outcomes=(("Service requested", "Made safe by the emergency crew."),),
    ),
    "blue-badge": Profile(
        3,
        channels={Channel.WEB_FORM: 70},
        requests=(
            ("Blue Badge application", "Applying for a Blue Badge for the first time"),
            ("Blue Badge renewal", "Badge expires next month"),
            ("Lost Blue Badge", "Badge was lost and needs a replacement"),
        ),
        outcomes=(
            ("Service requested", "Application assessed and badge issued."),
            ("Information given", "Explained the evidence needed for the application."),
        ),
    ),
    "adult-social-care": Profile(
        3,
        channels={Channel.EMAIL: -5, Channel.CHAT: -4.5, Channel.SOCIAL: -2},
        kinds=((Case.Kind.REQUEST, 1.0),),
        requests=(
            ("Care needs assessment", "Worried about an elderly parent managing at home"),
            ("Support after hospital discharge", "Coming home from hospital next week"),
            ("Carer's assessment", "Caring for a partner and needs support"),
            ("Concern about a neighbour", "Neighbour seems confused and not eating"),
        ),
        outcomes=(
            ("Appointment booked", "Assessment visit booked with a social worker."),
            ("Referred to partner organisation", "Referred to the community health team."),
            ("Service requested", "Care package arranged."),
        ),
    ),
    "registrars": Profile(
        4,
        channels={Channel.FACE_TO_FACE: 8},
        kinds=((Case.Kind.REQUEST, 1.0),),
        requests=(
            ("Copy birth certificate", "Needs a copy of a birth certificate for a passport"),
            ("Book a birth registration", "Wants to register a new baby"),
            ("Marriage notice appointment", "Wants to give notice of marriage"),
        ),
        outcomes=(
            ("Appointment booked", "Appointment booked at the register office."),
            ("Payment taken", "Certificate ordered and paid for."),
        ),
        no_case=("Asked about the register office opening times",),
    ),
    "bereavement": Profile(
        1.5,
        channels={Channel.EMAIL: 10},
        requests=(
            ("Book a burial", "Funeral director booking a burial"),
            ("Memorial permit", "Family wants a headstone"),
        ),
        outcomes=(
            ("Appointment booked", "Burial booked and confirmed with the funeral director."),
            ("Service requested", "Memorial permit issued."),
        ),
    ),
    "planning": Profile(
        3,
        channels={Channel.EMAIL: 20},
        kinds=((Case.Kind.ENQUIRY, 1.0),),
        requests=(
            ("Do I need planning permission?", "Wants to build a rear extension"),
            ("Objection to an application", "Objects to the flats planned next door"),
            ("Building without permission", "Neighbour is building without permission"),
        ),
        outcomes=(
            (
                "Information given",
                "Explained permitted development and the pre-application service.",
            ),
            ("Information given", "Comments added to the planning application."),
            ("Referred to partner organisation", "Passed to planning enforcement."),
        ),
    ),
    "parking": Profile(
        6,
        channels={Channel.E_FORM: 10},
        kinds=((Case.Kind.ENQUIRY, 0.5), (Case.Kind.REQUEST, 0.5)),
        requests=(
            ("Residents' parking permit", "Needs a residents' permit for a new car"),
            ("Challenge a parking fine", "Says the signs were not clear"),
            ("Visitor permits", "Wants to buy visitor permits"),
        ),
        outcomes=(
            ("Payment taken", "Permit paid for and issued."),
            ("Information given", "Explained how to make a formal challenge."),
            ("No further action needed", "Fine cancelled: the signs were missing."),
        ),
        no_case=("Asked how much a residents' permit costs",),
    ),
    "housing-repairs": Profile(
        5,
        season=(1.4, 1.3, 1.1, 0.9, 0.8, 0.8, 0.8, 0.8, 0.9, 1.1, 1.2, 1.3),
        channels={Channel.E_FORM: 8},
        place=True,
        requests=(
            ("Boiler not working", "No heating or hot water in the flat"),
            ("Damp and mould", "Mould coming back in the bedroom"),
            ("Leaking roof", "Water coming through the ceiling"),
            ("Broken front door lock", "Front door will not lock"),
        ),
        outcomes=(
            ("Appointment booked", "Repair appointment booked with the contractor."),
            ("Service requested", "Repair completed."),
        ),
    ),
    "general-enquiry": Profile(
        8,
        channels={Channel.CHAT: 6, Channel.FACE_TO_FACE: 6},
        kinds=((Case.Kind.ENQUIRY, 1.0),),
        requests=(
            ("General enquiry", "Asked who deals with a noisy neighbour"),
            ("Opening hours enquiry", "Asked about the Civic Centre opening hours"),
            ("Help finding a service", "Asked where to report a problem with a bus stop"),
        ),
        outcomes=(
            ("Information given", "Gave the details of the right team."),
            (
                "Referred to partner organisation",
                "Referred to the organisation that deals with it.",
            ),
        ),
        no_case=(
            "Asked for the council's address",
            "Asked which number to call for housing",
            "Asked about the library opening hours",
            "Wrong number",
        ),
    ),
    "feedback": Profile(
        2,
        channels={Channel.EMAIL: 15, Channel.SOCIAL: 4},
        kinds=((Case.Kind.COMPLAINT, 0.6), (Case.Kind.COMPLIMENT, 0.2), (Case.Kind.COMMENT, 0.2)),
        requests=(
            ("Complaint about a missed collection", "Third missed collection this month"),
            ("Complaint about staff", "Unhappy with how a call was handled"),
            ("Thanks to the street cleaning crew", "Crew did a great job after the market"),
            ("Comment on the new website", "Finds the new forms hard to use"),
        ),
        outcomes=(
            ("Complaint upheld", "Apologised and put the collection right."),
            ("Complaint not upheld", "Investigated; the service was delivered as expected."),
            ("No further action needed", "Thanks passed on to the team."),
        ),
    ),
}
AWAIT_TEXTS = (
    "Asked the customer for a photo",
    "Asked for proof of address",
    "Asked for the account number",
    "Asked the customer to confirm the details",
    "Asked for a convenient time to visit",
)
FORWARD_REASONS = (
    "Needs a back-office decision",
    "Needs an officer to visit",
    "Outside what the front office can do",
    "Needs the case history held by the department",
)
# Where a step sorts among steps at the same moment: the order case_open and contact_record
# write their events in.
STEP_OPENED, STEP_AT_OPEN, STEP_CONTACT, STEP_ACTION = range(4)
SENT_AT_OPEN = "A restricted service: sent straight to the department"  # case_open's words
FOLLOW_UP_SUMMARIES = (
    "Chasing progress on the case",
    "Asked for an update",
    "Says nothing has happened yet",
    "Called back as promised",
    "Sent the information asked for",
)
# Misrouted on first contact: the case goes to a neighbouring department instead.
SECOND_DEPARTMENT = {
    "street-cleansing": "Highways",
    "parking": "Highways",
    "planning": "Highways",
    "housing-benefit": "Housing",
    "housing-repairs": "Planning",
}
ANONYMOUS = {Channel.OPEN311: 0.4, Channel.SOCIAL: 0.3, Channel.WEB_FORM: 0.05, Channel.PHONE: 0.01}
FOLLOW_UP_CHANNELS = frozenset({Channel.PHONE, Channel.EMAIL, Channel.CHAT, Channel.FACE_TO_FACE})

# Hour-of-day weights: opening hours in half hours from 8:30, and the whole day for the rest.
STAFFED_HALF_HOURS = (6, 9, 10, 10, 9, 8, 7, 6, 6, 7, 7, 6, 6, 5, 5, 4, 3)
ONLINE_HOURS = (
    1,
    0.6,
    0.4,
    0.3,
    0.3,
    0.5,
    1,
    2.5,
    4.5,
    6,
    6.5,
    6.5,
    6,
    6,
    6,
    5.5,
    5,
    5,
    5.5,
    6,
    6,
    5,
    3.5,
    2,
)
WEEKDAY_FACTOR = (1.12, 1.04, 1.0, 0.98, 0.88, 0.55, 0.5)
STAFFED = frozenset({Channel.PHONE, Channel.FACE_TO_FACE, Channel.CHAT})


def _cumulative(weights: list[float]) -> list[float]:
    total, out = 0.0, []
    for weight in weights:
        total += max(weight, 0.0)
        out.append(total)
    return out


def _pick(rng: random.Random, cumulative: list[float]) -> int:
    return bisect.bisect_right(cumulative, rng.random() * cumulative[-1])


class WorkClock:
    """Working time as seconds since the epoch: fast 'N working hours later' for staff actions."""

    def __init__(self, calendar: WorkingCalendar, first: date, last: date):
        self.opens: list[float] = []
        self.closes: list[float] = []
        self.before: list[float] = []  # working seconds before each working day
        self.working: set[date] = set()
        worked = 0.0
        day = first
        while day <= last:
            if calendar.is_working_day(day):
                opens, closes = (
                    calendar.opens_at(day).timestamp(),
                    calendar.closes_at(day).timestamp(),
                )
                self.opens.append(opens)
                self.closes.append(closes)
                self.before.append(worked)
                self.working.add(day)
                worked += closes - opens
            day += timedelta(days=1)

    def to_work(self, at: float) -> float:
        i = bisect.bisect_right(self.opens, at) - 1
        if i < 0:
            return 0.0
        return self.before[i] + min(at - self.opens[i], self.closes[i] - self.opens[i])

    def from_work(self, worked: float) -> float:
        i = min(max(bisect.bisect_right(self.before, worked) - 1, 0), len(self.opens) - 1)
        return self.opens[i] + (worked - self.before[i])

    def after(self, at: float, hours: float) -> float:
        """The moment `hours` working hours after `at` (at least a minute later)."""
        return max(round(self.from_work(self.to_work(at) + hours * 3600)), at + 60)

    def receipt_index(self, at: float) -> int:
        """Which working day something received at `at` counts as received on."""
        return bisect.bisect_right(self.closes, at)


# ---------------------------------------------------------------------------------------------
# In-memory records, turned into rows when written.


@dataclass(slots=True)
class Person:
    kind: str
    given: str
    family: str
    title: str
    organisation: str
    emails: list[str]
    phones: list[str]
    address: tuple[str, str, str, str, int | None] | None  # line 1, line 2, town, postcode, UPRN
    birth: date | None
    created: float
    pk: int | None = None


@dataclass(slots=True)
class ContactRecord:
    channel: Channel
    point_id: int | None
    person: Person | None
    service_id: int | None
    at: float
    duration: int | None
    handled_by: int | None
    summary: str
    case: CaseRecord | None = None
    pk: int | None = None


@dataclass(slots=True)
class CaseRecord:
    seq: int
    year: int
    service: ServiceInfo
    person: Person | None
    kind: str
    priority: int
    summary: str
    description: str
    location: str
    postcode: str
    uprn: int | None
    channel: Channel
    opened: float
    first_response_due: float
    resolution_due: float
    opened_by: int | None
    # (at, STEP_* order, event kind, actor id, text, department id, (outcome id, note) | None)
    steps: list[tuple]
    open_until: float
    contacts: list[ContactRecord] = field(default_factory=list)
    reference: str = ""
    pk: int | None = None


@dataclass(slots=True)
class ServiceInfo:
    pk: int
    code: str
    department_id: int
    department: str
    policy: SLAPolicy
    restricted: bool
    front_office_resolves: bool
    profile: Profile
    outcome_ids: list[tuple[int, str, str]]  # (outcome id, name, note)
    channels_open: list[Channel]
    channels_open_cum: list[float]
    channels_closed: list[Channel]
    channels_closed_cum: list[float]


@dataclass
class SeedResult:
    contacts: int = 0
    cases: int = 0
    customers: int = 0
    events: int = 0


# ---------------------------------------------------------------------------------------------


def demo_colleagues_build() -> None:
    """The advisors and officers who work the demo cases beside the named demo staff."""
    users = get_user_model().objects
    departments = {d.name: d for d in Department.objects.all()}
    team = [(u, f, last, Role.ADVISOR, "Customer Services") for u, f, last in ADVISORS]
    team += [
        (u, f, last, Role.BACK_OFFICE, dept)
        for dept, people in OFFICERS.items()
        for u, f, last in people
    ]
    for username, first, last, role, department in team:
        if department not in departments:
            continue
        user, created = users.get_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "email": f"{username}@frontdoor.example",
            },
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        StaffMember.objects.get_or_create(
            user=user, defaults={"role": role, "department": departments[department]}
        )


def demo_contacts_generate(
    *,
    count: int,
    seed: int,
    progress: Callable[[int], Any] | None = None,
    today: date | None = None,
) -> SeedResult:
    """Add `count` contacts (with their customers, cases and timelines) over the two years up to
    the start of `today`. The demo council must exist (council_build)."""
    demo_colleagues_build()
    generator = _Generator(seed=seed, today=today or timezone.localdate(), progress=progress)
    return generator.run(count)


@dataclass
class _Batch:
    """One chunk's rows, ready to write. Where a row refers to a customer, case or contact
    written in the same chunk it holds the record, whose id the writer fills in."""

    people: list[Person]
    new_cases: list[CaseRecord]
    cases: list[CaseRecord]
    contacts: list[ContactRecord]
    rows: dict[type[models.Model], list[list[Any]]]


class _BatchWriter:
    """Writes the batches in order, one transaction each. On PostgreSQL on a thread of its
    own, so that the server works (psycopg lets go of the GIL) while the next chunk is
    generated. Inline on SQLite, whose work is in this process anyway (a thread gained
    nothing there), and inside a caller's transaction (tests), whose uncommitted council
    another connection could not see."""

    def __init__(self, write: Callable[[_Batch], None]):
        self.write = write
        self.error: BaseException | None = None
        threaded = connection.vendor == "postgresql" and not connection.in_atomic_block
        self.queue: queue.Queue[_Batch | None] | None = None
        self.inline = ExitStack()
        if threaded:
            self.queue = queue.Queue(maxsize=2)
            self.thread = threading.Thread(target=self._loop, name="seed-demo-writer")
            self.thread.start()
        else:
            self.inline.enter_context(large_sqlite_cache())

    def submit(self, batch: _Batch) -> None:
        if self.queue is None:
            self.write(batch)
            return
        if self.error is not None:
            self.finish()
        self.queue.put(batch)

    def _loop(self) -> None:
        assert self.queue is not None
        try:
            while (batch := self.queue.get()) is not None:
                if self.error is None:
                    try:
                        self.write(batch)
                    except BaseException as error:  # re-raised by finish() in the caller
                        self.error = error
        finally:
            connection.close()

    def finish(self) -> None:
        """Wait for every batch to be written; raise what went wrong writing one."""
        if self.queue is None:
            self.inline.close()
        elif self.thread.is_alive():
            self.queue.put(None)
            self.thread.join()
        if self.error is not None:
            raise self.error


class _Generator:
    def __init__(self, *, seed: int, today: date, progress: Callable[[int], Any] | None):
        self.rng = random.Random(seed)
        self.progress = progress or (lambda n: None)
        self.calendar = council_calendar()
        self.tz = self.calendar.tz
        self.today = today
        self.first_day = today - timedelta(days=DAYS)
        self.anchor = datetime.combine(today, time(), tzinfo=self.tz).timestamp()
        self.clock = WorkClock(
            self.calendar, self.first_day - timedelta(days=7), today + timedelta(days=3 * 365)
        )
        self.prefix = Council.current().reference_prefix
        self.result = SeedResult()
        self._load_council()
        self.people: list[Person] = []
        self.organisations: dict[int, Person] = {}
        self.new_people: list[Person] = []
        self.new_cases: list[CaseRecord] = []
        self.pending: list[CaseRecord] = []  # opened, and may still change
        self.chaseable: list[CaseRecord] = []  # may still be open: pruned as it is drawn from
        self.loose_contacts: list[ContactRecord] = []
        self.point_last_used: dict[int, float] = {}
        self.due_cache: dict[tuple[int, int], tuple[float, float]] = {}
        self.case_seq = 0
        self.writers = {
            model: TableWriter(model, columns, links=LINKS.get(model, ()))
            for model, columns in COLUMNS.items()
        }
        self.email_serial = 0

    # -- the council as it is in the database ------------------------------------------------

    def _load_council(self) -> None:
        members = (
            StaffMember.objects.select_related("user", "department")
            .filter(is_active=True)
            .order_by("user__username")
        )
        self.names = {
            user.pk: user.get_full_name() or user.get_username()
            for user in get_user_model().objects.filter(staff_member__isnull=False)
        }
        self.member_departments = {m.user_id: m.department_id for m in members}
        self.restricted_viewers = {
            m.user_id for m in members if m.role == Role.MANAGER and m.may_view_restricted
        }
        advisors, advisor_weights = [], []
        officers: dict[int, tuple[list[int], list[float]]] = {}
        for member in members:
            username = member.user.username
            if member.role in (Role.ADVISOR, Role.TEAM_LEADER):
                advisors.append(member.user_id)
                advisor_weights.append(DEMO_ADVISOR_WEIGHTS.get(username, 1.0))
            if member.department_id and member.role in (Role.BACK_OFFICE, Role.TEAM_LEADER):
                ids, weights = officers.setdefault(member.department_id, ([], []))
                ids.append(member.user_id)
                weights.append(DEMO_OFFICER_WEIGHTS.get(username, 1.0))
        if not advisors:
            raise RuntimeError("The demo council has no advisors: run council_build() first.")
        self.advisors, self.advisors_cum = advisors, _cumulative(advisor_weights)
        self.officers = {d: (ids, _cumulative(w)) for d, (ids, w) in officers.items()}
        self.departments = {d.name: d.pk for d in Department.objects.order_by("pk")}
        outcomes = {o.name: o.pk for o in Outcome.objects.filter(is_active=True)}
        fallback_outcome = min(outcomes.values())
        points = list(ContactPoint.objects.select_related("service").order_by("pk"))
        self.points = points
        self.retiring_point = next((p.pk for p in points if p.name == RETIRING_LINE), None)
        self.services: list[ServiceInfo] = []
        for service in (
            Service.objects.select_related("department", "sla_policy")
            .filter(is_active=True)
            .order_by("code")
        ):
            profile = PROFILES.get(service.code) or PROFILES["general-enquiry"]
            channel_weights: dict[Channel, float] = dict(DEFAULT_CHANNELS)
            for channel, extra in profile.channels.items():
                channel_weights[channel] = channel_weights.get(channel, 0.0) + extra
            # A web form only where the council publishes one for the service; e-forms also
            # exist for services without a contact point of their own (recorded without one).
            if not any(
                p.kind == ContactPoint.Kind.WEB_FORM and p.service_id == service.pk for p in points
            ):
                channel_weights.pop(Channel.WEB_FORM, None)
            channels = [c for c in Channel if channel_weights.get(c, 0) > 0]
            open_weights = [channel_weights[c] for c in channels]
            closed = [c for c in channels if c not in STAFFED]
            self.services.append(
                ServiceInfo(
                    pk=service.pk,
                    code=service.code,
                    department_id=service.department_id,
                    department=service.department.name,
                    policy=service.sla_policy,
                    restricted=service.restricted,
                    front_office_resolves=service.front_office_resolves,
                    profile=profile,
                    outcome_ids=[
                        (outcomes.get(name, fallback_outcome), name, note)
                        for name, note in profile.outcomes
                    ],
                    channels_open=channels,
                    channels_open_cum=_cumulative(open_weights),
                    channels_closed=closed,
                    channels_closed_cum=_cumulative([channel_weights[c] for c in closed]),
                )
            )
        self.point_for = {
            (channel, info.pk, retired): self._point_for(channel, info, retired)
            for channel in POINT_KIND
            for info in self.services
            for retired in (False, True)
        }
        self.general_points = {
            channel: next((p.pk for p in points if p.kind == kind and p.service_id is None), None)
            for channel, kind in POINT_KIND.items()
        }
        self.points_by_pk = {p.pk: p for p in points}
        self.months = {}
        for month in range(1, 13):
            for is_open in (True, False):
                weights = []
                for info in self.services:
                    channel_share = (
                        1.0
                        if is_open
                        else ((info.channels_closed_cum or [0.0])[-1] / info.channels_open_cum[-1])
                    )
                    weights.append(
                        info.profile.weight * info.profile.season[month - 1] * channel_share
                    )
                self.months[month, is_open] = _cumulative(weights)

    def _point_for(self, channel: Channel, info: ServiceInfo, line_retired: bool) -> int | None:
        """The published way in for this channel and service: the service's own; for phone
        lines and inboxes, else its department's, else the council's general one."""
        kind = POINT_KIND[channel]
        candidates = [p for p in self.points if p.kind == kind and p.status != "retired"]
        if line_retired:
            candidates = [p for p in candidates if p.name != RETIRING_LINE]
        rules = [lambda p: p.service_id == info.pk]
        if kind in (ContactPoint.Kind.PHONE, ContactPoint.Kind.EMAIL):
            rules.append(
                lambda p: (
                    p.service is not None
                    and p.name != RETIRING_LINE
                    and p.service.department_id == info.department_id
                )
            )
        if kind not in (ContactPoint.Kind.WEB_FORM, ContactPoint.Kind.E_FORM):
            rules.append(lambda p: p.service_id is None)
        for rule in rules:
            found = [p for p in candidates if rule(p)]
            if found:
                return found[0].pk
        return None

    # -- the schedule --------------------------------------------------------------------------

    def _day_budget(self, count: int) -> list[tuple[date, bool, int]]:
        days = []
        for offset in range(DAYS):
            day = self.first_day + timedelta(days=offset)
            is_open = day in self.clock.working
            weight = self.months[day.month, is_open][-1]
            weight *= WEEKDAY_FACTOR[day.weekday()] if is_open or day.weekday() >= 5 else 0.6
            if (day.month == 12 and day.day >= 22) or (day.month == 1 and day.day <= 2):
                weight *= 0.5
            weight *= 0.92 + 0.16 * offset / DAYS  # a little busier each year
            days.append((day, is_open, weight))
        total = sum(w for _, _, w in days)
        exact = [count * w / total for _, _, w in days]
        counts = [int(x) for x in exact]
        short = count - sum(counts)
        by_remainder = sorted(range(DAYS), key=lambda i: (counts[i] - exact[i], i))
        for i in by_remainder[:short]:
            counts[i] += 1
        return [(day, is_open, n) for (day, is_open, _), n in zip(days, counts, strict=True)]

    def _moment(self, day: date, channel: Channel) -> float:
        rng = self.rng
        if channel in STAFFED:
            slot = _pick(rng, _STAFFED_CUM)
            seconds = 8 * 3600 + 1800 + slot * 1800 + rng.randrange(1800)
        else:
            hour = _pick(rng, _ONLINE_CUM)
            seconds = hour * 3600 + rng.randrange(3600)
        hour, rest = divmod(seconds, 3600)
        return datetime(
            day.year, day.month, day.day, hour, rest // 60, rest % 60, tzinfo=self.tz
        ).timestamp()

    def run(self, count: int) -> SeedResult:
        self.writer = _BatchWriter(self._write)
        try:
            self._generate(count)
        finally:
            self.writer.finish()
        for point_id, at in sorted(self.point_last_used.items()):
            contact_point_mark_used(contact_point_id=point_id, at=epoch_datetime(at))
        _analyze(list(COLUMNS))
        return self.result

    def _generate(self, count: int) -> None:
        rng = self.rng
        since_flush = 0
        retired_from = self.anchor - RETIRING_LINE_QUIET_DAYS * 86400
        for day, is_open, n in self._day_budget(count):
            table = self.months[day.month, is_open]
            items = []
            for _ in range(n):
                info = self.services[_pick(rng, table)]
                if is_open:
                    channel = info.channels_open[_pick(rng, info.channels_open_cum)]
                else:
                    channel = info.channels_closed[_pick(rng, info.channels_closed_cum)]
                items.append((self._moment(day, channel), channel, info, rng.random()))
            items.sort(key=lambda item: item[0])
            for at, channel, info, draw in items:
                self._contact(at, channel, info, draw, line_retired=at >= retired_from)
            since_flush += n
            if since_flush >= CHUNK_CONTACTS:
                self._flush(
                    until=datetime.combine(
                        day + timedelta(days=1), time(), tzinfo=self.tz
                    ).timestamp()
                )
                self.progress(since_flush)
                since_flush = 0
        self._flush(until=float("inf"))
        self.progress(since_flush)

    # -- one contact -------------------------------------------------------------------------

    def _contact(
        self, at: float, channel: Channel, info: ServiceInfo, draw: float, line_retired: bool
    ) -> None:
        rng = self.rng
        advisor = self._advisor() if channel in STAFFED or channel == Channel.SOCIAL else None
        duration = None
        if channel in STAFFED:
            mu = {Channel.PHONE: 5.8, Channel.FACE_TO_FACE: 6.3, Channel.CHAT: 6.2}[channel]
            duration = max(30, int(rng.lognormvariate(mu, 0.5)))
        if draw < 0.08 and channel in FOLLOW_UP_CHANNELS:
            case = self._open_case_to_chase(at)
            if case is not None:
                self._chase(case, at, channel, advisor, duration, line_retired)
                return
        person = self._customer(at, channel)
        profile = info.profile
        no_case_share = 0.0
        if profile.no_case and channel not in SELF_SERVICE:
            no_case_share = 0.45 if info.code == "general-enquiry" else 0.2
        if channel == Channel.SOCIAL and info.code == "general-enquiry":
            no_case_share = 0.6
        point = (
            self.point_for.get((channel, info.pk, line_retired)) if channel in POINT_KIND else None
        )
        if rng.random() < no_case_share:
            summary = rng.choice(profile.no_case or profile.requests[0])
            point_service = self.points_by_pk[point].service_id if point else None
            self._record_contact(
                ContactRecord(
                    channel=channel,
                    point_id=point,
                    person=person,
                    service_id=point_service,
                    at=at,
                    duration=duration,
                    handled_by=advisor,
                    summary=summary,
                )
            )
            return
        case = self._open_case(at, channel, info, person, advisor, duration)
        self._record_contact(
            ContactRecord(
                channel=channel,
                point_id=point,
                person=person,
                service_id=info.pk,
                at=at,
                duration=duration,
                handled_by=advisor,
                summary=case.description,
                case=case,
            )
        )

    def _record_contact(self, contact: ContactRecord) -> None:
        if contact.point_id is not None:
            last = self.point_last_used.get(contact.point_id, 0.0)
            self.point_last_used[contact.point_id] = max(last, contact.at)
        if contact.case is None:
            self.loose_contacts.append(contact)
        else:
            contact.case.contacts.append(contact)
        self.result.contacts += 1

    def _advisor(self) -> int:
        return self.advisors[_pick(self.rng, self.advisors_cum)]

    def _officer(self, department_id: int) -> int | None:
        team = self.officers.get(department_id)
        if not team:
            return None
        ids, cumulative = team
        return ids[_pick(self.rng, cumulative)]

    def _open_case_to_chase(self, at: float) -> CaseRecord | None:
        """A case of a known customer, open now, to chase; cases found closed are dropped."""
        chaseable = self.chaseable
        for _ in range(12):
            if not chaseable:
                return None
            index = self.rng.randrange(len(chaseable))
            case = chaseable[index]
            if case.open_until <= at:
                chaseable[index] = chaseable[-1]
                chaseable.pop()
                continue
            if case.opened < at - 3600:
                return case
        return None

    def _chase(
        self,
        case: CaseRecord,
        at: float,
        channel: Channel,
        advisor: int | None,
        duration: int | None,
        line_retired: bool,
    ) -> None:
        point = self.point_for.get((channel, case.service.pk, line_retired))
        self._record_contact(
            ContactRecord(
                channel=channel,
                point_id=point,
                person=case.person,
                service_id=case.service.pk,
                at=at,
                duration=duration,
                handled_by=advisor,
                summary=self.rng.choice(FOLLOW_UP_SUMMARIES),
                case=case,
            )
        )

    # -- customers ---------------------------------------------------------------------------

    def _customer(self, at: float, channel: Channel) -> Person | None:
        rng = self.rng
        if rng.random() < ANONYMOUS.get(channel, 0.0):
            return None
        draw = rng.random()
        if draw < 0.025:
            index = min(int(rng.paretovariate(1.2)) - 1, len(ORGANISATIONS) - 1)
            organisation = self.organisations.get(index)
            if organisation is None:
                organisation = self.organisations[index] = self._new_organisation(index, at)
            return organisation
        if draw < 0.27 or len(self.people) < 50:
            person = self._new_person(at)
            self.people.append(person)
            return person
        if rng.random() < 0.5:
            return self.people[rng.randrange(max(0, len(self.people) - 3000), len(self.people))]
        return self.people[rng.randrange(len(self.people))]

    def _new_person(self, at: float) -> Person:
        rng = self.rng
        female = rng.random() < 0.52
        given = rng.choice(FEMALE_NAMES if female else MALE_NAMES)
        family = rng.choice(FAMILY_NAMES)
        title = rng.choice(FEMALE_TITLES if female else MALE_TITLES)
        emails = []
        if rng.random() < 0.78:
            emails.append(self._email(given, family))
            if rng.random() < 0.08:
                other = f"{_slug(given)}.{_slug(family)}.work@{rng.choice(EMAIL_DOMAINS)}"
                if other != emails[0]:
                    emails.append(other)
        phones = [self._phone()] if rng.random() < 0.68 else []
        if phones and rng.random() < 0.1:
            second = self._phone()
            if second != phones[0]:
                phones.append(second)
        address = self._address() if rng.random() < 0.86 else None
        birth = None
        if rng.random() < 0.35:
            birth = date(1935, 1, 1) + timedelta(days=rng.randrange(365 * 71))
        person = Person(
            kind=Customer.Kind.PERSON,
            given=given,
            family=family,
            title=title,
            organisation="",
            emails=emails,
            phones=phones,
            address=address,
            birth=birth,
            created=at,
        )
        self.new_people.append(person)
        return person

    def _new_organisation(self, index: int, at: float) -> Person:
        name = ORGANISATIONS[index]
        slug = "".join(c for c in name.lower().replace(" ", "-") if c.isalnum() or c == "-")
        person = Person(
            kind=Customer.Kind.ORGANISATION,
            given="",
            family="",
            title="",
            organisation=name,
            emails=[f"{slug}@example.org"],
            phones=[self._phone()],
            address=self._address(),
            birth=None,
            created=at,
        )
        self.new_people.append(person)
        return person

    def _email(self, given: str, family: str) -> str:
        rng = self.rng
        g, f = _slug(given), _slug(family)
        number = rng.randrange(10, 100)
        local = rng.choice(
            (
                f"{g}.{f}",
                f"{g}{f}{number}",
                f"{g[0]}{f}",
                f"{g}.{f}{number}",
                f"{f}.{g}",
                f"{g}_{f}{number}",
                f"{g[0]}.{f}{number}",
            )
        )
        return f"{local}@{rng.choice(EMAIL_DOMAINS)}"

    def _phone(self) -> str:
        return f"{self.rng.choice(PHONE_PREFIXES)}{self.rng.randrange(1000):03d}"

    def _address(self) -> tuple[str, str, str, str, int | None]:
        rng = self.rng
        street_index = rng.randrange(len(STREETS))
        street, district, postcodes = STREETS[street_index]
        house = rng.randrange(1, 150)
        uprn = 10_000_000_000 + street_index * 100_000 + house * 100
        line_1 = f"{house} {street}"
        if rng.random() < 0.12:
            flat = rng.randrange(1, 9)
            line_1 = f"Flat {flat}, {line_1}"
            uprn += flat
        known = uprn if rng.random() < 0.7 else None
        line_2 = district if rng.random() < 0.5 else ""
        return line_1, line_2, TOWN, postcodes[house // HOUSES_PER_POSTCODE], known

    # -- cases -------------------------------------------------------------------------------

    def _due(self, info: ServiceInfo, at: float) -> tuple[float, float]:
        """due_dates() as epoch seconds; targets in working days depend only on the day of
        receipt, so those are worked out once per day."""
        key = (info.policy.pk, self.clock.receipt_index(at))
        due = self.due_cache.get(key) if info.policy.unit == SLAPolicy.Unit.WORKING_DAYS else None
        if due is None:
            first, resolution = due_dates(
                policy=info.policy, opened_at=epoch_datetime(at), calendar=self.calendar
            )
            due = (first.timestamp(), resolution.timestamp())
            if info.policy.unit == SLAPolicy.Unit.WORKING_DAYS:
                self.due_cache[key] = due
        return due

    def _open_case(
        self,
        at: float,
        channel: Channel,
        info: ServiceInfo,
        person: Person | None,
        advisor: int | None,
        duration: int | None,
    ) -> CaseRecord:
        rng = self.rng
        profile = info.profile
        kinds = profile.kinds
        kind = kinds[_pick(rng, _cumulative([share for _, share in kinds]))][0]
        summary, said = rng.choice(profile.requests)
        priority = Case.Priority.NORMAL
        if info.policy.unit == SLAPolicy.Unit.WORKING_HOURS:
            priority = Case.Priority.URGENT
        elif info.restricted and rng.random() < 0.4:
            priority = Case.Priority.HIGH
        elif rng.random() < 0.06:
            priority = rng.choice((Case.Priority.HIGH, Case.Priority.LOW))
        location = postcode = ""
        uprn = None
        if profile.place:
            if person is not None and person.address is not None and rng.random() < 0.7:
                line_1, _, town, postcode, uprn = person.address
                location = f"{line_1}, {town}"
            else:
                street, _, postcodes = STREETS[rng.randrange(len(STREETS))]
                house = rng.randrange(1, 150)
                where = rng.choice(("Outside", "Opposite", "Near"))
                location = f"{where} {house} {street}, {TOWN}"
                postcode = postcodes[house // HOUSES_PER_POSTCODE]
        first_due, resolution_due = self._due(info, at)
        self.case_seq += 1
        case = CaseRecord(
            seq=self.case_seq,
            year=datetime.fromtimestamp(at, self.tz).year,
            service=info,
            person=person,
            kind=kind,
            priority=priority,
            summary=summary,
            description=said,
            location=location,
            postcode=postcode,
            uprn=uprn,
            channel=channel,
            opened=at,
            first_response_due=first_due,
            resolution_due=resolution_due,
            opened_by=advisor,
            steps=[
                (at, STEP_OPENED, E.OPENED, advisor, f"{KIND_LABEL[kind]}: {summary}", None, None)
            ],
            open_until=float("inf"),
        )
        self._plan(case, advisor, duration, resolution_due)
        self.new_cases.append(case)
        self.pending.append(case)
        if person is not None and case.open_until > at + 3600:
            self.chaseable.append(case)
        self.result.cases += 1
        return case

    def _plan(
        self, case: CaseRecord, advisor: int | None, duration: int | None, due: float
    ) -> None:
        """What will happen to the case: the staff actions and when, as the services record
        them. Steps after the start of today are left out when written: still to come."""
        rng, clock, info = self.rng, self.clock, case.service
        steps = case.steps
        at = case.opened
        window = max(clock.to_work(due) - clock.to_work(at), 3600.0) / 3600  # working hours
        lateness = rng.random()
        if lateness < 0.8:
            share = rng.uniform(0.05, 0.95)
        elif lateness < 0.96:
            share = rng.uniform(1.0, 1.8)
        else:
            share = rng.uniform(2.0, 6.0)
        stuck = rng.random() < 0.012
        live = case.channel in LIVE_CHANNELS
        # Customer Services' own services (general enquiries, complaints) are never forwarded.
        in_house = info.department == "Customer Services"
        # case_open: a restricted case that whoever took it may not see goes straight to the
        # department that may.
        sent_at_open = info.restricted and not self._may_see_restricted(advisor, info)
        if sent_at_open:
            steps.append(
                (at, STEP_AT_OPEN, E.FORWARDED, advisor, SENT_AT_OPEN, info.department_id, None)
            )
        in_call = live and info.front_office_resolves and case.kind != Case.Kind.COMPLAINT
        if in_call and not sent_at_open and rng.random() < 0.7:
            resolver = advisor
            resolved = at + (duration or 300)
        else:
            forward = sent_at_open or (
                not in_house and (not info.front_office_resolves or rng.random() < 0.2)
            )
            if forward:
                department = info.department_id
                if not sent_at_open:
                    # The advisor on the call, or one triaging the email or form, sends it on.
                    sender = advisor if live else self._advisor()
                    sent = (
                        at + (duration or 0) + 120 if live else clock.after(at, rng.uniform(0.2, 6))
                    )
                    code = SECOND_DEPARTMENT.get(info.code)
                    if code and rng.random() < 0.1:
                        department = self.departments.get(code, department)
                    steps.append(
                        (
                            sent,
                            STEP_ACTION,
                            E.FORWARDED,
                            sender,
                            rng.choice(FORWARD_REASONS),
                            department,
                            None,
                        )
                    )
                    at = sent
                worker = self._officer(department) or self._advisor()
                at = clock.after(at, rng.uniform(0.5, min(window * 0.5, 24)))
                steps.append((at, STEP_ACTION, E.ACCEPTED, worker, "", department, None))
            else:
                if info.front_office_resolves:
                    worker = advisor or self._advisor()
                else:
                    worker = self._officer(info.department_id) or self._advisor()
                at = clock.after(at, rng.uniform(0.2, min(window * 0.4, 24)))
                steps.append((at, STEP_ACTION, E.STARTED, worker, "", None, None))
            if rng.random() < 0.12:
                at = clock.after(at, rng.uniform(0.5, max(window * 0.2, 1)))
                steps.append(
                    (
                        at,
                        STEP_ACTION,
                        E.AWAITING_CUSTOMER,
                        worker,
                        rng.choice(AWAIT_TEXTS),
                        None,
                        None,
                    )
                )
                at = clock.after(at, rng.uniform(4, 40))
                steps.append((at, STEP_ACTION, E.STARTED, worker, "", None, None))
            resolver = worker
            resolved = clock.after(case.opened, window * share)
            if resolved <= at:
                resolved = clock.after(at, rng.uniform(0.2, 4))
            if stuck:
                # Stalled at some stage for weeks or months: the council's backlog.
                stall = rng.uniform(20, 300) * 86400
                first = sum(1 for step in steps if step[1] < STEP_ACTION)
                stage = rng.randrange(first, len(steps) + 1)
                steps[stage:] = [(clock.after(t + stall, 0.1), *rest) for t, *rest in steps[stage:]]
                resolved = clock.after(resolved + stall, 0.5)
        outcome_id, outcome, note = rng.choice(info.outcome_ids)
        if case.kind == Case.Kind.COMPLAINT:
            outcome_id, outcome, note = rng.choice(info.outcome_ids[:2])
        steps.append(
            (
                resolved,
                STEP_ACTION,
                E.RESOLVED,
                resolver,
                f"{outcome}: {note}",
                None,
                (outcome_id, note),
            )
        )
        if rng.random() < 0.93:
            closed = clock.after(resolved, rng.uniform(1, 40))
            steps.append((closed, STEP_ACTION, E.CLOSED, resolver, "", None, None))
        case.open_until = resolved if resolved < self.anchor else float("inf")

    def _may_see_restricted(self, user_id: int | None, info: ServiceInfo) -> bool:
        """selectors.may_see_restricted for the staff loaded at the start."""
        if user_id is None:
            return False
        if user_id in self.restricted_viewers:
            return True
        return self.member_departments.get(user_id) == info.department_id

    # -- writing -----------------------------------------------------------------------------

    def _flush(self, *, until: float) -> None:
        """Hand the writer the new customers, and the cases that can no longer change with
        their contacts and timelines. `until`: every contact before it has been generated.
        The rows are built here, so that the writer is left with little but the database."""
        settled: list[CaseRecord] = []
        pending: list[CaseRecord] = []
        for case in self.pending:
            (settled if case.open_until <= until else pending).append(case)
        self.pending = pending
        settled.sort(key=lambda c: c.seq)
        people, self.new_people = self.new_people, []
        customers, emails, phones, addresses = [], [], [], []
        for p in people:
            family_key, given_key = customer_search_keys(
                kind=p.kind, given_name=p.given, family_name=p.family, organisation=p.organisation
            )
            customers.append(
                (
                    p.kind,
                    p.title,
                    p.given,
                    p.family,
                    p.organisation,
                    family_key,
                    given_key,
                    p.birth,
                    "",
                    None,
                    p.created,
                    p.created,
                )
            )
            for i, address in enumerate(p.emails):
                emails.append((p, address, i == 0))
            for i, number in enumerate(p.phones):
                # customer_create's rule: +447 numbers are mobiles, the rest "other".
                kind = CustomerPhone.Kind.MOBILE if number.startswith("+447") else "other"
                phones.append((p, number, kind, i == 0))
            if p.address is not None:
                addresses.append((p, *p.address, True))
        cases, events = [], []
        for record in settled:
            row, timeline = self._replay(record)
            cases.append(row)
            for at, kind, actor, channel, text, department, contact in timeline:
                events.append((record, kind, at, actor, channel, text, department, contact, True))
        contacts = list(self.loose_contacts)
        for record in settled:
            contacts.extend(record.contacts)
        self.loose_contacts = []
        contact_rows = [
            (
                c.channel,
                Contact.Direction.INBOUND,
                c.point_id,
                c.person,
                c.case,
                c.service_id,
                c.at,
                c.duration,
                c.handled_by,
                c.summary,
                None,
            )
            for c in contacts
        ]
        w = self.writers
        batch = _Batch(
            people=people,
            new_cases=self.new_cases,
            cases=settled,
            contacts=contacts,
            rows={
                Customer: w[Customer].prepare(customers),
                CustomerEmail: w[CustomerEmail].prepare(emails),
                CustomerPhone: w[CustomerPhone].prepare(phones),
                CustomerAddress: w[CustomerAddress].prepare(addresses),
                Case: w[Case].prepare(cases),
                Contact: w[Contact].prepare(contact_rows),
                CaseEvent: w[CaseEvent].prepare(events),
            },
        )
        self.new_cases = []
        self.result.customers += len(people)
        self.result.events += len(events)
        self.writer.submit(batch)

    def _write(self, batch: _Batch) -> None:
        w, rows = self.writers, batch.rows
        with transaction.atomic():
            for person, pk in zip(
                batch.people, w[Customer].write(rows[Customer], ids=True), strict=True
            ):
                person.pk = pk
            for model in (CustomerEmail, CustomerPhone, CustomerAddress):
                w[model].write(rows[model])
            self._allocate_references(batch.new_cases)
            for case, pk in zip(batch.cases, w[Case].write(rows[Case], ids=True), strict=True):
                case.pk = pk
            for contact, pk in zip(
                batch.contacts, w[Contact].write(rows[Contact], ids=True), strict=True
            ):
                contact.pk = pk
            w[CaseEvent].write(rows[CaseEvent])

    def _allocate_references(self, cases: list[CaseRecord]) -> None:
        """Numbers in the order the cases were opened, one block per year per chunk."""
        by_year: dict[int, list[CaseRecord]] = {}
        for case in cases:
            by_year.setdefault(case.year, []).append(case)
        for year, in_year in sorted(by_year.items()):
            numbers = reference_numbers_allocate(year=year, count=len(in_year))
            for case, number in zip(in_year, numbers, strict=True):
                case.reference = format_reference(self.prefix, year, number)

    def _replay(self, record: CaseRecord) -> tuple[tuple, list[tuple]]:
        """The case row and timeline as the services would have left them at the start of
        today, replaying the planned steps and the contacts in time order."""
        info = record.service
        steps = list(record.steps)
        for inbound in record.contacts:
            steps.append(
                (inbound.at, STEP_CONTACT, E.CONTACT, inbound.handled_by, inbound, None, None)
            )
        steps.sort(key=lambda s: (s[0], s[1]))
        status = S.NEW
        assigned = record.opened_by
        department = info.department_id
        forwarded_at = resolved_at = closed_at = None
        first_response = record.opened if record.channel in LIVE_CHANNELS else None
        updated = record.opened
        contacts: list[ContactRecord] = []
        awaited = False
        outcome_id, note, first_contact = None, "", None
        timeline = []
        for at, order, kind, actor, text, to_department, result in steps:
            if at >= self.anchor:
                break
            channel = Channel.STAFF
            contact: ContactRecord | None = None
            if kind == E.OPENED or order == STEP_AT_OPEN:
                channel = record.channel
            if kind == E.CONTACT:
                contact, channel = text, text.channel
                text = f"{CHANNEL_LABEL[channel]} from the customer"
                if contact.summary:
                    text += f": {contact.summary}"
                contacts.append(contact)
                if channel in LIVE_CHANNELS and first_response is None:
                    first_response = at
            elif kind == E.STARTED:
                if assigned is not None and assigned != actor:
                    text = f"Taken over from {self.names[assigned]}"
                status, assigned, updated = S.IN_PROGRESS, actor, at
            elif kind == E.ACCEPTED:
                status, assigned, updated = S.IN_PROGRESS, actor, at
            elif kind == E.AWAITING_CUSTOMER:
                status, updated, awaited = S.AWAITING_CUSTOMER, at, True
                first_response = first_response or at
            elif kind == E.FORWARDED:
                status, department, assigned, forwarded_at, updated = (
                    S.FORWARDED,
                    to_department,
                    None,
                    at,
                    at,
                )
            elif kind == E.RESOLVED:
                status, resolved_at, updated = S.RESOLVED, at, at
                outcome_id, note = result
                first_response = first_response or at
                first_contact = self._first_point_of_contact(
                    forwarded_at is not None or awaited, contacts, resolver=actor, at=at
                )
                assigned = assigned or actor
            elif kind == E.CLOSED:
                status, closed_at, updated = S.CLOSED, at, at
            event_department = to_department if kind in (E.FORWARDED, E.ACCEPTED) else None
            timeline.append((at, kind, actor, channel, text, event_department, contact))
        person = record.person
        row = (
            record,  # its reference, once allocated
            info.pk,
            person,
            record.kind,
            record.priority,
            status,
            record.summary,
            record.description,
            record.location,
            record.postcode,
            record.uprn,
            record.channel,
            info.restricted,
            record.opened,
            record.first_response_due,
            record.resolution_due,
            first_response,
            resolved_at,
            closed_at,
            record.opened_by,
            assigned,
            department,
            forwarded_at,
            outcome_id,
            note,
            first_contact,
            0,
            updated,
        )
        return row, timeline

    def _first_point_of_contact(
        self, handed_on: bool, contacts: list[ContactRecord], *, resolver: int | None, at: float
    ) -> bool:
        """services._first_point_of_contact: the one inbound contact, taken by whoever resolved
        the case that same day; never forwarded, reopened or waiting on the customer."""
        if handed_on or len(contacts) != 1:
            return False
        (contact,) = contacts
        same_day = (
            datetime.fromtimestamp(contact.at, self.tz).date()
            == datetime.fromtimestamp(at, self.tz).date()
        )
        return contact.handled_by == resolver and same_day


_STAFFED_CUM = _cumulative(list(STAFFED_HALF_HOURS))
_ONLINE_CUM = _cumulative(list(ONLINE_HOURS))

COLUMNS: dict[type[models.Model], tuple[str, ...]] = {
    Customer: (
        "kind",
        "title",
        "given_name",
        "family_name",
        "organisation_name",
        "family_key",
        "given_key",
        "date_of_birth",
        "notes",
        "merged_into",
        "created_at",
        "updated_at",
    ),
    CustomerEmail: ("customer", "address", "is_primary"),
    CustomerPhone: ("customer", "number", "kind", "is_primary"),
    CustomerAddress: ("customer", "line_1", "line_2", "town", "postcode", "uprn", "is_primary"),
    Case: (
        "reference",
        "service",
        "customer",
        "kind",
        "priority",
        "status",
        "summary",
        "description",
        "location",
        "location_postcode",
        "location_uprn",
        "channel",
        "restricted",
        "opened_at",
        "first_response_due",
        "resolution_due",
        "first_responded_at",
        "resolved_at",
        "closed_at",
        "opened_by",
        "assigned_to",
        "department",
        "forwarded_at",
        "outcome",
        "resolution_note",
        "resolved_first_contact",
        "reopened_count",
        "updated_at",
    ),
    Contact: (
        "channel",
        "direction",
        "contact_point",
        "customer",
        "case",
        "service",
        "occurred_at",
        "duration_seconds",
        "handled_by",
        "summary",
        "source_key",
    ),
    CaseEvent: (
        "case",
        "kind",
        "at",
        "actor",
        "channel",
        "text",
        "department",
        "contact",
        "visible_to_customer",
    ),
}


# Columns whose value is a record written in the same chunk: the attribute to write.
LINKS: dict[type[models.Model], tuple[tuple[str, str], ...]] = {
    CustomerEmail: (("customer", "pk"),),
    CustomerPhone: (("customer", "pk"),),
    CustomerAddress: (("customer", "pk"),),
    Case: (("reference", "reference"), ("customer", "pk")),
    Contact: (("customer", "pk"), ("case", "pk")),
    CaseEvent: (("case", "pk"), ("contact", "pk")),
}


def _analyze(tables: list[type[models.Model]]) -> None:
    """Planner statistics for what was just loaded, as after any bulk load: SQLite never
    gathers them itself, and PostgreSQL only when autovacuum gets round to it (it may be off).
    Without them SQLite plans the name search through the merged_into index, a scan of every
    customer, and PostgreSQL the phone search as a loop over every customer."""
    names = [connection.ops.quote_name(model._meta.db_table) for model in tables]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"ANALYZE {', '.join(names)}")
        else:
            for name in names:
                cursor.execute(f"ANALYZE {name}")


def _slug(name: str) -> str:
    return "".join(c for c in name.lower() if c.isalnum())
