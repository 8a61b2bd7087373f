"""The analyst report: one self-contained HTML file (pictures inlined, no network) and its PDF."""

from __future__ import annotations

import os
import tempfile
import warnings
from datetime import datetime
from pathlib import Path
from typing import Any

from railwatch.errors import InputError

TEMPLATES = Path(__file__).parent / "templates"


def html(ctx: Any) -> str:
    """Render the report template for a gathered context."""
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["j2", "html"]))
    return env.get_template("report.html.j2").render(c=ctx)


def write(db: Any, site: str, start: datetime | None, end: datetime | None, out_dir: str | Path,
          pdf: bool = True) -> Path:
    """Write DIR/report.html (and DIR/report.pdf when asked and Chromium is here: else a warning says
    so and only the HTML is written); returns the HTML path."""
    from railwatch.report import pdf as pdf_mod
    from railwatch.report.build import gather

    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise InputError("not a folder", path=str(out))
    ctx = gather(db, site, start, end)
    text = html(ctx)
    out.mkdir(parents=True, exist_ok=True)
    path = out / "report.html"
    fd, tmp = tempfile.mkstemp(prefix=".report-", suffix=".html", dir=out)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)
    if pdf and pdf_mod.available():
        pdf_mod.render(path, out / "report.pdf")
    elif pdf:
        warnings.warn(f"{pdf_mod.CHROMIUM} not found: wrote the HTML report only", stacklevel=2)
    return path


__all__ = ["html", "write"]
