"""Council-defined online forms: what each asks, and what residents sent with them.

A form belongs to a service and arrives on a web-form contact point. Its fields are what the
public pages ask and, for forms offered to apps, the Open311 attributes of the service."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models

from frontdoor.cases.models import Case, Contact
from frontdoor.directory.models import ContactPoint, Service


class RequestForm(models.Model):
    """One online form: 'Report fly-tipping', 'Book a bulky waste collection'."""

    slug = models.SlugField(
        max_length=60,
        unique=True,
        help_text="Its web address (/forms/<slug>/) and its Open311 service code.",
    )
    title = models.CharField(max_length=160, help_text="Starts with a verb: 'Report fly-tipping'.")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="request_forms")
    contact_point = models.OneToOneField(
        ContactPoint,
        on_delete=models.PROTECT,
        related_name="request_form",
        limit_choices_to={"kind": ContactPoint.Kind.WEB_FORM},
        help_text="The web-form contact point its submissions are counted on.",
    )
    kind = models.CharField(
        max_length=12,
        choices=Case.Kind.choices,
        default=Case.Kind.REQUEST,
        help_text="What its cases are, unless a question decides (see 'sets the case kind').",
    )
    introduction = models.TextField(
        blank=True, default="", help_text="Shown on the start page: what to have ready."
    )
    needs_location = models.BooleanField(
        default=False, help_text="Ask where (an address or a description, and a postcode)."
    )
    email_required = models.BooleanField(
        default=True,
        help_text="Ask for an email address we must have. Without one the confirmation is "
        "shown on screen only.",
    )
    straight_to_department = models.BooleanField(
        default=False,
        help_text="Send new cases straight to the service's department, bypassing the "
        "front-office queue, because the form asks everything the department needs.",
    )
    what_happens_next = models.TextField(
        blank=True, default="", help_text="Shown on the confirmation page and in the email."
    )
    is_published = models.BooleanField(default=True)
    offered_over_open311 = models.BooleanField(
        default=False, help_text="Offered to apps such as FixMyStreet as an Open311 service."
    )
    group = models.CharField(
        max_length=80, blank=True, default="", help_text="Open311 group, like 'Street care'."
    )
    keywords = models.CharField(
        max_length=200, blank=True, default="", help_text="Open311 keywords, comma-separated."
    )
    position = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["position", "title"]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.contact_point_id and self.contact_point.kind != ContactPoint.Kind.WEB_FORM:
            raise ValidationError({"contact_point": "Choose a web-form contact point"})


@dataclass(frozen=True)
class Choice:
    key: str
    name: str


class FormField(models.Model):
    """One question on a form."""

    class Datatype(models.TextChoices):
        TEXT = "text", "Short text"
        TEXTAREA = "textarea", "Long text"
        NUMBER = "number", "Whole number"
        DATE = "date", "Date"
        CHOICE = "choice", "One of a list"
        CHOICES = "choices", "Any of a list"
        SLOT = "slot", "Collection date (from the form's available dates)"

    form = models.ForeignKey(RequestForm, on_delete=models.CASCADE, related_name="fields")
    code = models.SlugField(
        max_length=60,
        validators=[RegexValidator(r"^[a-z][a-z0-9_]*$", "Use lower-case letters, digits and _")],
        help_text="Its name in data and in Open311 (attribute[code]); lower case and _.",
    )
    label = models.CharField(max_length=200, help_text="The question, as a resident reads it.")
    hint = models.CharField(max_length=300, blank=True, default="")
    datatype = models.CharField(max_length=10, choices=Datatype.choices, default=Datatype.TEXT)
    required = models.BooleanField(default=True)
    page = models.PositiveSmallIntegerField(
        default=1, help_text="Questions with the same page number are asked together."
    )
    position = models.PositiveSmallIntegerField(default=1)
    choices = models.TextField(
        blank=True,
        default="",
        help_text="For lists: one per line, as 'key | What the resident sees'.",
    )
    max_length = models.PositiveIntegerField(null=True, blank=True)
    min_value = models.IntegerField(null=True, blank=True)
    max_value = models.IntegerField(null=True, blank=True)
    sets_case_kind = models.BooleanField(
        default=False,
        help_text="A list whose keys are case kinds (complaint, compliment, comment…): the "
        "answer decides what the case is.",
    )

    class Meta:
        ordering = ["page", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["form", "code"], name="form_field_code_once")
        ]

    def __str__(self) -> str:
        return self.label

    def choice_list(self) -> list[Choice]:
        out = []
        for line in self.choices.splitlines():
            if not line.strip():
                continue
            key, _, name = line.partition("|")
            out.append(Choice(key.strip(), (name or key).strip()))
        return out

    def clean(self) -> None:
        listed = self.datatype in (self.Datatype.CHOICE, self.Datatype.CHOICES)
        if listed and not self.choice_list():
            raise ValidationError({"choices": "Give the choices, one per line"})
        keys = [c.key for c in self.choice_list()]
        if len(keys) != len(set(keys)):
            raise ValidationError({"choices": "Each choice needs its own key"})
        if self.sets_case_kind:
            kinds = set(Case.Kind.values)
            if self.datatype != self.Datatype.CHOICE or not set(keys) <= kinds:
                raise ValidationError(
                    {"sets_case_kind": f"Only a one-of list whose keys are {', '.join(kinds)}"}
                )
        if (
            self.min_value is not None
            and self.max_value is not None
            and self.min_value > self.max_value
        ):
            raise ValidationError({"max_value": "The largest must not be below the smallest"})


class CollectionSlot(models.Model):
    """A day a form's service can come (a bulky waste collection), and how many it can take."""

    form = models.ForeignKey(RequestForm, on_delete=models.CASCADE, related_name="slots")
    date = models.DateField()
    capacity = models.PositiveSmallIntegerField(default=20)
    booked = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["form", "date"], name="collection_slot_once"),
            models.CheckConstraint(
                condition=models.Q(booked__lte=models.F("capacity")),
                name="collection_slot_not_overbooked",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.form} on {self.date:%d %b %Y} ({self.booked}/{self.capacity})"


class FormSubmission(models.Model):
    """What one resident sent: the answers as given, and the case and contact they became."""

    form = models.ForeignKey(RequestForm, on_delete=models.PROTECT, related_name="submissions")
    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="form_submission")
    contact = models.OneToOneField(
        Contact, on_delete=models.PROTECT, related_name="form_submission"
    )
    answers = models.JSONField(help_text="code: answer, as the resident gave them.")
    slot = models.ForeignKey(
        CollectionSlot, null=True, blank=True, on_delete=models.PROTECT, related_name="bookings"
    )
    name = models.CharField(max_length=200, blank=True, default="")
    email = models.EmailField(blank=True, default="")
    phone = models.CharField(max_length=20, blank=True, default="")
    # Kept for the rate limit on submissions from one address.
    client_ip = models.GenericIPAddressField(null=True, blank=True)
    submitted_at = models.DateTimeField()

    class Meta:
        ordering = ["-submitted_at"]
        indexes = [
            # the per-address rate limits: recent submissions from one IP, or one email
            models.Index(fields=["client_ip", "submitted_at"], name="form_submission_ip"),
            models.Index(fields=["email", "submitted_at"], name="form_submission_email"),
        ]

    def __str__(self) -> str:
        return f"{self.form} {self.case_id}"
