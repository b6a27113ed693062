"""The staff menu shows each person the pages their role lets them into, and no others."""

import pytest
from django.urls import reverse

MENU = [
    "My work",
    "Team board",
    "Front desk",
    "Customers",
    "My cases",
    "Department inbox",
    "Quarantine",
    "Routing rules",
    "Reports",
    "Contact points",
    "Who is away",
]


@pytest.mark.parametrize(
    ("person", "shown"),
    [
        (
            "ava",
            {"My work", "Front desk", "Customers", "My cases", "Department inbox", "Who is away"},
        ),
        ("tess", set(MENU)),
        ("bea", {"Customers", "My cases", "Department inbox", "Who is away"}),
        (
            "max_",
            {
                "Team board",
                "Customers",
                "My cases",
                "Quarantine",
                "Routing rules",
                "Reports",
                "Contact points",
                "Who is away",
            },
        ),
    ],
)
def test_the_menu_shows_what_the_role_may_open(request, client, person, shown):
    client.force_login(request.getfixturevalue(person))
    page = client.get(reverse("console:home")).text
    menu = page[page.index('id="navigation"') : page.index("</ul>", page.index('id="navigation"'))]
    assert {label for label in MENU if f">{label}</a>" in menu} == shown
    assert 'aria-current="page"' not in menu  # home is not in the menu


def test_the_current_page_is_marked(client, ava):
    client.force_login(ava)
    page = client.get(reverse("console:workspace")).text
    assert f'aria-current="page" href="{reverse("console:workspace")}">My work' in page
