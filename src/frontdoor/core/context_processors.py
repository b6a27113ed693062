from django.core.cache import cache
from django.http import HttpRequest

from frontdoor.core.models import Council


def frontdoor(request: HttpRequest) -> dict[str, object]:
    details = cache.get("frontdoor:council")
    if details is None:
        council = Council.current()
        details = {"council_name": council.name, "council_phone": council.phone}
        cache.set("frontdoor:council", details, 60)
    return details
