"""Limits on what My Account and tracking will do for one address or key in a while: sending
its emails (so nobody can fill someone's inbox) and failed tracking look-ups (so nobody can
guess their way to a stranger's case). Counted in the database (RateLimitHit)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from frontdoor.portal.models import RateLimitHit

Scope = RateLimitHit.Scope


@dataclass(frozen=True)
class Limit:
    scope: str
    times: int
    within: timedelta


TRACK_FROM_ADDRESS = Limit(Scope.TRACK_FROM_ADDRESS, 10, timedelta(minutes=15))
TRACK_OF_REFERENCE = Limit(Scope.TRACK_OF_REFERENCE, 5, timedelta(minutes=15))
# References run in sequence, so someone who knows an address could try them one by one
# from many connections: the address itself is limited too.
TRACK_FOR_EMAIL = Limit(Scope.TRACK_FOR_EMAIL, 10, timedelta(minutes=15))
CONFIRMATION_EMAIL = Limit(Scope.CONFIRMATION_EMAIL, 3, timedelta(hours=1))
RESET_EMAIL = Limit(Scope.RESET_EMAIL, 3, timedelta(hours=1))


def limit_reached(limit: Limit, key: str) -> datetime | None:
    """When this key may go again, if it has used up its limit; None while it has not."""
    recent = list(
        RateLimitHit.objects.filter(
            scope=limit.scope, key=key, at__gte=timezone.now() - limit.within
        )
        .order_by("-at")
        .values_list("at", flat=True)[: limit.times]
    )
    if len(recent) < limit.times:
        return None
    return recent[-1] + limit.within


def limit_hit(limit: Limit, key: str) -> None:
    """Count one more for this key. Hits too old to count are forgotten, for every key of the
    scope, so the table holds no more than one window's worth."""
    now = timezone.now()
    RateLimitHit.objects.filter(scope=limit.scope, at__lt=now - limit.within).delete()
    RateLimitHit.objects.create(scope=limit.scope, key=key, at=now)
