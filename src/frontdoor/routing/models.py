"""Keyword routing rules: ordered, council-edited, first match wins."""

from django.conf import settings
from django.db import models

from frontdoor.cases.models import Case
from frontdoor.directory.models import ContactPoint, Department, Service


class RoutingRule(models.Model):
    """A rule on an incoming email's inbox, sender, subject and body.

    Every condition given must hold. A condition in words matches when any of its
    comma-separated words or phrases appears as whole words, in any case; a condition as a
    regular expression matches when the expression is found anywhere (case-insensitive)."""

    class Matching(models.TextChoices):
        WORDS = "words", "Words or phrases, separated by commas"
        REGEX = "regex", "Regular expressions"

    name = models.CharField(max_length=120, unique=True)
    position = models.PositiveIntegerField(
        help_text="Rules are tried from the lowest number up; the first that matches wins."
    )
    is_active = models.BooleanField(default=True)
    inboxes = models.ManyToManyField(
        ContactPoint,
        blank=True,
        related_name="routing_rules",
        limit_choices_to={"kind": ContactPoint.Kind.EMAIL},
        help_text="Leave empty for every inbox.",
    )
    matching = models.CharField(max_length=8, choices=Matching.choices, default=Matching.WORDS)
    sender = models.CharField(max_length=500, blank=True, default="")
    subject = models.CharField(max_length=500, blank=True, default="")
    body = models.CharField(max_length=500, blank=True, default="")

    department = models.ForeignKey(
        Department,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="routing_rules",
        help_text="Send the case straight to this department, bypassing the front office.",
    )
    service = models.ForeignKey(
        Service, null=True, blank=True, on_delete=models.PROTECT, related_name="routing_rules"
    )
    priority = models.PositiveSmallIntegerField(
        null=True, blank=True, choices=Case.Priority.choices
    )
    suppress_acknowledgement = models.BooleanField(
        default=False, help_text="Send no automatic acknowledgement for mail this rule catches."
    )

    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.name
