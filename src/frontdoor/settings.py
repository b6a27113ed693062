"""One settings module, configured by environment variables with typed defaults.

Secrets may come from NAME_FILE instead of NAME.
"""

import os
import secrets
import warnings
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

PACKAGE_DIR = Path(__file__).resolve().parent


def env_str(name: str, default: str = "") -> str:
    path = os.environ.get(f"{name}_FILE")
    if path:
        return Path(path).read_text().strip()
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


VAR_DIR = Path(env_str("FRONTDOOR_VAR_DIR", str(Path.cwd() / "var"))).resolve()
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    key = env_str("FRONTDOOR_SECRET_KEY")
    if key:
        return key
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("FRONTDOOR_DEBUG", False)
ALLOWED_HOSTS = [
    h.strip() for h in env_str("FRONTDOOR_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in env_str("FRONTDOOR_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

# england-and-wales | scotland | northern-ireland: decides the bank holidays of the calendar.
FRONTDOOR_NATIONS = ("england-and-wales", "scotland", "northern-ireland")
FRONTDOOR_NATION = env_str("FRONTDOOR_NATION", "england-and-wales")
if FRONTDOOR_NATION not in FRONTDOOR_NATIONS:
    raise ImproperlyConfigured(
        f"FRONTDOOR_NATION is {FRONTDOOR_NATION!r}; set it to one of {', '.join(FRONTDOOR_NATIONS)}"
    )

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.forms",
    "localflavor",
    "django_tasks",
    "django_tasks_db",
    # In INSTALLED_APPS so that the API's reference page uses the Swagger UI files shipped
    # inside django-ninja, served from our own static files, rather than a CDN.
    "ninja",
    "frontdoor.core",
    "frontdoor.directory",
    "frontdoor.customers",
    "frontdoor.cases",
    "frontdoor.intake.email",
    "frontdoor.intake.reception",
    "frontdoor.intake.webforms",
    "frontdoor.intake.open311",
    "frontdoor.notify",
    "frontdoor.routing",
    "frontdoor.api",
    "frontdoor.portal",
    "frontdoor.reporting",
    # Last, as its documentation asks: it watches sign-ins made through every other app.
    "axes",
]

# Background work: a task queue in the database, run by `frontdoor worker` (and `frontdoor run`).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "frontdoor.urls"
ASGI_APPLICATION = "frontdoor.asgi.application"
WSGI_APPLICATION = "frontdoor.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "frontdoor.core.context_processors.frontdoor",
                "frontdoor.menu.console_menu",
            ],
        },
    },
]

# Widgets render through TEMPLATES so the GOV.UK widget templates in templates/govuk are found.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'frontdoor.sqlite3'}")
_database = dj_database_url.parse(DATABASE_URL, conn_max_age=600, conn_health_checks=True)
if _database["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers go on while one writer writes; IMMEDIATE takes the write lock at the
    # start of a transaction so two writers queue instead of failing half-way with "locked".
    _database["CONN_MAX_AGE"] = 0
    _database["CONN_HEALTH_CHECKS"] = False
    _database["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        # The write-ahead log is copied back into the database by the worker every second
        # (core.database.wal_checkpoint); a commit does it itself only if the log passes
        # 40 MB, so no request or claim pays for a checkpoint (8 ms and more each) in passing.
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA wal_autocheckpoint=10000; "
            "PRAGMA foreign_keys=ON; PRAGMA cache_size=-64000; PRAGMA temp_store=MEMORY;"
        ),
    }
    # A file, not memory, so tests that run threads (reference allocation, the live server)
    # meet SQLite's real locking.
    _name = Path(_database["NAME"])
    _database["TEST"] = {"NAME": str(_name.with_name(f"test_{_name.name}"))}
if _database["ENGINE"] == "django.db.backends.postgresql":
    # Parameters bound by the server and statements prepared after five runs, so a statement
    # run all day (the work queue's claim, intake's lookups) is planned once per connection.
    # Needs a direct connection or a pooler in session mode (not transaction mode).
    _database["OPTIONS"] = {"server_side_binding": True, "prepare_threshold": 5}
    # Under ASGI every request runs in a thread of its own, so a persistent connection
    # (CONN_MAX_AGE) is never used twice: each request connected afresh (a new server process
    # each time) and left its connection open for the garbage collector, until PostgreSQL
    # refused more. A pool per process hands connections from request to request instead.
    DB_POOL_SIZE = env_int("FRONTDOOR_DB_POOL_SIZE", 10)
    if DB_POOL_SIZE:
        _database["CONN_MAX_AGE"] = 0
        _database["OPTIONS"]["pool"] = {"min_size": 1, "max_size": DB_POOL_SIZE, "timeout": 20}
DATABASES = {"default": _database}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Staff sign in with their username; residents with their email address (My Account).
# Axes comes first: it refuses a locked-out account before either backend checks a password.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "frontdoor.portal.backends.ResidentEmailBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "console:home"
LOGOUT_REDIRECT_URL = "login"

# Sign-in lockout (django-axes, recorded in the database so every web worker sees it): an
# account that fails this many times, each within the cool-off of the last, is locked until
# the cool-off has passed since the last failure. Locked per account, not per address: the
# council's own PCs and a library's share one address, and one person's typing should not
# lock out the room. Attempts made while locked do not extend the lock, so the time the
# sign-in page gives is the time it ends.
AXES_FAILURE_LIMIT = env_int("FRONTDOOR_SIGN_IN_ATTEMPTS", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("FRONTDOOR_SIGN_IN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_USERNAME_CALLABLE = "frontdoor.core.signin.attempt_key"
AXES_CLIENT_IP_CALLABLE = "frontdoor.core.signin.client_address"
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_VERBOSE = False  # no banner at every start; failures and lockouts are still logged
SILENCED_SYSTEM_CHECKS = [
    # The sign-in forms say an account is locked, and until when, themselves (core.signin);
    # AxesMiddleware would only swap their page for its own, and under ASGI it calls the
    # lockout handler with the wrong arguments (jazzband/django-axes#1494).
    "axes.W002",
    # Locking per account alone is deliberate (see above), not a missing address.
    "axes.W006",
]

SESSION_COOKIE_HTTPONLY = True
# Council PCs are shared: a staff session lasts a working day and ends with the browser.
SESSION_COOKIE_AGE = env_int("FRONTDOOR_SESSION_SECONDS", 9 * 60 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_SECURE = env_bool("FRONTDOOR_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# Behind HTTPS in production, set FRONTDOOR_SECURE_COOKIES=1 and FRONTDOOR_HSTS_SECONDS.
SECURE_HSTS_SECONDS = env_int("FRONTDOOR_HSTS_SECONDS", 0)
# Behind the council's reverse proxy, which says the scheme and the client's address.
FRONTDOOR_BEHIND_PROXY = env_bool("FRONTDOOR_BEHIND_PROXY")
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if FRONTDOOR_BEHIND_PROXY else None
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Email intake: the built-in SMTP receiver and the limits on what it keeps.
FRONTDOOR_SMTP_HOST = env_str("FRONTDOOR_SMTP_HOST", "127.0.0.1")
FRONTDOOR_SMTP_PORT = env_int("FRONTDOOR_SMTP_PORT", 2525)
FRONTDOOR_MAX_MESSAGE_BYTES = env_int("FRONTDOOR_MAX_MESSAGE_BYTES", 25 * 1024 * 1024)
FRONTDOOR_MAX_ATTACHMENT_BYTES = env_int("FRONTDOOR_MAX_ATTACHMENT_BYTES", 10 * 1024 * 1024)
# Files residents send with an update on their case (My Account): PDF, JPEG, PNG, Word, ODT.
FRONTDOOR_MAX_UPLOAD_BYTES = env_int("FRONTDOOR_MAX_UPLOAD_BYTES", 10 * 1024 * 1024)
# Where those files are kept. Never served directly: staff download them through a view that
# checks who may see the case.
MEDIA_ROOT = Path(env_str("FRONTDOOR_FILES_DIR", str(VAR_DIR / "files"))).resolve()
# How long the links in My Account's emails work: confirming an email address, and setting
# a new password.
FRONTDOOR_EMAIL_CONFIRMATION_SECONDS = env_int("FRONTDOOR_EMAIL_CONFIRMATION_SECONDS", 3 * 86400)
PASSWORD_RESET_TIMEOUT = env_int("FRONTDOOR_PASSWORD_RESET_SECONDS", 60 * 60)
# How often the worker checks the IMAP mailboxes that inboxes may carry.
FRONTDOOR_IMAP_POLL_SECONDS = env_int("FRONTDOOR_IMAP_POLL_SECONDS", 60)

# Outgoing mail: the SMTP relay the worker sends through, like smtp://host:25 or
# smtps://user:password@host:465 (see notify/relay.py). Empty: mail waits in the outbox;
# `frontdoor run` then catches it in var/outgoing-mail so the demo shows what would be sent.
FRONTDOOR_SMTP_RELAY = env_str("FRONTDOOR_SMTP_RELAY", "")

# Where residents reach this Frontdoor (links in emails: tracking a case, My Account).
FRONTDOOR_PUBLIC_URL = env_str("FRONTDOOR_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")

# GOV.UK Notify (notify/gov_notify.py): with a key, text messages go through it, and email
# too when FRONTDOOR_EMAIL_VIA is "notify" (by default email goes through the SMTP relay).
# Without a key, text messages wait in the outbox, shown to staff as "SMS is not set up".
# The templates to use are set in the admin (GOV.UK Notify templates).
FRONTDOOR_NOTIFY_API_KEY = env_str("FRONTDOOR_NOTIFY_API_KEY", "")
FRONTDOOR_NOTIFY_BASE_URL = env_str(
    "FRONTDOOR_NOTIFY_BASE_URL", "https://api.notifications.service.gov.uk"
)
FRONTDOOR_EMAIL_VIA = env_str("FRONTDOOR_EMAIL_VIA", "smtp")
if FRONTDOOR_EMAIL_VIA not in ("smtp", "notify"):
    raise ImproperlyConfigured(
        f"FRONTDOOR_EMAIL_VIA is {FRONTDOOR_EMAIL_VIA!r}; set it to smtp (the relay) or notify"
    )

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Serve straight from the app folders: the vendored GOV.UK assets are built into
# src/frontdoor/static by `make assets`, so no collectstatic step is needed to run.
WHITENOISE_USE_FINDERS = True
# WhiteNoise hands Django a file iterator; under ASGI Django reads it in a worker thread and
# warns on every static file. Harmless for the embedded default, and noisy in the log.
warnings.filterwarnings(
    "ignore", message="StreamingHttpResponse must consume synchronous iterators"
)
WHITENOISE_AUTOREFRESH = DEBUG

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("FRONTDOOR_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # aiosmtpd logs every SMTP command at INFO; its warnings and errors are enough.
        "mail.log": {"level": "WARNING"},
    },
}
