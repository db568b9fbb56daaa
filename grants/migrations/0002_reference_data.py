"""Seed the reference lists the office uses; administrators extend them in the admin."""

from django.db import migrations

THEMES = [
    ("migrant-workers-rights", "Migrant workers' rights"),
    ("child-labour", "Child labour"),
    ("education", "Education"),
    ("livelihoods", "Livelihoods"),
    ("forced-labour", "Forced labour"),
    ("osh", "Occupational safety and health"),
]
TARGET_GROUPS = [
    ("migrant-children", "Migrant children"),
    ("working-age-adolescents", "Adolescents of working age"),
    ("migrant-households", "Migrant households"),
    ("returnees", "Returnees"),
    ("host-communities", "Host communities"),
]


def seed(apps, schema_editor):
    for model_name, rows in (("Theme", THEMES), ("TargetGroup", TARGET_GROUPS)):
        model = apps.get_model("grants", model_name)
        for order, (code, name) in enumerate(rows):
            model.objects.update_or_create(code=code, defaults={"name": name, "sort_order": order})


class Migration(migrations.Migration):
    dependencies = [("grants", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
