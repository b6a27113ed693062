"""The demo council's Open311 app: FixMyStreet, with a published key so `make run` can be
tried with curl (README, "Open311")."""

from __future__ import annotations

from frontdoor.cases.models import Outcome
from frontdoor.intake.open311.models import ExtendedStatus, Open311Client, OutcomeStatus
from frontdoor.intake.open311.services import open311_client_create

DEMO_CLIENT = "FixMyStreet"
DEMO_API_KEY = "fixmystreet-demo-key"  # noqa: S105 - the published demo key, not a secret
OUTCOME_STATUSES = {
    "No further action needed": ExtendedStatus.NO_FURTHER_ACTION,
    "Referred to partner organisation": ExtendedStatus.NOT_COUNCILS_RESPONSIBILITY,
}


def open311_build() -> None:
    """The demo app and what apps are told of outcomes, unless the council has them."""
    if not Open311Client.objects.filter(name=DEMO_CLIENT).exists():
        open311_client_create(name=DEMO_CLIENT, api_key=DEMO_API_KEY)
    for name, status in OUTCOME_STATUSES.items():
        outcome = Outcome.objects.filter(name=name).first()
        if outcome is not None:
            OutcomeStatus.objects.get_or_create(outcome=outcome, defaults={"status": status})
