from datetime import datetime, timedelta
from functools import partial

from django.db import transaction
from django.db.models import Q

from frontdoor.directory.models import ContactPoint

# A busy inbox takes a message a second: its last-used time moves on at most once a minute
# from each process, which is all a "last used" date needs.
MARK_EVERY = timedelta(minutes=1)
_last_marked: dict[int, datetime] = {}


def contact_point_mark_used(*, contact_point_id: int, at: datetime) -> None:
    """Move last_used_at forward only: one conditional UPDATE, safe under concurrency."""
    marked = _last_marked.get(contact_point_id)
    if marked is not None and marked <= at < marked + MARK_EVERY:
        return
    ContactPoint.objects.filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=at), pk=contact_point_id
    ).update(last_used_at=at)
    # Remembered only once it is kept: a rolled-back mark must not stop the next one.
    transaction.on_commit(partial(_last_marked.__setitem__, contact_point_id, at))


def contact_point_marks_forget() -> None:
    """Forget which marks this process made (tests that reuse ids between cases need it)."""
    _last_marked.clear()
