import gc

from django.apps import AppConfig

# CPython collects its youngest objects every 700 allocations of containers. The ORM makes and
# drops thousands of small objects per request or batch of mail, so at that rate collecting
# took about a fifth of email intake's time (benchmarks/intake.py: 959 against 1,237 messages
# a second with 10,000). Older generations keep their defaults; memory use barely changes,
# since almost everything is freed by reference counting before any collection.
YOUNG_GENERATION_THRESHOLD = 10_000


class CoreConfig(AppConfig):
    name = "frontdoor.core"
    label = "core"
    verbose_name = "Council settings and calendar"

    def ready(self) -> None:
        # Once per process (web, mail receiver, worker, commands), at start-up.
        _, older, oldest = gc.get_threshold()
        gc.set_threshold(YOUNG_GENERATION_THRESHOLD, older, oldest)
