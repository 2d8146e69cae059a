"""The first list of themes (the functional administrator can add, rename or deactivate them)."""

from django.db import migrations

# (name, English name, description, barrier type where a knelpunt of the theme is a rule)
THEMES = [
    ("kostenbewustzijn", "cost awareness", "Weten wat de opties kosten, en wat dat met het werk doet.", ""),
    (
        "redden of zelfredzaamheid",
        "rescuing or self-reliance",
        "Wanneer helpen we te snel, en wat leert een huishouden ervan?",
        "",
    ),
    ("werkdruk", "workload", "Tijd, caseload en wat maatwerk aan uren kost.", ""),
    (
        "samenwerking met instanties",
        "working with agencies",
        "Contact met CJIB, SVB, CAK, UWV, Belastingdienst en anderen.",
        "cooperation",
    ),
    (
        "regels die knellen",
        "rules that chafe",
        "Regels die elkaar tegenspreken of het huishouden vastzetten.",
        "rule_clash",
    ),
    (
        "vertrouwen en ruimte",
        "trust and room",
        "De ruimte en het vertrouwen om te doen wat nodig is.",
        "unused_room",
    ),
    (
        "schulden en boetes",
        "debts and fines",
        "Stapeling van schulden, boetes en invordering.",
        "sanction_stacking",
    ),
    (
        "informatie en uitleg",
        "information and explanation",
        "Brieven, uitleg en gegevens die niet aankomen.",
        "information_exchange",
    ),
]


def seed(apps, schema_editor):
    Theme = apps.get_model("cases", "Theme")
    for order, (name, name_en, description, barrier_type) in enumerate(THEMES, start=1):
        Theme.objects.get_or_create(
            name=name,
            defaults={
                "name_en": name_en,
                "description": description,
                "barrier_type": barrier_type,
                "order": order,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("cases", "0004_voices")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
