"""The front-desk screen (advisors and team leaders only) and the public waiting-room screen
(no sign-in, no names)."""

import pytest
from django.urls import reverse

from frontdoor.cases.models import Contact
from frontdoor.directory.models import ContactPoint
from frontdoor.intake.reception.models import ReceptionTicket
from frontdoor.intake.reception.services import ticket_call_next, ticket_issue
from tests.factories import CustomerFactory

T = ReceptionTicket.Status
FRONT_DESK = [("ava", True), ("tess", True), ("bea", False), ("max_", False), ("ada", False)]


def screen(desk):
    return reverse("console:reception_desk", args=[desk.pk])


def issued(desk, service, actor, **fields):
    return ticket_issue(desk=desk, service=service, actor=actor, **fields)


@pytest.mark.parametrize(("person", "allowed"), [*FRONT_DESK, ("cara", False)])
def test_the_front_desk_is_for_advisors_and_team_leaders(
    request, client, desk, council_tax, ava, person, allowed
):
    ticket = issued(desk, council_tax, ava)
    ticket_call_next(desk=desk, actor=ava, counter="Desk 1")
    user = request.getfixturevalue(person)
    client.force_login(user)
    refused = 403
    answers = {
        "list": client.get(reverse("console:reception")).status_code,
        "screen": client.get(screen(desk)).status_code,
        "issue": client.post(screen(desk), {"service": ""}).status_code,
        "call": client.post(reverse("console:reception_call", args=[desk.pk])).status_code,
        "now": client.get(reverse("console:reception_desk_now", args=[desk.pk])).status_code,
        "act": client.post(
            reverse("console:reception_ticket", args=[ticket.pk, "serve"])
        ).status_code,
    }
    if allowed:
        # Tess may act on anyone's visitor; the form errors come back as the page (200).
        assert answers == {
            "list": 302,
            "screen": 200,
            "issue": 200,
            "call": 200,
            "now": 200,
            "act": 302,
        }
    else:
        assert set(answers.values()) == {refused}
    ticket.refresh_from_db()
    assert ticket.status == (T.SERVING if allowed else T.CALLED)


def test_signed_out_visitors_are_sent_to_sign_in_from_every_staff_page(client, desk):
    pages = [
        ("get", reverse("console:reception")),
        ("get", screen(desk)),
        ("post", screen(desk)),
        ("post", reverse("console:reception_call", args=[desk.pk])),
        ("get", reverse("console:reception_desk_now", args=[desk.pk])),
        ("post", reverse("console:reception_ticket", args=[1, "finish"])),
    ]
    for method, url in pages:
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("login")), url


def test_the_desk_list_goes_straight_to_the_only_desk_and_lists_several(client, ava, desk):
    client.force_login(ava)
    assert client.get(reverse("console:reception")).url == screen(desk)
    ContactPoint.objects.create(kind="reception", name="Library desk", address="Town library")
    page = client.get(reverse("console:reception"))
    assert "Civic Centre reception" in page.text and "Library desk" in page.text


def test_the_front_desk_menu_entry_is_current_on_the_desk_screen(client, ava, desk):
    client.force_login(ava)
    page = client.get(screen(desk)).text
    assert f'aria-current="page" href="{reverse("console:reception")}">Front desk' in page


def test_issuing_without_a_service_shows_the_error_summary_and_the_field_error(client, ava, desk):
    client.force_login(ava)
    page = client.post(screen(desk), {"service": "", "visitor_name": "Jo"})
    assert page.status_code == 200
    assert "<title>Error: Front desk" in page.text
    assert "There is a problem" in page.text
    assert 'href="#id_service_0">Choose the service the visitor has come about' in page.text
    assert 'id="id_service-error"' in page.text
    assert not ReceptionTicket.objects.exists()


def test_issuing_a_ticket_says_its_number_and_lists_it_with_the_name(
    client, ava, desk, council_tax
):
    client.force_login(ava)
    offered = desk.desk_services.get(service=council_tax)
    response = client.post(
        screen(desk), {"service": offered.pk, "visitor_name": "Jo Bloggs"}, follow=True
    )
    assert "Ticket C001 issued for Council Tax" in response.text
    waiting = response.text[response.text.index('id="desk-now"') :]
    assert "C001" in waiting and "Jo Bloggs" in waiting and "Less than a minute" in waiting
    assert ReceptionTicket.objects.get().issued_by == ava


def test_a_ticket_issued_from_a_customers_record_is_theirs(client, ava, desk, council_tax):
    customer = CustomerFactory()
    client.force_login(ava)
    page = client.get(screen(desk), {"customer": customer.pk})
    assert f"For {customer.display_name}" in page.text
    offered = desk.desk_services.get(service=council_tax)
    client.post(screen(desk), {"service": offered.pk, "customer": customer.pk})
    assert ReceptionTicket.objects.get().customer == customer


def test_call_next_calls_the_oldest_and_remembers_the_counter(client, ava, desk, council_tax):
    first, _ = issued(desk, council_tax, ava), issued(desk, council_tax, ava)
    client.force_login(ava)
    call = reverse("console:reception_call", args=[desk.pk])
    page = client.post(call, {"counter": "Desk 2"}, follow=True)
    assert "Ticket C001 (Council Tax) called to Desk 2" in page.text
    assert 'value="Desk 2"' in page.text  # the counter is filled in next time
    first.refresh_from_db()
    assert (first.status, first.called_by, first.counter) == (T.CALLED, ava, "Desk 2")


def test_call_next_says_when_no_one_is_waiting_for_the_chosen_services(
    client, ava, desk, council_tax, blue_badge
):
    issued(desk, council_tax, ava)
    badges = desk.desk_services.get(service=blue_badge)
    client.force_login(ava)
    call = reverse("console:reception_call", args=[desk.pk])
    page = client.post(call, {"counter": "Desk 2", "services": [badges.pk]}, follow=True)
    assert "No one is waiting for the services you chose." in page.text
    assert ReceptionTicket.objects.get().status == T.WAITING


def test_call_next_without_a_counter_shows_the_error_summary(client, ava, desk, council_tax):
    issued(desk, council_tax, ava)
    client.force_login(ava)
    page = client.post(reverse("console:reception_call", args=[desk.pk]), {"counter": ""})
    assert "There is a problem" in page.text
    assert 'href="#id_counter">Enter the counter you are at, like Desk 2' in page.text
    assert "Choose the service" not in page.text  # the other form on the page was not sent
    assert ReceptionTicket.objects.get().status == T.WAITING


def test_calling_while_serving_someone_is_refused_with_a_message(client, ava, desk, council_tax):
    issued(desk, council_tax, ava), issued(desk, council_tax, ava)
    client.force_login(ava)
    call = reverse("console:reception_call", args=[desk.pk])
    client.post(call, {"counter": "Desk 2"})
    page = client.post(call, {"counter": "Desk 2"}, follow=True)
    assert "You are still serving C001 at Desk 2" in page.text
    assert ReceptionTicket.objects.filter(status=T.CALLED).count() == 1


def test_serving_then_served_records_the_visit_and_links_to_find_the_visitor(
    client, ava, desk, council_tax
):
    ticket = issued(desk, council_tax, ava, visitor_name="Jo Bloggs")
    ticket_call_next(desk=desk, actor=ava, counter="Desk 2")
    client.force_login(ava)
    page = client.get(screen(desk))
    assert "Start serving" in page.text and "Not here" in page.text
    serving = client.post(
        reverse("console:reception_ticket", args=[ticket.pk, "serve"]), follow=True
    )
    assert "C001: you are serving them" in serving.text and "Served<" in serving.text
    done = client.post(reverse("console:reception_ticket", args=[ticket.pk, "finish"]), follow=True)
    assert "C001 served: the visit is recorded" in done.text
    search = reverse("console:customer_search")
    assert f'href="{search}?q=Jo%20Bloggs">find the visitor’s record' in done.text
    assert "You are not serving anyone" in done.text
    contact = Contact.objects.get()
    assert contact.channel == "face_to_face" and contact.handled_by == ava
    issued(desk, council_tax, ava)
    call = reverse("console:reception_call", args=[desk.pk])
    next_visitor = client.post(call, {"counter": "Desk 2"}, follow=True)
    assert "You served C001" not in next_visitor.text


def test_finishing_a_customers_visit_links_to_their_record(client, ava, desk, council_tax):
    customer = CustomerFactory()
    ticket = issued(desk, council_tax, ava, customer=customer)
    ticket_call_next(desk=desk, actor=ava, counter="Desk 2")
    client.force_login(ava)
    done = client.post(reverse("console:reception_ticket", args=[ticket.pk, "finish"]), follow=True)
    record = reverse("console:customer_detail", args=[customer.pk])
    assert f'href="{record}">{customer.display_name}’s record' in done.text
    assert Contact.objects.get().customer == customer


def test_not_here_ends_the_ticket_and_records_nothing(client, ava, desk, council_tax):
    ticket = issued(desk, council_tax, ava)
    ticket_call_next(desk=desk, actor=ava, counter="Desk 2")
    client.force_login(ava)
    page = client.post(
        reverse("console:reception_ticket", args=[ticket.pk, "no-show"]), follow=True
    )
    assert "C001 marked as not here" in page.text
    ticket.refresh_from_db()
    assert ticket.status == T.NO_SHOW and not Contact.objects.exists()


def test_a_refused_step_says_why(client, ava, desk, council_tax):
    ticket = issued(desk, council_tax, ava)
    ticket_call_next(desk=desk, actor=ava, counter="Desk 2")
    client.force_login(ava)
    client.post(reverse("console:reception_ticket", args=[ticket.pk, "serve"]))
    page = client.post(
        reverse("console:reception_ticket", args=[ticket.pk, "no-show"]), follow=True
    )
    assert "Ticket C001 is being served, so it cannot be marked as not here." in page.text


def test_another_advisors_visitor_is_not_found_and_an_unknown_step_is_404(
    client, ava, abe, desk, council_tax
):
    ticket = issued(desk, council_tax, ava)
    ticket_call_next(desk=desk, actor=ava, counter="Desk 2")
    client.force_login(abe)
    assert (
        client.post(reverse("console:reception_ticket", args=[ticket.pk, "finish"])).status_code
        == 404
    )
    client.force_login(ava)
    assert (
        client.post(reverse("console:reception_ticket", args=[ticket.pk, "shout"])).status_code
        == 404
    )
    ticket.refresh_from_db()
    assert ticket.status == T.CALLED


def test_the_live_waiting_list_is_not_sent_again_when_nothing_changed(
    client, ava, desk, council_tax
):
    client.force_login(ava)
    now = reverse("console:reception_desk_now", args=[desk.pk])
    first = client.get(now, {"showing": "stale"})
    assert first.status_code == 200 and "No one is waiting" in first.text
    showing = first.context["showing"]
    assert client.get(now, {"showing": showing}).status_code == 204
    issued(desk, council_tax, ava, visitor_name="Jo Bloggs")
    changed = client.get(now, {"showing": showing})
    assert changed.status_code == 200 and "C001" in changed.text


# --- The public waiting-room screen -------------------------------------------------------


def display(desk):
    return reverse("reception_display", args=[desk.pk])


def display_now(desk):
    return reverse("reception_display_now", args=[desk.pk])


def test_the_waiting_room_screen_needs_no_sign_in_and_shows_no_names(
    client, ava, desk, council_tax
):
    customer = CustomerFactory(given_name="Priya", family_name="Waitingroom")
    issued(desk, council_tax, ava, visitor_name="Jo Bloggs")
    issued(desk, council_tax, ava, customer=customer)
    ticket_call_next(desk=desk, actor=ava, counter="Desk 2")
    for url in (display(desk), display_now(desk)):
        page = client.get(url)
        assert page.status_code == 200, url
        assert "C001" in page.text and "Please go to Desk 2" in page.text
        for personal in ("Jo Bloggs", "Priya", "Waitingroom", "Ava", "Advisor"):
            assert personal not in page.text, (url, personal)
    page = client.get(display(desk)).text
    assert "Council Tax" in page and "Not enough recent visits to estimate" in page
    assert 'aria-live="polite"' in page
    assert '<meta http-equiv="refresh"' in page  # inside <noscript>: for screens without JS


def test_the_waiting_room_screen_is_only_for_reception_desks_in_use(client, desk):
    phone_line = ContactPoint.objects.get(name="Council tax line")
    assert client.get(display(phone_line)).status_code == 404
    ContactPoint.objects.filter(pk=desk.pk).update(status=ContactPoint.Status.RETIRED)
    assert client.get(display(desk)).status_code == 404
    assert client.get(display_now(desk)).status_code == 404


def test_the_screen_announces_a_newly_called_ticket_once(client, ava, abe, desk, council_tax):
    issued(desk, council_tax, ava), issued(desk, council_tax, ava)
    showing = client.get(display(desk)).context["showing"]
    assert client.get(display_now(desk), {"showing": showing}).status_code == 204
    ticket_call_next(desk=desk, actor=ava, counter="Desk 2")
    called = client.get(display_now(desk), {"showing": showing})
    announcement = called.text[called.text.index('id="display-announce"') :]
    assert 'hx-swap-oob="innerHTML"' in announcement
    assert "Ticket C001, please go to Desk 2." in announcement
    showing = called.context["showing"]
    ticket_call_next(desk=desk, actor=abe, counter="Desk 3")
    next_call = client.get(display_now(desk), {"showing": showing})
    announcement = next_call.text[next_call.text.index('id="display-announce"') :]
    assert "Ticket C002, please go to Desk 3." in announcement
    assert "C001, please" not in announcement  # already announced
    assert "Please go to Desk 2" in next_call.text  # still shown


def test_the_screen_does_not_use_up_staff_messages(client, ava, desk, council_tax):
    client.force_login(ava)
    offered = desk.desk_services.get(service=council_tax)
    client.post(screen(desk), {"service": offered.pk})
    client.get(display(desk))
    assert "Ticket C001 issued" in client.get(screen(desk)).text


def test_the_waiting_room_screen_takes_any_showing_value_without_failing(client, desk):
    for odd in ("²:", "x,y:z", ":", "9" * 40):
        assert client.get(display_now(desk), {"showing": odd}).status_code == 200, odd
