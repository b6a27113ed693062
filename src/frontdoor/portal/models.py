"""My Account: residents' sign-in accounts, and the counts that keep its emails and the
tracking page from being used to pester or to guess."""

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower


class ResidentAccount(models.Model):
    """A resident's My Account: the email address they sign in with and, once they have shown
    it is theirs, when. Cases are shown only for a confirmed address (cases_of_resident)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="resident_account"
    )
    email = models.EmailField(max_length=254)
    verified_at = models.DateTimeField(
        null=True, blank=True, help_text="When the resident confirmed the address is theirs."
    )
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            # one account per address, however it is typed; also what sign-in looks up
            models.UniqueConstraint(Lower("email"), name="resident_account_email_once"),
        ]

    def __str__(self) -> str:
        return self.email

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None


class RateLimitHit(models.Model):
    """One counted attempt at something limited: a failed tracking look-up, an account email
    sent. Counted in the database rather than a cache so every web worker sees the same."""

    class Scope(models.TextChoices):
        TRACK_FROM_ADDRESS = "track_address", "Failed tracking look-up, by client address"
        TRACK_OF_REFERENCE = "track_reference", "Failed tracking look-up, by case reference"
        TRACK_FOR_EMAIL = "track_email", "Failed tracking look-up, by email address"
        CONFIRMATION_EMAIL = "confirmation_email", "Email confirmation link sent"
        RESET_EMAIL = "reset_email", "Password reset link sent"

    scope = models.CharField(max_length=20, choices=Scope.choices)
    key = models.CharField(max_length=300)
    at = models.DateTimeField()

    class Meta:
        indexes = [
            # rate_limit_check: the hits of one scope and key in a recent window
            models.Index(fields=["scope", "key", "at"], name="rate_limit_hit_key"),
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.key} at {self.at:%Y-%m-%d %H:%M}"
