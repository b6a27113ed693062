"""The routing-rule pages: who may see and change rules, and trying a rule before saving."""

import pytest
from django.urls import reverse

from frontdoor.directory.models import Department
from frontdoor.routing.models import RoutingRule
from tests.intake.email.mail import message, receive

pytestmark = pytest.mark.django_db


def form(**overrides):
    data = {
        "name": "Bank remittances",
        "position": "20",
        "is_active": "on",
        "matching": "words",
        "sender": "",
        "subject": "remittance",
        "body": "",
        "department": str(Department.objects.get(name="Finance").pk),
        "service": "",
        "priority": "",
        "action": "save",
    }
    return data | overrides


@pytest.mark.parametrize(
    ("person", "reads", "edits"),
    [
        ("ava", False, False),
        ("bea", False, False),
        ("tess", True, False),
        ("max_", True, True),
        ("ada", True, True),
    ],
)
def test_who_may_read_and_change_rules(request, client, person, reads, edits):
    client.force_login(request.getfixturevalue(person))
    listing = client.get(reverse("console:routing_rules"))
    assert listing.status_code == (200 if reads else 403)
    if reads:
        assert "Remittance advice to Finance" in listing.text
    rule = RoutingRule.objects.get()
    assert client.get(reverse("console:routing_rule_new")).status_code == (200 if edits else 403)
    saved = client.post(reverse("console:routing_rule_new"), form())
    assert saved.status_code == (302 if edits else 403)
    assert RoutingRule.objects.filter(name="Bank remittances").exists() is edits
    deleted = client.post(reverse("console:routing_rule_delete", args=[rule.pk]))
    assert deleted.status_code == (302 if edits else 403)
    assert RoutingRule.objects.filter(pk=rule.pk).exists() is not edits


def test_residents_and_visitors_are_kept_out(client, cara):
    assert client.get(reverse("console:routing_rules")).status_code == 302
    client.force_login(cara)
    assert client.get(reverse("console:routing_rules")).status_code == 403


def test_a_rule_is_saved_with_its_inboxes_and_recorded_author(client, max_, waste_inbox):
    client.force_login(max_)
    client.post(reverse("console:routing_rule_new"), form(inboxes=[str(waste_inbox.pk)]))
    rule = RoutingRule.objects.get(name="Bank remittances")
    assert list(rule.inboxes.all()) == [waste_inbox]
    assert rule.updated_by == max_


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"subject": ""}, "Fill in at least one of sender, subject or message"),
        ({"department": ""}, "Choose what the rule does"),
        ({"matching": "regex", "subject": "(unclosed"}, "not a regular expression"),
        ({"name": "Remittance advice to Finance"}, "already exists"),
    ],
)
def test_a_rule_that_cannot_work_is_refused_with_the_reason(client, max_, overrides, error):
    client.force_login(max_)
    response = client.post(reverse("console:routing_rule_new"), form(**overrides))
    assert response.status_code == 200
    assert error in response.text
    assert "govuk-error-summary" in response.text
    assert RoutingRule.objects.count() == 1


def test_testing_a_rule_shows_the_recent_mail_it_would_catch_and_saves_nothing(
    client, max_, general_inbox, waste_inbox
):
    receive(general_inbox, message(to=general_inbox.address, subject="Council tax remittance"))
    receive(waste_inbox, message(subject="Bin not emptied"))
    receive(general_inbox, message(to=general_inbox.address, subject="Remittance Advice 77"))
    client.force_login(max_)
    response = client.post(reverse("console:routing_rule_new"), form(action="test", position="50"))
    assert response.status_code == 200
    page = response.text
    assert "would catch <strong>2</strong> of the last 3 emails" in page
    assert "an earlier rule takes 1 of them first" in page
    assert "Council tax remittance" in page and "Bin not emptied" not in page
    assert RoutingRule.objects.count() == 1


def test_an_existing_rule_can_be_changed(client, ada):
    rule = RoutingRule.objects.get()
    client.force_login(ada)
    page = client.get(reverse("console:routing_rule_edit", args=[rule.pk])).text
    assert "remittance advice" in page
    client.post(
        reverse("console:routing_rule_edit", args=[rule.pk]),
        form(name=rule.name, subject="remittance advice, payment advice"),
    )
    rule.refresh_from_db()
    assert rule.subject == "remittance advice, payment advice"
