"""KPI targets and the import history in the configuration site."""

from django.urls import reverse

from frontdoor.reporting.models import KpiTarget, StatImport


def test_an_administrator_sets_a_target_choosing_the_kpi_by_name(client, ada):
    client.force_login(ada)
    form = client.get(reverse("admin:reporting_kpitarget_add")).text
    assert "Resolved at first point of contact" in form and "Average speed of answer" in form
    listing = client.get(reverse("admin:reporting_kpitarget_changelist")).text
    assert "Calls answered" in listing  # the demo's targets, by the KPI's name
    KpiTarget.objects.filter(kpi="handling_time").delete()
    response = client.post(
        reverse("admin:reporting_kpitarget_add"),
        {"kpi": "handling_time", "target": "300", "amber_margin": "60", "published": ""},
    )
    assert response.status_code == 302
    assert KpiTarget.objects.get(kpi="handling_time").target == 300


def test_the_import_history_can_be_read_but_not_changed(client, ada):
    client.force_login(ada)
    assert client.get(reverse("admin:reporting_statimport_changelist")).status_code == 200
    assert client.get(reverse("admin:reporting_statimport_add")).status_code == 403
    assert not StatImport.objects.exists()
