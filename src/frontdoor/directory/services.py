from datetime import datetime

from django.db.models import Q

from frontdoor.directory.models import ContactPoint


def contact_point_mark_used(*, contact_point_id: int, at: datetime) -> None:
    """Move last_used_at forward only: one conditional UPDATE, safe under concurrency."""
    ContactPoint.objects.filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=at), pk=contact_point_id
    ).update(last_used_at=at)
