"""What reports read (DESIGN rule 8): contacts counted by day, kept current from the contacts
as they arrive and rebuilt exactly on demand (see services)."""

from django.db import models

from frontdoor.cases.models import Case, Channel, Contact, Outcome
from frontdoor.directory.models import ContactPoint, Department, Service


class ContactDay(models.Model):
    """The contacts of one day (in the council's time zone) with the same channel, direction,
    contact point, service and department, and whether they were on a case: how many, and
    their handling and waiting times where known."""

    day = models.DateField()
    channel = models.CharField(max_length=16, choices=Channel.choices)
    direction = models.CharField(max_length=8, choices=Contact.Direction.choices)
    # The rollup keeps the history of what it counts, as the contacts do.
    contact_point = models.ForeignKey(
        ContactPoint, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    service = models.ForeignKey(
        Service, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The department of the contact's service.
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    on_case = models.BooleanField()
    contacts = models.PositiveIntegerField()
    # Sums in seconds, and how many contacts each sum is over (the others did not say).
    duration_total = models.PositiveBigIntegerField(default=0)
    durations = models.PositiveIntegerField(default=0)
    wait_total = models.PositiveBigIntegerField(default=0)
    waits = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["day", "channel"], name="contactday_day_channel")]

    def __str__(self) -> str:
        return f"{self.day} {self.channel}: {self.contacts}"


class CaseDay(models.Model):
    """The cases resolved on one day (in the council's time zone) with the same channel, kind,
    service, department, outcome and first-contact resolution: how many, and how many met
    their first-response and resolution targets. A case reopened leaves the day it was
    resolved on; resolved again, it counts on its new day."""

    day = models.DateField()
    channel = models.CharField(max_length=16, choices=Channel.choices)
    kind = models.CharField(max_length=16, choices=Case.Kind.choices)
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="+")
    # The department that owned the case when it was resolved (the service's, or where it
    # was sent).
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    outcome = models.ForeignKey(
        Outcome, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolved_first_contact = models.BooleanField(null=True, blank=True)
    resolved = models.PositiveIntegerField()
    first_response_met = models.PositiveIntegerField(default=0)
    resolution_met = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["day", "service"], name="caseday_day_service")]

    def __str__(self) -> str:
        return f"{self.day} {self.service_id}: {self.resolved}"


class RollupPending(models.Model):
    """A day whose contacts changed since the rollups last counted it: written in the same
    transaction as the contacts, so a day is never counted without the contacts that made
    it pending. Rows are only ever added here (never one row updated by many writers), so
    reports arriving together do not wait for each other."""

    class Rollup(models.TextChoices):
        CONTACTS = "contacts", "Contacts by day"
        CASES = "cases", "Cases resolved by day"

    rollup = models.CharField(max_length=8, choices=Rollup.choices, default=Rollup.CONTACTS)
    day = models.DateField()

    def __str__(self) -> str:
        return f"{self.rollup} {self.day}"


class RollupState(models.Model):
    """One row, locked by whoever brings the rollups up to date, so two workers never count
    the same day at once; it says when they were last brought up to date."""

    updated_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Rollups as of {self.updated_at}"
