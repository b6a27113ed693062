from django.db.models import QuerySet

from frontdoor.directory.models import ContactPoint, Department, Service


def services_active() -> QuerySet[Service]:
    return Service.objects.filter(is_active=True).select_related("department", "sla_policy")


def departments_active() -> QuerySet[Department]:
    return Department.objects.filter(is_active=True)


def contact_points_for_logging(*, kinds: list[str]) -> QuerySet[ContactPoint]:
    """Contact points staff may log a contact against: not retired."""
    return ContactPoint.objects.filter(kind__in=kinds).exclude(status=ContactPoint.Status.RETIRED)
