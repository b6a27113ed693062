"""Background tasks of the notify app, run by `frontdoor worker` (django-tasks, database
backend): they survive restarts because the queue is a table."""

import logging

from django_tasks import task

from frontdoor.notify import services

log = logging.getLogger(__name__)


@task()
def outbound_emails_deliver(pks: list[int]) -> str:
    """Deliver emails queued together (a batch of acknowledgements, say). One that fails in
    an unexpected way is logged and left to the outbox sweep; the rest still go."""
    outcomes = []
    for pk in pks:
        try:
            outcomes.append(f"{pk}: {services.outbound_email_deliver(pk=pk)}")
        except Exception:
            log.exception("Delivering outbound email %s failed; the outbox sweep tries again", pk)
            outcomes.append(f"{pk}: failed, left for the sweep")
    return "\n".join(outcomes)


@task()
def outbound_sms_deliver_all(pks: list[int]) -> str:
    """Deliver text messages queued together, as outbound_emails_deliver does emails."""
    outcomes = []
    for pk in pks:
        try:
            outcomes.append(f"{pk}: {services.outbound_sms_deliver(pk=pk)}")
        except Exception:
            log.exception("Delivering text message %s failed; the outbox sweep tries again", pk)
            outcomes.append(f"{pk}: failed, left for the sweep")
    return "\n".join(outcomes)
