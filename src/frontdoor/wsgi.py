"""The WSGI application `frontdoor run` serves (see core/management/commands/run.py)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "frontdoor.settings")
application = get_wsgi_application()
