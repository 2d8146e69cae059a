"""Loads the seed catalogue and the CPI series from maatwerk/catalogue/data/ (shipped with the code).

Self-contained on purpose: a migration must keep working when the app's importer changes later, so it
parses the two CSV files itself with the historical models. Later catalogue updates go through
`maatwerk catalogue import FILE`, which validates every row; this seed is the reviewed file in the repo.
Re-running (or running after an import) updates by code/year and never deletes anything.
"""

import csv
from decimal import Decimal
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data"


def rows(name):
    with open(DATA / name, encoding="utf-8", newline="") as fh:
        lines = [line for line in fh if line.strip() and not line.startswith("#")]
    return list(csv.DictReader(lines))


def load(apps, schema_editor):
    CostItem = apps.get_model("catalogue", "CostItem")
    PriceIndex = apps.get_model("catalogue", "PriceIndex")
    for row in rows("cpi.csv"):
        PriceIndex.objects.update_or_create(
            year=int(row["year"]),
            defaults={"index": Decimal(row["index"]), "status": row["status"], "source": row["source"]},
        )
    for row in rows("kengetallen.csv"):
        CostItem.objects.update_or_create(
            code=row["code"].strip(),
            defaults={
                "name_nl": row["name_nl"].strip(),
                "name_en": row["name_en"].strip(),
                "amount": Decimal(row["amount_eur"]),
                "per": row["per"].strip(),
                "unit_note": row["unit_note"].strip(),
                "year": int(row["year"]),
                "payer": row["payer"].strip(),
                "domain": row["domain"].strip(),
                "confidence": row["confidence"].strip(),
                "source_url": row["source"].strip(),
                "active": True,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0001_initial")]

    # Reversing leaves the rows in place: they may be referenced by business cases by then.
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
