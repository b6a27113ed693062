from frontdoor import settings as production


def test_passwords_are_hashed_with_argon2():
    assert production.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_time_zone_is_london_and_times_are_aware():
    assert production.TIME_ZONE == "Europe/London" and production.USE_TZ is True


def test_csrf_middleware_is_on():
    assert "django.middleware.csrf.CsrfViewMiddleware" in production.MIDDLEWARE


def test_configuration_is_for_administrators_only(client, ada, ava, cara):
    client.force_login(ada)
    assert client.get("/admin/directory/service/").status_code == 200
    for person in (ava, cara):
        client.force_login(person)
        response = client.get("/admin/directory/service/")
        assert response.status_code == 302 and "/admin/login/" in response["Location"]
