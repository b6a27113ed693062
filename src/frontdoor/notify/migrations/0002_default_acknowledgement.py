"""The council-wide acknowledgement every inbox sends until the council words its own."""

from django.db import migrations

from frontdoor.notify.defaults import (
    ACKNOWLEDGEMENT_HTML,
    ACKNOWLEDGEMENT_SUBJECT,
    ACKNOWLEDGEMENT_TEXT,
)


def create(apps, schema_editor):
    EmailTemplate = apps.get_model("notify", "EmailTemplate")
    EmailTemplate.objects.get_or_create(
        purpose="acknowledgement",
        contact_point=None,
        defaults={
            "subject": ACKNOWLEDGEMENT_SUBJECT,
            "text": ACKNOWLEDGEMENT_TEXT,
            "html": ACKNOWLEDGEMENT_HTML,
        },
    )


class Migration(migrations.Migration):
    dependencies = [("notify", "0001_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
