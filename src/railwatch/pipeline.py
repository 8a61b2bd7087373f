"""ingest -> detect -> store: analyse stored scenes against their sites, locally or on a Dask cluster.

Workers only read imagery and count (pure functions of a scene path and a site); the one writer
(this process) stores each scene x site result in its own transaction, so a killed worker loses
nothing that was stored and a re-run replaces rather than duplicates.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from railwatch.records import Observation, Scene, Site


@dataclass
class Task:
    """One unit of work: count the tracks of one site in one scene."""

    scene_id: int
    path: str
    acquired: datetime | None
    gsd_m: float
    site: Site


@dataclass
class TaskResult:
    """The observations a task produced, or the one-line error it hit."""

    scene_id: int
    site_id: str
    observations: list[Observation]
    error: str | None = None


def analyse_task(task: Task) -> TaskResult:
    """Count cars on every track of the task's site; turn the count into one Observation per track."""
    from railwatch import count
    from railwatch.errors import RailwatchError

    try:
        result = count(task.path, tracks=task.site, time=task.acquired)
    except RailwatchError as exc:
        return TaskResult(task.scene_id, task.site.id, [], error=str(exc))
    acquired = task.acquired or datetime(1970, 1, 1, tzinfo=UTC)
    observations = []
    for tc in result.tracks:
        cars = [c for c in result.cars if c.track == tc.id]
        observations.append(
            Observation(
                site=task.site.id,
                track=tc.id,
                acquired=acquired,
                coverage=tc.coverage,
                cars=tc.cars,
                cars_low=tc.cars_low,
                cars_high=tc.cars_high,
                locomotives=sum(1 for c in cars if c.is_locomotive),
                by_type=dict(tc.by_type),
                scene_id=task.scene_id,
                gsd_m=result.gsd_m,
                car_list=cars,
                spread=result.spreads.get(tc.id),
                by_type_expected=dict(tc.by_type_expected) if result.types_read else None,
                by_type_low=dict(tc.by_type_low) if result.types_read else None,
                by_type_high=dict(tc.by_type_high) if result.types_read else None,
                by_type_doubt=dict(tc.by_type_doubt) if result.types_read else None,
            )
        )
    return TaskResult(task.scene_id, task.site.id, observations)


def plan(db, site: str | None = None, scene_ids: Iterable[int] | None = None) -> list[Task]:
    """Every scene x linked-site pair in the store (optionally for one site or some scenes)."""
    wanted = set(scene_ids) if scene_ids is not None else None
    sites_by_id: dict[str, Site] = {}
    tasks: list[Task] = []
    scenes: list[Scene] = db.scenes(site=site)
    for scene in scenes:
        if wanted is not None and scene.id not in wanted:
            continue
        for site_id in db.scene_sites(scene.id):
            if site is not None and site_id != site:
                continue
            if site_id not in sites_by_id:
                sites_by_id[site_id] = db.get_site(site_id)
            tasks.append(Task(scene.id, scene.path, scene.acquired, scene.gsd_m, sites_by_id[site_id]))
    return tasks


def run_local(tasks: list[Task]) -> Iterator[TaskResult]:
    """Run tasks one after another in this process."""
    for task in tasks:
        yield analyse_task(task)


def run_dask(tasks: list[Task], scheduler: str | None = None, workers: int = 2) -> Iterator[TaskResult]:
    """Run tasks on a Dask cluster (a LocalCluster unless a scheduler address is given), yielding
    results as they complete so the single writer can store each at once."""
    from dask.distributed import Client, LocalCluster, as_completed

    cluster = None
    if scheduler:
        client = Client(scheduler)
    else:
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                               dashboard_address=None)
        client = Client(cluster)
    try:
        futures = {client.submit(analyse_task, t, pure=False): t for t in tasks}
        for fut in as_completed(list(futures)):
            try:
                res = fut.result()
            except Exception as exc:  # a bug or a lost worker: report this task, keep the others
                t = futures[fut]
                res = TaskResult(t.scene_id, getattr(t.site, "id", "?"), [],
                                 error=f"{t.path}: worker failed: {type(exc).__name__}: {exc}")
            yield res
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def analyse(
    db,
    site: str | None = None,
    executor: str = "local",
    scheduler: str | None = None,
    workers: int = 2,
    scene_ids: Iterable[int] | None = None,
    progress: Callable[[TaskResult], None] | None = None,
) -> list[TaskResult]:
    """Analyse stored scenes and write their observations, one transaction per scene x site."""
    tasks = plan(db, site=site, scene_ids=scene_ids)
    if executor == "dask":
        stream = run_dask(tasks, scheduler=scheduler, workers=workers)
    else:
        stream = run_local(tasks)
    results = []
    for res in stream:
        if res.error is None:
            db.put_observations(res.scene_id, res.site_id, res.observations)
        results.append(res)
        if progress is not None:
            progress(res)
    return results
