import copy

from django.core.validators import RegexValidator
from django.db import models

from frontdoor.core.memo import ConfigMemo

_council_memo = ConfigMemo("council", models=("core.Council",))


class Council(models.Model):
    """The council running this Frontdoor: one row, edited in the admin."""

    name = models.CharField(max_length=200, default="Frontdoor Borough Council")
    reference_prefix = models.CharField(
        max_length=8,
        default="FD",
        validators=[RegexValidator(r"^[A-Z]{1,8}$", "Use 1 to 8 capital letters, like FD.")],
        help_text="Case references look like FD-2026-004213.",
    )
    phone = models.CharField(max_length=40, blank=True, default="")
    reopen_window_days = models.PositiveSmallIntegerField(
        default=28,
        help_text="A reply this many days after a case was resolved reopens it; a later one "
        "opens a new case linked to it.",
    )
    website = models.URLField(blank=True, default="")
    email_from = models.EmailField(
        blank=True,
        default="",
        help_text="Where automatic emails that answer no inbox come from (form confirmations, "
        "My Account). Empty: the first active council inbox.",
    )
    email_reference_label = models.CharField(
        max_length=20,
        default="Ref",
        help_text="Emails carry the case reference in the subject as [Ref: FD-2026-004213]; "
        "replies that keep it land on the case.",
    )
    open311_jurisdiction_id = models.CharField(
        max_length=100,
        default="frontdoor.example",
        help_text="The jurisdiction_id apps such as FixMyStreet send on Open311 calls: usually "
        "the council's web domain, like leeds.gov.uk. A call naming another is refused.",
    )
    open311_jurisdiction_required = models.BooleanField(
        default=False,
        help_text="Refuse Open311 calls that do not name the jurisdiction. The standard lets a "
        "server for one jurisdiction do without it.",
    )
    acknowledgements_per_hour = models.PositiveSmallIntegerField(
        default=3,
        help_text="At most this many automatic acknowledgements go to one address in an hour, "
        "so two automatic systems cannot mail each other for ever.",
    )

    # How the contact-centre figures are measured (reporting.kpis). A change applies to days
    # counted from then on: `frontdoor rollups-rebuild` counts every day again.
    call_answer_threshold_seconds = models.PositiveSmallIntegerField(
        default=20,
        help_text="Service level: the share of calls answered within this many seconds "
        "(commonly 80% in 20 s).",
    )
    short_abandon_seconds = models.PositiveSmallIntegerField(
        default=5,
        help_text="Calls hung up within this many seconds of reaching the queue are false "
        "abandons (a wrong number, a caller who changed their mind) and do not count against "
        "the abandonment rate. 0 counts every abandoned call.",
    )
    channel_shift_baseline_start = models.DateField(
        null=True,
        blank=True,
        help_text="Channel shift compares digital take-up with this period (e.g. the year "
        "before a new online service). Empty: the same period a year earlier.",
    )
    channel_shift_baseline_end = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "council"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    channel_shift_baseline_start__isnull=True,
                    channel_shift_baseline_end__isnull=True,
                )
                | models.Q(
                    channel_shift_baseline_end__gte=models.F("channel_shift_baseline_start")
                ),
                name="council_baseline_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def reference_tag(self, reference: str) -> str:
        return f"[{self.email_reference_label}: {reference}]"

    @classmethod
    def current(cls) -> "Council":
        """The council's settings (remembered for a few seconds: see core.memo). A copy, so a
        caller that changes and saves it does not change what others were given."""
        return copy.copy(_council_memo.get("council", cls._load))

    @classmethod
    def _load(cls) -> "Council":
        council, _ = cls.objects.get_or_create(pk=1)
        return council


class OpeningHours(models.Model):
    """When the council is open on each weekday; a weekday with no row is a closed day."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0
        TUESDAY = 1
        WEDNESDAY = 2
        THURSDAY = 3
        FRIDAY = 4
        SATURDAY = 5
        SUNDAY = 6

    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices, unique=True)
    opens = models.TimeField()
    closes = models.TimeField()

    class Meta:
        ordering = ["weekday"]
        verbose_name_plural = "opening hours"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(opens__lt=models.F("closes")),
                name="opening_hours_opens_before_closes",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"


class Closure(models.Model):
    """A day the council is closed beyond its nation's bank holidays (e.g. Christmas shutdown)."""

    date = models.DateField(unique=True)
    reason = models.CharField(max_length=200)

    class Meta:
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%d %b %Y}: {self.reason}"


class ReferenceCounter(models.Model):
    """The last case number issued in a year; the row lock serialises reference allocation."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last_number}"
