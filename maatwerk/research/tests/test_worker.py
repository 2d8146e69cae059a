"""The export job across worker deaths, simulated: what a killed worker leaves (RUNNING with an old
heartbeat, QUEUED without a task) is built again exactly once, and a task of an old attempt does nothing."""

import pytest
from django.utils import timezone

from maatwerk.research import export as engine
from maatwerk.research import services
from maatwerk.research.models import ResearchExport
from maatwerk.research.tasks import build_research_export

from .factories import ago, approved

State = ResearchExport.State
DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def builds(monkeypatch):
    """The exports the engine was asked to build, in order."""
    calls = []
    real = engine.build

    def counting(export, *, out_dir, progress):
        calls.append((export.pk, export.attempt))
        return real(export, out_dir=out_dir, progress=progress)

    monkeypatch.setattr(engine, "build", counting)
    return calls


def left_running(export, heartbeat):
    """What a worker killed halfway leaves behind."""
    ResearchExport.objects.filter(pk=export.pk).update(
        state=State.RUNNING, heartbeat_at=heartbeat, file_name="", finished_at=None
    )


def test_export_left_running_with_an_old_heartbeat_is_built_again_once(world, builds):
    export = approved(world).export
    builds.clear()
    left_running(export, ago(minutes=10))
    assert services.recover_stale() == [export.pk]
    export.refresh_from_db()
    assert export.state == State.DONE and export.attempt == 2
    assert builds == [(export.pk, 2)]
    # A second recovery (the next worker start, a cron run) finds nothing to do.
    assert services.recover_stale() == []
    assert builds == [(export.pk, 2)]


def test_export_running_with_a_fresh_heartbeat_is_left_to_its_worker(world, builds):
    export = approved(world).export
    builds.clear()
    left_running(export, ago(seconds=30))
    assert services.recover_stale() == []
    export.refresh_from_db()
    assert export.state == State.RUNNING and export.attempt == 1 and builds == []


def test_worker_start_treats_every_running_job_as_dead(world, builds):
    from django.core.management import call_command

    export = approved(world).export
    builds.clear()
    left_running(export, ago(seconds=5))
    call_command("recover_research", "--stale-after", "0", verbosity=0)
    export.refresh_from_db()
    assert export.state == State.DONE and builds == [(export.pk, 2)]


def test_task_of_an_old_attempt_does_nothing(world, builds):
    export = approved(world).export
    left_running(export, ago(minutes=10))
    services.recover_stale()
    builds.clear()
    # The first attempt's task reaches a worker late (it was queued twice, or a worker hung and woke up).
    result = build_research_export.call(export.pk, 1)
    assert result["result"] == "skipped" and builds == []
    export.refresh_from_db()
    assert export.state == State.DONE and export.attempt == 2


def test_task_of_a_done_export_does_not_build_it_again(world, builds):
    export = approved(world).export
    builds.clear()
    assert services.run_export(export.pk, export.attempt) == "skipped"
    assert builds == []


def test_late_finish_of_a_superseded_attempt_does_not_overwrite(world, monkeypatch):
    """Attempt 1 was declared dead and attempt 2 queued while attempt 1 was, after all, still building:
    its finish must not mark the export done with its file."""
    real = engine.build
    holder = {}

    def slow(export, *, out_dir, progress):
        # While attempt 1 builds, recovery gives the job to attempt 2 (not yet run).
        ResearchExport.objects.filter(pk=export.pk).update(attempt=2, state=State.QUEUED)
        path = real(export, out_dir=out_dir, progress=progress)
        holder["dir"] = out_dir
        return path

    monkeypatch.setattr(engine, "build", slow)
    export = approved(world).export
    assert export.state == State.QUEUED and export.attempt == 2
    assert not holder["dir"].exists()


@pytest.mark.parametrize("task_state", ["READY", "RUNNING"])
def test_queued_export_with_a_live_task_is_not_queued_again(world, settings, builds, task_state):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = DB_TASKS
    export = approved(world).export  # the database backend only queues it
    assert export.state == State.QUEUED and export.task_id
    DBTaskResult.objects.filter(id=export.task_id).update(status=task_state, started_at=timezone.now())
    ResearchExport.objects.filter(pk=export.pk).update(queued_at=ago(hours=1))
    assert services.recover_stale() == []
    assert DBTaskResult.objects.count() == 1


def test_queued_export_whose_task_is_gone_is_queued_again_once(world, settings, builds):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = DB_TASKS
    export = approved(world).export
    DBTaskResult.objects.all().delete()  # pruned, or lost with a restored database
    ResearchExport.objects.filter(pk=export.pk).update(queued_at=ago(hours=1))
    assert services.recover_stale() == [export.pk]
    assert services.recover_stale() == []
    task = DBTaskResult.objects.get()
    assert task.args_kwargs["args"] == [export.pk, 2]
    # The worker runs it: built once, with attempt 2.
    build_research_export.call(*task.args_kwargs["args"])
    export.refresh_from_db()
    assert export.state == State.DONE and builds == [(export.pk, 2)]


def test_progress_is_recorded_as_the_job_reports_it(world, settings, monkeypatch):
    settings.TASKS = DB_TASKS
    export = approved(world).export
    seen = []
    real = engine.build

    def reporting(export, *, out_dir, progress):
        progress("cases", 3, 12)
        seen.append(
            ResearchExport.objects.values_list("state", "stage", "progress_done", "progress_total").get()
        )
        return real(export, out_dir=out_dir, progress=progress)

    monkeypatch.setattr(engine, "build", reporting)
    build_research_export.call(export.pk, export.attempt)
    assert seen == [(State.RUNNING, "cases", 3, 12)]
    export.refresh_from_db()
    assert export.state == State.DONE and export.percent == 100


def test_the_task_expires_what_is_due_before_it_builds(world, settings):
    old = approved(world).export
    ResearchExport.objects.filter(pk=old.pk).update(expires_at=ago(seconds=1))
    approved(world)
    old.refresh_from_db()
    assert old.state == State.EXPIRED


def test_the_bar_moves_forward_across_the_stages():
    export = ResearchExport(state=State.RUNNING)
    seen = []
    for stage, done, total in [
        ("counting", 0, 100),
        ("counting", 100, 100),
        ("planning", 0, 1),
        ("planning", 1, 1),
        ("writing", 0, 100),
        ("writing", 50, 100),
        ("writing", 100, 100),
        ("packing", 0, 1),
    ]:
        export.stage, export.progress_done, export.progress_total = stage, done, total
        seen.append(export.percent)
    assert seen == sorted(seen) and seen[0] == 0 and seen[-1] < 100
    export.state = State.DONE
    assert export.percent == 100
