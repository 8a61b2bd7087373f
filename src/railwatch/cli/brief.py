"""`railwatch brief`: the analyst's Markdown brief of trains followed at a site over a period."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import typer

from railwatch.cli.app import app, console, out


@app.command()
def brief(
    site: str = typer.Option(
        None, "--site", help="The site the brief is about (default: every stored site)."
    ),
    start: str = typer.Option(None, "--from", help="First time (ISO date or time, UTC unless given)."),
    end: str = typer.Option(None, "--to", help="Last time (a bare date means the end of that day)."),
    out_path: Path = typer.Option(None, "--out", help="Write the Markdown here (default: stdout)."),
    db: str = typer.Option(None, "--db", help="Database URL. Default: $RAILWATCH_DB or ./railwatch.db."),
) -> None:
    """Write a hedged Markdown brief: local times, distances to landmarks, ICD 203 likelihood words."""
    from railwatch.cli.options import open_store
    from railwatch.errors import InputError
    from railwatch.movement.follow import parse_time
    from railwatch.narrative import stored_brief

    t0, t1 = parse_time(start, "--from"), parse_time(end, "--to", end_of_day=True)
    if out_path is not None and not out_path.parent.is_dir():
        raise InputError(f"folder {out_path.parent} does not exist", path=str(out_path))
    text, found = stored_brief(open_store(db), site, t0, t1, site_ids=[site] if site else None)
    if out_path is None:
        out.print(text, markup=False, highlight=False)
        return
    fd, tmp = tempfile.mkstemp(prefix=".brief-", suffix=".md", dir=out_path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, out_path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    console.print(f"wrote {out_path} ({len(found.movements)} movements)")
