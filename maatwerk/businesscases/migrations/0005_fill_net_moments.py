"""Fill the simulated net's quantiles, moments and weakest grade (0004) for the versions saved before.

Recomputed from each version's stored plan, which holds everything the engine read (seed and draws
included), so the draws are the ones its result summarised. Only these derived columns are written, also
on frozen versions: they describe the same plan and change nothing a decision rested on (a plain queryset,
not the model's, which refuses any update of a frozen row). A plan the engine no longer accepts keeps
its columns empty.
"""

from django.db import migrations, models

NET_QUANTILES = 20  # businesscases.models.NET_QUANTILES when this was written


def fill_net_moments(apps, schema_editor):
    from maatwerk.businesscases import engine
    from maatwerk.businesscases.evaluation import weakest_grade

    Version = apps.get_model("businesscases", "BusinessCaseVersion")
    plain = models.QuerySet(model=Version, using=schema_editor.connection.alias)
    for pk, plan, sources in plain.filter(net_var__isnull=True).values_list("pk", "plan", "sources").iterator():
        fields = {"weakest_grade": weakest_grade(sources or {})}
        try:
            _result, draws = engine.compute_with_draws(plan)
        except (engine.PlanError, TypeError, ValueError):
            pass
        else:
            fields |= engine.net_summary(draws, NET_QUANTILES)
        plain.filter(pk=pk).update(**fields)


class Migration(migrations.Migration):
    dependencies = [("businesscases", "0004_net_moments")]

    operations = [migrations.RunPython(fill_net_moments, migrations.RunPython.noop, elidable=True)]
