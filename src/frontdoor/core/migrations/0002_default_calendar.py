from datetime import time

from django.db import migrations


def create_defaults(apps, schema_editor):
    Council = apps.get_model("core", "Council")
    OpeningHours = apps.get_model("core", "OpeningHours")
    Council.objects.get_or_create(pk=1)
    for weekday in range(5):
        OpeningHours.objects.get_or_create(
            weekday=weekday, defaults={"opens": time(8, 30), "closes": time(17, 0)}
        )


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(create_defaults, migrations.RunPython.noop)]
