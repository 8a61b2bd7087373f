"""`railwatch demo`: simulate the two real cases and run the whole pipeline on the pixels."""

from __future__ import annotations

from pathlib import Path

import typer

from railwatch.cli.app import app, console, out


@app.command()
def demo(
    out_dir: Path = typer.Option(Path("demo-out"), "--out", help="Folder for scenes, store, briefs, report."),
    gsd: float = typer.Option(None, "--gsd", help="Render every scenario at this GSD (default: its own)."),
    seed: int = typer.Option(0, "--seed", help="Simulation seed."),
) -> None:
    """Simulate tumangang-2023, crossing-2022-11-04 and return-2022-11-29, then ingest, count,
    analyse activity, follow trains and write the briefs and the report."""
    from railwatch import demo as _demo

    res = _demo.run(out_dir, gsd_m=gsd, seed=seed, say=lambda s: console.print(f"[bold]demo[/]: {s}"))
    out.print(f"store: {res.db_url}")
    for line in res.headlines:
        out.print(f"finding: {line}")
    for what, path in res.files.items():
        out.print(f"{what}: {path}")
    report = res.files.get("report")
    out.print(f"\nThe report is at {report if report else res.out}")
