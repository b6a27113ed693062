"""What reports read (DESIGN rule 8): contacts counted by day, kept current from the contacts
as they arrive and rebuilt exactly on demand (see services)."""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, validate_email
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
    # Contacts known only from another system's figures (telephony, an inbox's volume report):
    # the calls a line took beyond those advisors recorded here.
    imported = models.BooleanField(default=False)
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
        CALLS = "calls", "Calls by day"

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


class CallDay(models.Model):
    """The calls one phone number took on one day (in the council's time zone), from the
    telephony system's call records or its daily summary: what the call KPIs read."""

    day = models.DateField()
    contact_point = models.ForeignKey(ContactPoint, on_delete=models.PROTECT, related_name="+")
    offered = models.PositiveIntegerField()
    answered = models.PositiveIntegerField()
    abandoned = models.PositiveIntegerField()
    # Abandoned within the council's short-abandon threshold: not counted against it.
    short_abandoned = models.PositiveIntegerField(default=0)
    # Answered within the council's service-level threshold (e.g. 20 s), where waits are known,
    # and the calls that share is over: those answered or abandoned (short abandons apart)
    # whose wait is known.
    answered_in_threshold = models.PositiveIntegerField(default=0)
    service_level_calls = models.PositiveIntegerField(default=0)
    # How many answered calls each sum is over (the others did not say).
    wait_total = models.PositiveBigIntegerField(default=0)
    waits = models.PositiveIntegerField(default=0)
    handle_total = models.PositiveBigIntegerField(default=0)
    handles = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["day", "contact_point"], name="callday_day_point")]

    def __str__(self) -> str:
        return f"{self.day} {self.contact_point_id}: {self.offered}"


class ImportKind(models.TextChoices):
    CALLS = "calls", "Telephony call records"
    CALL_SUMMARIES = "call-summaries", "Telephony daily summaries"
    INBOX_VOLUMES = "inbox-volumes", "Email volumes per inbox"
    EFORM_COUNTS = "eform-counts", "E-form completions"
    PEERS = "peers", "Peer councils' published figures"


class ImportSource(models.Model):
    """A system the council imports figures from, and how its files' columns map to ours:
    saved by the first import that succeeds, so the next month's file needs no mapping."""

    name = models.CharField(max_length=120, unique=True)
    kind = models.CharField(max_length=16, choices=ImportKind.choices)
    # Our field name -> the heading in their files.
    columns = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class StatImport(models.Model):
    """One file imported: what it added and changed. A file imported again adds nothing."""

    source = models.ForeignKey(ImportSource, on_delete=models.PROTECT, related_name="imports")
    file_name = models.CharField(max_length=255)
    file_sha256 = models.CharField(max_length=64)
    rows = models.PositiveIntegerField()
    added = models.PositiveIntegerField()
    changed = models.PositiveIntegerField()
    unchanged = models.PositiveIntegerField()
    first_day = models.DateField(null=True, blank=True)
    last_day = models.DateField(null=True, blank=True)
    imported_at = models.DateTimeField()
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-imported_at"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.source})"


class CallRecord(models.Model):
    """One call from a telephony system's call records: kept so that a day can be counted
    again exactly, and a file imported twice adds nothing (its key is unique per source)."""

    source = models.ForeignKey(ImportSource, on_delete=models.PROTECT, related_name="+")
    # The system's call id where it gives one, else a digest of the row's values.
    key = models.CharField(max_length=200)
    statimport = models.ForeignKey(StatImport, on_delete=models.PROTECT, related_name="+")
    contact_point = models.ForeignKey(ContactPoint, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField()
    answered = models.BooleanField()
    wait_seconds = models.PositiveIntegerField(null=True, blank=True)
    talk_seconds = models.PositiveIntegerField(null=True, blank=True)
    hold_seconds = models.PositiveIntegerField(null=True, blank=True)
    wrap_seconds = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["source", "key"], name="call_record_once")]
        indexes = [
            # the calls rollup: one day's calls
            models.Index(fields=["started_at"], name="call_record_started"),
        ]

    def __str__(self) -> str:
        return f"{self.contact_point_id} at {self.started_at:%Y-%m-%d %H:%M}"


class CallSummary(models.Model):
    """One number's day from a telephony system's daily summary. Imported again, the same
    source's figures for that day replace these."""

    source = models.ForeignKey(ImportSource, on_delete=models.PROTECT, related_name="+")
    statimport = models.ForeignKey(StatImport, on_delete=models.PROTECT, related_name="+")
    day = models.DateField()
    contact_point = models.ForeignKey(ContactPoint, on_delete=models.PROTECT, related_name="+")
    offered = models.PositiveIntegerField()
    answered = models.PositiveIntegerField()
    abandoned = models.PositiveIntegerField()
    short_abandoned = models.PositiveIntegerField(null=True, blank=True)
    answered_in_threshold = models.PositiveIntegerField(null=True, blank=True)
    wait_total = models.PositiveBigIntegerField(null=True, blank=True)
    handle_total = models.PositiveBigIntegerField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["source", "day", "contact_point"], name="call_summary_once"
            ),
            models.CheckConstraint(
                condition=models.Q(answered__lte=models.F("offered") - models.F("abandoned")),
                name="call_summary_adds_up",
            ),
        ]
        indexes = [models.Index(fields=["day"], name="call_summary_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.contact_point_id}: {self.offered}"


class VolumeFigure(models.Model):
    """How many contacts one inbox or e-form had on one day, by another system's count (an
    inbox's volume report, an e-form's "thank you" page). Imported again, replaced."""

    source = models.ForeignKey(ImportSource, on_delete=models.PROTECT, related_name="+")
    statimport = models.ForeignKey(StatImport, on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(max_length=16, choices=Channel.choices)
    day = models.DateField()
    contact_point = models.ForeignKey(ContactPoint, on_delete=models.PROTECT, related_name="+")
    contacts = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["source", "day", "contact_point"], name="volume_figure_once"
            )
        ]
        indexes = [models.Index(fields=["day"], name="volume_figure_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.contact_point_id}: {self.contacts}"


class KpiTarget(models.Model):
    """The council's target for one KPI (reporting.kpis), and how far short of it is still
    amber rather than red."""

    kpi = models.CharField(max_length=40, unique=True)
    target = models.DecimalField(max_digits=9, decimal_places=2)
    amber_margin = models.DecimalField(
        max_digits=9,
        decimal_places=2,
        default=5,
        help_text="How far short of the target, in the KPI's unit, is amber rather than red.",
    )
    published = models.BooleanField(
        default=False, help_text="Shown on the public performance page."
    )

    class Meta:
        ordering = ["kpi"]
        verbose_name = "KPI target"

    def __str__(self) -> str:
        return f"{self.kpi}: {self.target}"


_RECIPIENT_SEPARATORS = re.compile(r"[\n,;]")


def recipients_parse(text: str) -> list[str]:
    """The addresses written in a schedule's recipients (one per line, or separated by commas
    or semicolons), each once, with its domain in lower case. ValidationError names the first
    that is not an address."""
    addresses: dict[str, str] = {}
    for written in _RECIPIENT_SEPARATORS.split(text):
        address = written.strip()
        if not address:
            continue
        try:
            validate_email(address)
        except ValidationError:
            raise ValidationError(
                f"“{address}” is not an email address: write one address per line",
                code="invalid_recipient",
            ) from None
        local, _, domain = address.rpartition("@")
        addresses.setdefault(address.lower(), f"{local}@{domain.lower()}")
    return list(addresses.values())


class ReportSchedule(models.Model):
    """The monthly overview, narrowed as chosen, emailed as a spreadsheet to named people each
    month (reporting.schedules). A worker claims the month by moving last_sent_month with a
    conditional UPDATE, so a month goes once however many workers run."""

    name = models.CharField(
        max_length=200, help_text="What the report is for, e.g. “Waste: monthly figures”."
    )
    recipients = models.TextField(
        help_text="Email addresses, one per line (or separated by commas). Each gets their own "
        "email with the spreadsheet attached."
    )
    channel = models.CharField(
        max_length=16,
        choices=Channel.choices,
        blank=True,
        default="",
        help_text="Leave empty for every channel.",
    )
    service = models.ForeignKey(
        Service,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Leave empty for every service.",
    )
    department = models.ForeignKey(
        Department,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Leave empty for every department.",
    )
    day_of_month = models.PositiveSmallIntegerField(
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(28)],
        help_text="On this day each month (1 to 28) the report on the month before is sent, "
        "within the first hour; on that day even when it is a weekend or a bank holiday. A new "
        "schedule whose day has passed this month sends last month’s report within the hour.",
    )
    is_active = models.BooleanField("active", default=True)
    last_sent_month = models.DateField(
        null=True,
        blank=True,
        help_text="The month last sent (its first day): a month is never sent twice.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(day_of_month__gte=1, day_of_month__lte=28),
                name="report_schedule_day_of_month",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        try:
            addresses = recipients_parse(self.recipients)
        except ValidationError as error:
            raise ValidationError({"recipients": error}) from None
        if not addresses:
            raise ValidationError({"recipients": "Write at least one email address"})
        self.recipients = "\n".join(addresses)

    def recipient_list(self) -> list[str]:
        return recipients_parse(self.recipients)


class PeerFigure(models.Model):
    """A figure another council published for one of our KPIs over a period (a month, a
    quarter, a financial year), shown beside this council's own for the same days."""

    source = models.ForeignKey(ImportSource, on_delete=models.PROTECT, related_name="+")
    statimport = models.ForeignKey(StatImport, on_delete=models.PROTECT, related_name="+")
    council = models.CharField(max_length=120)
    kpi = models.CharField(max_length=40)
    first_day = models.DateField()
    last_day = models.DateField()
    value = models.DecimalField(max_digits=12, decimal_places=2)

    class Meta:
        ordering = ["kpi", "council"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "council", "kpi", "first_day", "last_day"],
                name="peer_figure_once",
            ),
            models.CheckConstraint(
                condition=models.Q(last_day__gte=models.F("first_day")),
                name="peer_figure_period_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.council} {self.kpi} {self.first_day}–{self.last_day}: {self.value}"
