"""Tickets can be looked at in the admin but not changed there; the demo council's desk is
ready to issue tickets, however often it is built."""

from django.urls import reverse

from frontdoor.demo.council import council_build
from frontdoor.directory.models import ContactPoint
from frontdoor.intake.reception.models import DeskService, ReceptionTicket
from frontdoor.intake.reception.services import ticket_issue


def test_tickets_are_view_only_in_the_admin(client, ada, desk, council_tax):
    ticket = ticket_issue(desk=desk, service=council_tax, actor=ada)
    client.force_login(ada)
    listing = client.get(reverse("admin:reception_receptionticket_changelist"))
    assert listing.status_code == 200 and "C001" in listing.text
    change = reverse("admin:reception_receptionticket_change", args=[ticket.pk])
    page = client.get(change)
    assert page.status_code == 200 and "Issued" in page.text  # its events, read-only
    assert 'name="_save"' not in page.text
    assert client.post(change, {"status": "done"}).status_code == 403
    assert client.get(reverse("admin:reception_receptionticket_add")).status_code == 403
    delete = reverse("admin:reception_receptionticket_delete", args=[ticket.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    ticket.refresh_from_db()
    assert ticket.status == ReceptionTicket.Status.WAITING


def test_the_demo_desk_issues_tickets_for_its_services_once_however_often_it_is_built(council):
    council_build()
    desk = ContactPoint.objects.get(kind="reception")
    offered = DeskService.objects.filter(desk=desk)
    assert offered.count() == 7
    assert {(d.letter, d.service.code) for d in offered} >= {
        ("C", "council-tax"),
        ("W", "bulky-waste"),
        ("G", "general-enquiry"),
    }
