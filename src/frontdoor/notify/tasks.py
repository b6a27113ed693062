"""Background tasks of the notify app, run by `frontdoor worker` (django-tasks, database
backend): they survive restarts because the queue is a table."""

from django_tasks import task

from frontdoor.notify import services


@task()
def outbound_email_deliver(pk: int) -> str:
    return services.outbound_email_deliver(pk=pk)
