"""The `frontdoor` console script: Django's management commands plus Frontdoor's own.

Frontdoor's commands are spelt with hyphens (`frontdoor seed-demo`); Django's own keep theirs.
"""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "frontdoor.settings")
    from django.core.management import execute_from_command_line

    argv = list(sys.argv)
    if len(argv) > 1 and not argv[1].startswith("-"):
        argv[1] = argv[1].replace("-", "_")
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
