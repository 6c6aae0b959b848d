"""The default taxonomy (cases/taxonomy.py)."""

from django.db import migrations

from cases.taxonomy import fraud_types_seed


def seed(apps, schema_editor):
    fraud_types_seed(apps.get_model("cases", "FraudType"))


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
