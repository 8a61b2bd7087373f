"""`railwatch analyze`: count railcars on every ingested scene x site and store the observations."""

from __future__ import annotations

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from railwatch.cli.app import app, console
from railwatch.cli.options import DbOption, JsonOption, print_json


@app.command()
def analyze(
    site: str = typer.Option(None, "--site", help="Only this site."),
    executor: str = typer.Option("local", "--executor", help="local or dask."),
    scheduler: str = typer.Option(
        None, "--scheduler", help="Dask scheduler address (default: a LocalCluster)."
    ),
    workers: int = typer.Option(2, "--workers", help="LocalCluster workers when --executor dask."),
    db: str = DbOption,
    as_json: bool = JsonOption,
) -> int:
    """Count railcars on every ingested scene x site and store one observation per track."""
    from railwatch import pipeline, store
    from railwatch.errors import InputError

    if executor not in ("local", "dask"):
        raise InputError(f"unknown executor {executor!r}: use local or dask")
    s = store.open(db)
    if site is not None:
        s.get_site(site)
    tasks = pipeline.plan(s, site=site)
    failed: list[str] = []
    with Progress(
        TextColumn("analysing"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=console, disable=as_json,
    ) as bar:
        job = bar.add_task("scenes", total=len(tasks))

        def _tick(res: pipeline.TaskResult) -> None:
            bar.advance(job)
            if res.error:
                failed.append(res.error)
                console.print(f"[yellow]scene {res.scene_id} x {res.site_id}: {res.error}")

        results = pipeline.analyse(
            s, site=site, executor=executor, scheduler=scheduler, workers=workers, progress=_tick
        )
    summary = [
        {
            "scene": r.scene_id,
            "site": r.site_id,
            "cars": sum(o.cars for o in r.observations),
            "tracks": len(r.observations),
            "error": r.error,
        }
        for r in results
    ]
    if as_json:
        print_json({"results": summary})
    else:
        console.print(f"analysed {len(results) - len(failed)} scene x site pairs, {len(failed)} failed")
    return 2 if failed else 0
