"""Shared fixtures: the demo council and the named people used everywhere.

ava and abe (advisors), tess (team leader), bea (back office, Waste), sam (social care officer),
max (manager, may see restricted cases), ada (administrator), cara and carl (residents).
"""

import os

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model

from frontdoor.demo.council import council_build
from frontdoor.notify.catcher import catcher_start

# A real IMAP server (Debian's dovecot) on loopback, for the IMAP intake tests; a stand-in
# for GOV.UK Notify's v2 API, for text messages and email through Notify.
pytest_plugins = ["tests.imap_server", "tests.notify_server"]


def pytest_sessionstart(session: pytest.Session) -> None:
    # `make test` runs the suite twice; a PostgreSQL pass that quietly used SQLite is a failure.
    expected = os.environ.get("FRONTDOOR_EXPECT_DB")
    engine = settings.DATABASES["default"]["ENGINE"]
    if expected and not engine.endswith(expected):
        pytest.exit(f"Expected the {expected} database but settings use {engine}", returncode=3)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Argon2 is the production hasher (tests/core/test_settings.py says so); tests that
    # create many users use a fast one so the suite stays quick.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_memos():
    # Configuration is remembered per process (core.memo); a rolled-back test leaves no
    # signal behind, so every test starts from what its database holds.
    from frontdoor.core.memo import ConfigMemo
    from frontdoor.directory.services import contact_point_marks_forget

    ConfigMemo.clear_all()
    contact_point_marks_forget()
    yield
    ConfigMemo.clear_all()
    contact_point_marks_forget()


@pytest.fixture
def council(db):
    council_build()


def _user(username):
    return get_user_model().objects.select_related("staff_member").get(username=username)


@pytest.fixture
def ava(council):
    return _user("ava")


@pytest.fixture
def abe(council):
    return _user("abe")


@pytest.fixture
def tess(council):
    return _user("tess")


@pytest.fixture
def bea(council):
    return _user("bea")


@pytest.fixture
def sam(council):
    return _user("sam")


@pytest.fixture
def max_(council):
    return _user("max")


@pytest.fixture
def ada(council):
    return _user("ada")


@pytest.fixture
def cara(council):
    return _user("cara")


@pytest.fixture
def carl(council):
    return _user("carl")


@pytest.fixture
def catcher(settings):
    """A real SMTP server on loopback as the outbound relay; .caught is what it was sent."""
    controller, handler = catcher_start()
    settings.FRONTDOOR_SMTP_RELAY = f"smtp://127.0.0.1:{controller.port}"
    yield handler
    controller.stop()


@pytest.fixture
def worker(catcher):
    """The background worker running as `frontdoor run` runs it: tasks, the outbox through the
    catcher, and every second the dispatcher offering work to advisors."""
    from frontdoor.worker import BackgroundWorker

    running = BackgroundWorker()
    running.start()
    yield running
    running.stop()


@pytest.fixture
def waste_inbox(council):
    from frontdoor.directory.models import ContactPoint

    return ContactPoint.objects.get(address="waste@frontdoor.example")


@pytest.fixture
def general_inbox(council):
    from frontdoor.directory.models import ContactPoint

    return ContactPoint.objects.get(address="customer.services@frontdoor.example")
