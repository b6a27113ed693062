"""The council-wide progress notices (forwarded, scheduled, resolved, closed, and the neutral
one of restricted cases), so the council finds them in the admin to word as it likes."""

from django.db import migrations

from frontdoor.notify import defaults

PURPOSES = {
    "case_forwarded": "CASE_FORWARDED",
    "case_scheduled": "CASE_SCHEDULED",
    "case_resolved": "CASE_RESOLVED",
    "case_closed": "CASE_CLOSED",
    "case_update_neutral": "CASE_UPDATE_NEUTRAL",
}


def create(apps, schema_editor):
    EmailTemplate = apps.get_model("notify", "EmailTemplate")
    for purpose, name in PURPOSES.items():
        EmailTemplate.objects.get_or_create(
            purpose=purpose,
            contact_point=None,
            defaults={
                "subject": getattr(defaults, f"{name}_SUBJECT"),
                "text": getattr(defaults, f"{name}_TEXT"),
                "html": getattr(defaults, f"{name}_HTML"),
                "sms": getattr(defaults, f"{name}_SMS"),
            },
        )


class Migration(migrations.Migration):
    dependencies = [("notify", "0005_notifications_sms_and_gov_notify")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
