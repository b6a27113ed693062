from django.conf import settings
from django.db import models

from frontdoor.cases.models import Case
from frontdoor.directory.models import ContactPoint, Department, Service


class ApiKey(models.Model):
    """A key one of the council's own systems calls the JSON API with, and what it may do.

    Only a SHA-256 digest of the key is kept: the key itself is shown once, when it is issued.
    Keys are long random strings, so a fast digest is enough (a slow password hash guards
    against guessing, which 256 random bits already rule out)."""

    name = models.CharField(
        max_length=120, unique=True, help_text="The system that uses it, e.g. “Waste round app”."
    )
    # The first characters of the key, kept in the clear to find its row and to tell keys apart.
    prefix = models.CharField(max_length=16, unique=True, editable=False)
    digest = models.CharField(max_length=64, editable=False)
    contact_point = models.ForeignKey(
        ContactPoint,
        on_delete=models.PROTECT,
        related_name="api_keys",
        help_text="Where its requests arrive, for the contact baseline: one per integration, "
        "kept when the key is replaced.",
    )
    every_service = models.BooleanField(
        default=False, help_text="May see every service's cases (still not restricted ones)."
    )
    departments = models.ManyToManyField(
        Department,
        blank=True,
        related_name="+",
        help_text="May see the cases of every service these departments own.",
    )
    services = models.ManyToManyField(
        Service, blank=True, related_name="+", help_text="May see these services' cases."
    )
    may_view_restricted = models.BooleanField(
        default=False,
        help_text="May see restricted cases (e.g. social care) of the services above.",
    )
    may_create_cases = models.BooleanField(
        default=False, help_text="May open cases for the services it may see."
    )
    may_use_customers = models.BooleanField(
        default=False, help_text="May find, read and add customers."
    )
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "API key"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class RestrictedCaseRead(models.Model):
    """Every time a key reads a restricted case, as RestrictedCaseView records staff."""

    key = models.ForeignKey(ApiKey, on_delete=models.PROTECT, related_name="restricted_reads")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at"]
        indexes = [
            # audit: which keys read this restricted case
            models.Index(fields=["case", "-at"], name="api_restricted_read_case"),
        ]

    def __str__(self) -> str:
        return f"{self.key_id} read {self.case_id} at {self.at:%Y-%m-%d %H:%M}"
