"""`railwatch report`: the analyst report of one site over a period, as HTML (and PDF)."""

from __future__ import annotations

from pathlib import Path

import typer

from railwatch.cli.app import app, console
from railwatch.cli.options import DbOption


@app.command()
def report(
    site: str = typer.Option(..., "--site", help="The site the report is about."),
    start: str = typer.Option(None, "--from", help="First time (ISO date or time, UTC unless given)."),
    end: str = typer.Option(None, "--to", help="Last time (a bare date means the end of that day)."),
    out_dir: Path = typer.Option(..., "--out", help="Folder for report.html and report.pdf."),
    pdf: bool = typer.Option(True, "--pdf/--no-pdf", help="Also print report.pdf with headless Chromium."),
    db: str = DbOption,
) -> None:
    """Write a self-contained HTML report (map, evidence chips, activity, movements, table, sources)."""
    from railwatch.cli.options import open_store
    from railwatch.movement.follow import parse_time
    from railwatch.report import pdf as pdf_mod
    from railwatch.report import write

    t0, t1 = parse_time(start, "--from"), parse_time(end, "--to", end_of_day=True)
    s = open_store(db)
    if pdf and not pdf_mod.available():
        console.print(f"{pdf_mod.CHROMIUM} not found: writing the HTML report only")
        pdf = False
    with console.status("drawing the report"):
        path = write(s, site, t0, t1, out_dir, pdf=pdf)
    console.print(f"wrote {path}" + (f" and {path.with_suffix('.pdf')}" if pdf else ""))
