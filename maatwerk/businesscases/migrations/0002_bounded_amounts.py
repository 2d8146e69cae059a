"""Bounded amounts: a wider return-on-investment column, and versions SQLite stored beyond their columns.

Before amounts were bounded, a plan with an amount of 1e11 or an hourly rate of 9,999,999,999 was saved
(SQLite does not enforce a decimal column's digits) and every page that read the version back failed:
Django cannot turn a stored number with more digits than ``max_digits`` into a Decimal. Such a column is
set to zero here (``roi`` to empty) so the row can be read again. Nothing is lost: the plan and result
JSON keep what was computed, and ``services.version_problem`` marks the version as holding an invalid
amount that must be corrected. PostgreSQL refused those rows when they were saved, so there it changes
nothing.
"""

from decimal import Decimal

from django.db import migrations, models
from django.db.models import Q

# column → (largest absolute value it holds, what an out-of-range value becomes)
COLUMNS = {
    "investment": (Decimal("9999999999.99"), 0),
    "expected_net": (Decimal("9999999999.99"), 0),
    "hourly_rate": (Decimal("9999999999.99"), 0),
    "hours": (Decimal("999999.99"), 0),
    "roi": (Decimal("99999999.9999"), None),
    "p_net_positive": (Decimal("9.9999"), 0),
}


def repair_out_of_range(apps, schema_editor):
    # The historical model has the plain manager: a frozen version is repaired too (it was unreadable).
    Version = apps.get_model("businesscases", "BusinessCaseVersion")
    for column, (limit, replacement) in COLUMNS.items():
        out_of_range = Q(**{f"{column}__gt": limit}) | Q(**{f"{column}__lt": -limit})
        Version.objects.filter(out_of_range).update(**{column: replacement})


class Migration(migrations.Migration):
    dependencies = [
        ("businesscases", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(repair_out_of_range, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="businesscaseversion",
            name="roi",
            field=models.DecimalField(
                blank=True, decimal_places=4, max_digits=18, null=True, verbose_name="return on investment"
            ),
        ),
    ]
