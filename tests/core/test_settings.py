from frontdoor import settings as production


def test_passwords_are_hashed_with_argon2():
    assert production.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_time_zone_is_london_and_times_are_aware():
    assert production.TIME_ZONE == "Europe/London" and production.USE_TZ is True


def test_csrf_middleware_is_on():
    assert "django.middleware.csrf.CsrfViewMiddleware" in production.MIDDLEWARE
