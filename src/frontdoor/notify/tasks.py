"""Background tasks of the notify app, run by `frontdoor worker` (django-tasks, database
backend): they survive restarts because the queue is a table."""

from django_tasks import task

from frontdoor.notify import services


@task()
def outbound_emails_deliver(pks: list[int]) -> str:
    """Deliver emails queued together (one task per transaction that queued them)."""
    return "\n".join(f"{pk}: {services.outbound_email_deliver(pk=pk)}" for pk in pks)
