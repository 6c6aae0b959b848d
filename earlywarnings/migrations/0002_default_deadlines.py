from django.db import migrations

from earlywarnings.policy import deadline_policy_seed


def seed(apps, schema_editor):
    deadline_policy_seed(apps.get_model("earlywarnings", "DeadlinePolicy"))


class Migration(migrations.Migration):
    dependencies = [("earlywarnings", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
