"""Outside events (a summit, a sanctions decision) and the lag from each to the next change.

The lag is measured from the event to the nearest change point on or after the event date; an
event with no later change gets no date and no lag (it is still listed, so an analyst sees that
nothing followed it).
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from railwatch.activity.changes import Change
from railwatch.activity.series import parse_date
from railwatch.errors import SeriesError
from railwatch.records import Event


@dataclass
class Lag:
    """From one event to the first change that followed it."""

    event: str
    event_date: date
    change_date: date | None
    lag_days: int | None
    direction: str | None = None
    source: str | None = None

    def to_dict(self) -> dict:
        return {
            "event": self.event,
            "event_date": self.event_date.isoformat(),
            "change_date": self.change_date.isoformat() if self.change_date else None,
            "lag_days": self.lag_days,
            "direction": self.direction,
            "source": self.source,
        }

    def sentence(self, what: str = "The number of railcars") -> str:
        """'The number of railcars began to increase 5 days after EVENT (2023-09-13).'"""
        when = f"{self.event} ({self.event_date.isoformat()})"
        if self.change_date is None or self.lag_days is None:
            return f"No change in {what.lower()} was found after {when}."
        days = "the same day as" if self.lag_days == 0 else (
            f"{self.lag_days} day{'s' if self.lag_days != 1 else ''} after")
        return f"{what} began to {self.direction} {days} {when}."


def event_date(event: Event) -> date:
    """An Event's ISO date as a date."""
    return date.fromisoformat(event.date[:10])


def lags(events: Sequence[Event], changes: Sequence[Change]) -> list[Lag]:
    """For each event (in date order), the nearest change dated on or after it."""
    out: list[Lag] = []
    for ev in sorted(events, key=lambda e: e.date):
        d = event_date(ev)
        after = sorted((c for c in changes if c.date >= d), key=lambda c: c.date)
        if after:
            c = after[0]
            out.append(Lag(ev.title, d, c.date, (c.date - d).days, c.direction, ev.source))
        else:
            out.append(Lag(ev.title, d, None, None, None, ev.source))
    return out


def read_csv(path: str | Path) -> list[Event]:
    """Read EVENTS.csv (`date,title[,source]`); SeriesError naming the file and line when malformed."""
    path = Path(path)
    try:
        with open(path, newline="", encoding="utf-8-sig") as fh:
            rows = [r for r in csv.reader(fh) if r and any(c.strip() for c in r)]
    except FileNotFoundError:
        raise SeriesError("no such file", path=str(path)) from None
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise SeriesError(f"cannot read events CSV: {exc}", path=str(path)) from None
    if not rows:
        raise SeriesError("empty events file (need date,title[,source])", path=str(path))
    header = [h.strip().lower() for h in rows[0]]
    missing = [c for c in ("date", "title") if c not in header]
    if missing:
        raise SeriesError(f"missing column(s) {', '.join(missing)} (need date,title[,source])",
                          path=str(path))
    col = {name: header.index(name) for name in header}
    events: list[Event] = []
    for lineno, row in enumerate(rows[1:], start=2):
        if len(row) < len(header):
            raise SeriesError(f"line {lineno}: expected {len(header)} fields, got {len(row)}", path=str(path))
        try:
            d = parse_date(row[col["date"]])
        except ValueError:
            raise SeriesError(f"line {lineno}: cannot read date {row[col['date']]!r} (want YYYY-MM-DD)",
                              path=str(path)) from None
        title = row[col["title"]].strip()
        if not title:
            raise SeriesError(f"line {lineno}: empty title", path=str(path))
        source = row[col["source"]].strip() or None if "source" in col else None
        events.append(Event(date=d.isoformat(), title=title, source=source))
    return sorted(events, key=lambda e: e.date)


def make(date_text: str, title: str, source: str | None = None) -> Event:
    """An Event from command-line text; SeriesError for a bad date or an empty title."""
    try:
        d = parse_date(date_text)
    except ValueError:
        raise SeriesError(f"cannot read date {date_text!r} (want YYYY-MM-DD)") from None
    if not title.strip():
        raise SeriesError("empty event title")
    return Event(date=d.isoformat(), title=title.strip(), source=source)
