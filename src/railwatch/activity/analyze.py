"""One call from series and events to everything the `railwatch activity` contract reports:
baseline, change points, surges and event lags per site (and per track when given)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field

from railwatch.activity import baseline as _baseline
from railwatch.activity import changes as _changes
from railwatch.activity import surges as _surges
from railwatch.activity.baseline import Baseline
from railwatch.activity.changes import Change
from railwatch.activity.events import Lag, lags
from railwatch.activity.series import Series
from railwatch.activity.surges import Surge
from railwatch.records import Alert, Event


@dataclass
class Params:
    """Every threshold the analysis uses, reported with the result so numbers can be reproduced."""

    window_days: int = _baseline.WINDOW_DAYS
    min_looks: int = _baseline.MIN_LOOKS
    min_ratio: float = _surges.MIN_RATIO
    min_z: float = _surges.MIN_Z
    min_delta: float = _surges.MIN_DELTA
    penalty_k: float = _changes.PENALTY_K
    min_confidence: float = _changes.MIN_CONFIDENCE


@dataclass
class SiteActivity:
    """The analysis of one series (a site total, or one track when `track` is set)."""

    series: Series
    baseline: Baseline | None
    trailing: list[Baseline | None]
    changes: list[Change]
    surges: list[Surge]
    lags: list[Lag]

    @property
    def site(self) -> str:
        return self.series.site

    @property
    def track(self) -> str | None:
        return self.series.track

    def sentences(self) -> list[str]:
        """Plain sentences for the lags and changes ('began to increase 5 days after ...')."""
        what = "The number of railcars"
        if self.track is not None:
            what += f" on track {self.track}"
        out = [lag.sentence(what) for lag in self.lags]
        for c in self.changes:
            out.append(f"{what} at {self.site} began to {c.direction} around {c.date.isoformat()} "
                       f"(from about {c.before:.0f} to about {c.after:.0f}; confidence {c.confidence:.2f}).")
        return out

    def alerts(self) -> list[Alert]:
        """Surges and change points as Alert records (kind 'surge' / 'change') for the store."""
        out = [
            Alert(site=self.site, date=s.date.isoformat(), kind="surge", count=round(s.count, 2),
                  baseline=round(s.baseline, 2), ratio=round(s.ratio, 3), zscore=round(s.zscore, 2),
                  track=self.track,
                  message=f"{s.count:.0f} railcars vs baseline {s.baseline:.0f} "
                          f"(x{s.ratio:.1f}, z={s.zscore:.1f})")
            for s in self.surges
        ]
        for c in self.changes:
            out.append(Alert(
                site=self.site, date=c.date.isoformat(), kind="change", count=round(c.after, 2),
                baseline=round(c.before, 2), ratio=round(_surges.ratio(c.after, c.before), 3),
                zscore=round(c.zscore, 2), track=self.track,
                message=f"{c.direction} from about {c.before:.0f} to about {c.after:.0f} railcars "
                        f"({c.kind}, confidence {c.confidence:.2f})"))
        return sorted(out, key=lambda a: (a.date, a.kind))

    def to_dict(self) -> dict:
        looks = self.series.used
        base_by_date = {lk.date: b for lk, b in zip(looks, self.trailing, strict=True)}
        return {
            "site": self.site,
            "track": self.track,
            "looks": len(self.series.looks),
            "looks_used": len(looks),
            "start": self.series.looks[0].date.isoformat() if self.series.looks else None,
            "end": self.series.looks[-1].date.isoformat() if self.series.looks else None,
            "baseline": self.baseline.to_dict() if self.baseline else None,
            "change_points": [c.to_dict() for c in self.changes],
            "surges": [s.to_dict() for s in self.surges],
            "event_lags": [lag.to_dict() for lag in self.lags],
            "sentences": self.sentences(),
            "series": [
                {**lk.to_dict(),
                 "baseline": round(base_by_date[lk.date].median, 2) if base_by_date.get(lk.date) else None,
                 "spread": round(base_by_date[lk.date].spread, 2) if base_by_date.get(lk.date) else None}
                for lk in self.series.looks
            ],
        }


@dataclass
class ActivityResult:
    """The analysis of every series given, with the events and parameters used."""

    sites: list[SiteActivity]
    events: list[Event] = field(default_factory=list)
    params: Params = field(default_factory=Params)

    def site(self, site: str, track: str | None = None) -> SiteActivity:
        for s in self.sites:
            if s.site == site and s.track == track:
                return s
        raise KeyError(site if track is None else f"{site}/{track}")

    def alerts(self) -> list[Alert]:
        return [a for s in self.sites for a in s.alerts()]

    def to_dict(self) -> dict:
        return {
            "sites": [s.to_dict() for s in self.sites],
            "events": [{"date": e.date, "title": e.title, "source": e.source} for e in self.events],
            "params": asdict(self.params),
        }


def analyze_one(series: Series, events: Sequence[Event] = (), params: Params | None = None) -> SiteActivity:
    """Baseline, change points, surges and event lags of one series."""
    p = params or Params()
    looks = series.used
    trailing = _baseline.trailing(looks, p.window_days, p.min_looks)
    found = _changes.detect(looks, penalty_k=p.penalty_k, min_delta=p.min_delta,
                            min_confidence=p.min_confidence)
    # The reference baseline: the trailing window before the first change (or before the last look).
    ref = None
    if looks:
        end = found[0].earliest if found else None
        before = [lk for lk in looks if end is None or lk.date < end]
        if before:
            cut = before[-1].date.toordinal() - p.window_days
            recent = [lk for lk in before if lk.date.toordinal() >= cut]
            # Too few looks in the window (gaps): reach back for min_looks looks.
            ref = _baseline.of(recent if len(recent) >= p.min_looks else before[-p.min_looks:])
    return SiteActivity(
        series=series,
        baseline=ref,
        trailing=trailing,
        changes=found,
        surges=_surges.find(looks, trailing, p.min_ratio, p.min_z, p.min_delta),
        lags=lags(events, found),
    )


def analyze(series: Series | Iterable[Series], events: Sequence[Event] = (),
            params: Params | None = None) -> ActivityResult:
    """Analyse one series or several (one per site / track) against the same events."""
    many = [series] if isinstance(series, Series) else list(series)
    p = params or Params()
    return ActivityResult([analyze_one(s, events, p) for s in many], list(events), p)
