from frontdoor import settings as production


def test_passwords_are_hashed_with_argon2():
    assert production.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_time_zone_is_london_and_times_are_aware():
    assert production.TIME_ZONE == "Europe/London" and production.USE_TZ is True


def test_configuration_is_for_administrators_only(client, ada, ava, cara):
    client.force_login(ada)
    assert client.get("/admin/directory/service/").status_code == 200
    for person in (ava, cara):
        client.force_login(person)
        response = client.get("/admin/directory/service/")
        assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_every_admin_page_opens_for_the_administrator(client, ada, ava):
    from django.contrib import admin
    from django.urls import reverse

    from frontdoor.cases.models import Channel
    from frontdoor.routing.services import work_items_enqueue, work_next
    from tests.factories import CustomerFactory, case_for

    CustomerFactory.create()
    # Work taken from a queue, so its item, offer and the advisor's presence have pages too.
    work_items_enqueue(cases=[case_for(channel=Channel.EMAIL)])
    work_next(user=ava)
    client.force_login(ada)
    for model in admin.site._registry:
        meta = model._meta
        changelist = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
        assert client.get(changelist).status_code == 200, changelist
        first = model.objects.first()
        if first is not None:
            change = reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[first.pk])
            assert client.get(change).status_code == 200, change


def test_an_unknown_nation_stops_start_up_with_the_choices():
    import os
    import subprocess
    import sys

    env = {**os.environ, "FRONTDOOR_NATION": "wessex"}
    result = subprocess.run(
        [sys.executable, "-c", "import frontdoor.settings"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "set it to one of england-and-wales, scotland, northern-ireland" in result.stderr


def test_every_frontdoor_process_collects_young_objects_less_often():
    import gc

    from frontdoor.core.apps import YOUNG_GENERATION_THRESHOLD

    assert gc.get_threshold()[0] == YOUNG_GENERATION_THRESHOLD
