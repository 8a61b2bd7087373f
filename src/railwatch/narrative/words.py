"""The words an analyst would use: ICD 203 likelihood and confidence terms, number words, car-type
phrases, colour names, rounded distances and local times with their zone."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

from railwatch.movement.color import delta_e, lab

LIKELIHOOD: tuple[tuple[float, str], ...] = (
    (0.05, "almost no chance"),
    (0.20, "very unlikely"),
    (0.45, "unlikely"),
    (0.55, "roughly even chance"),
    (0.80, "likely"),
    (0.95, "very likely"),
    (1.01, "almost certain"),
)
"""ICD 203 expressions of likelihood: (upper bound of probability, word)."""

LIKELIHOOD_WORDS = tuple(w for _, w in LIKELIHOOD) + ("almost certainly",)
CONFIDENCE_WORDS = ("low confidence", "moderate confidence", "high confidence")

TIMEZONES = {"KP": "Asia/Pyongyang", "RU": "Asia/Vladivostok", "CN": "Asia/Shanghai"}
"""Local time used for a sighting in each country (the Russian Far East border is UTC+10)."""

COUNTRY_NAMES = {"KP": "North Korea", "RU": "Russia", "CN": "China"}
COUNTRY_ADJECTIVES = {"KP": "Korean", "RU": "Russian", "CN": "Chinese"}

_NUMBERS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen twenty"
).split()

TYPE_PHRASES = {
    "boxcar": "enclosed",
    "passenger": "enclosed",
    "covered": "covered",
    "tank": "tank",
    "gondola": "open-top",
    "flat": "flat",
    "container": "container",
    "unknown": "unidentified",
}
"""What a car type looks like from above, as an adjective for 'railcars' / 'cars'."""

PALETTE = {
    "light blue": "#8fb8de",
    "blue": "#2f5fb3",
    "dark blue": "#1f3a93",
    "red-brown": "#8b3a2b",
    "red": "#b52a25",
    "brown": "#6e4b30",
    "orange": "#e07b24",
    "yellow": "#e0c234",
    "light green": "#8cc084",
    "green": "#3a7a3a",
    "dark green": "#254a30",
    "olive": "#66683e",
    "light grey": "#c4c4c4",
    "grey": "#808080",
    "dark grey": "#474747",
    "black": "#1c1c1c",
    "white": "#f4f4f4",
}
"""A small named palette; a car colour gets the name of its nearest entry in CIELAB (CIEDE2000)."""

_PALETTE_LAB = {name: lab(h) for name, h in PALETTE.items()}


def likelihood(p: float) -> str:
    """The ICD 203 likelihood word for a probability in [0, 1]."""
    p = min(max(float(p), 0.0), 1.0)
    for bound, word in LIKELIHOOD:
        if p < bound:
            return word
    return LIKELIHOOD[-1][1]


def confidence_level(p: float) -> str:
    """Analytic confidence (low / moderate / high) for a score in [0, 1]; never mixed with likelihood."""
    if p >= 0.85:
        return "high"
    if p >= 0.6:
        return "moderate"
    return "low"


def number(n: int) -> str:
    """'three' for 3; digits above twenty."""
    return _NUMBERS[n] if 0 <= n < len(_NUMBERS) else str(n)


def color_name(hex_color: str) -> str:
    """The palette name nearest to a hex colour."""
    c = lab(hex_color)
    return min(_PALETTE_LAB, key=lambda name: delta_e(c, _PALETTE_LAB[name]))


def type_phrase(types: Iterable[str]) -> str:
    """'enclosed railcars', 'tank cars', 'covered cars', or 'mixed railcars' for a set of car types."""
    adjectives = {TYPE_PHRASES.get(t, "unidentified") for t in types if t != "locomotive"}
    if len(adjectives) != 1:
        return "mixed railcars" if adjectives else "railcars"
    adj = adjectives.pop()
    return f"{adj} railcars" if adj == "enclosed" else f"{adj} cars"


def round_distance_m(metres: float) -> float:
    """Round as analysts do: nearest 10 m up to 100 m, 50 m up to 1 km, 0.5 km up to 5 km, then 1 km."""
    m = abs(float(metres))
    if m <= 100:
        return round(m / 10.0) * 10.0
    if m <= 1000:
        return round(m / 50.0) * 50.0
    if m <= 5000:
        return round(m / 500.0) * 500.0
    return round(m / 1000.0) * 1000.0


def distance(metres: float) -> str:
    """'about 200 m', 'about 1.5 km', 'about 2 km'."""
    r = round_distance_m(metres)
    if r < 1000:
        return f"about {r:.0f} m"
    km = r / 1000.0
    return f"about {km:.0f} km" if km == int(km) else f"about {km:.1f} km"


def timezone_for(country: str | None, fallback: str = "UTC") -> str:
    """The IANA zone to state local times in for a country code."""
    return TIMEZONES.get(country or "", fallback)


def utc_offset(dt: datetime) -> str:
    """'UTC+10', 'UTC+5:30', 'UTC' for an aware datetime."""
    off = dt.utcoffset()
    minutes = int(off.total_seconds() // 60) if off is not None else 0
    if minutes == 0:
        return "UTC"
    sign = "+" if minutes > 0 else "-"
    h, m = divmod(abs(minutes), 60)
    return f"UTC{sign}{h}" + (f":{m:02d}" if m else "")


def zone_label(zone: str) -> str:
    """'Vladivostok time' for Asia/Vladivostok; 'UTC' for UTC."""
    if zone.upper() in ("UTC", "ETC/UTC"):
        return "UTC"
    return zone.rsplit("/", 1)[-1].replace("_", " ") + " time"


def local(dt: datetime, zone: str) -> datetime:
    """An aware datetime in a zone."""
    if dt.tzinfo is None:
        raise ValueError("naive datetime: railwatch times are UTC-aware")
    return dt.astimezone(ZoneInfo(zone))


def clock(dt: datetime, zone: str) -> str:
    """'13:10 Vladivostok time (UTC+10)'."""
    t = local(dt, zone)
    label = zone_label(zone)
    if label == "UTC":
        return f"{t:%H:%M} UTC"
    return f"{t:%H:%M} {label} ({utc_offset(t)})"


def day(dt: datetime, zone: str) -> str:
    """'4 November 2022' in the zone's calendar."""
    t = local(dt, zone)
    return f"{t.day} {t:%B %Y}"


def country_name(code: str | None) -> str | None:
    """'Russia' for RU; None when unknown."""
    return COUNTRY_NAMES.get(code or "", code)


def join(items: list[str], conj: str = "and") -> str:
    """'a', 'a and b', 'a, b and c'."""
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + f" {conj} " + items[-1]


_ADVERBS = {"likely": "likely", "very likely": "very likely", "almost certain": "almost certainly"}


def hedge(p: float, subject: str, verb: str, predicate: str) -> str:
    """A clause with its ICD 203 likelihood placed as English wants it: 'the set very likely crossed the
    border', 'the cars are almost certainly the same set', 'it is unlikely that the cars are ...', 'there
    is a roughly even chance that ...'. No capital, no full stop."""
    word = likelihood(p)
    core = " ".join(x for x in (subject, verb, predicate) if x)
    if word in _ADVERBS:
        adv = _ADVERBS[word]
        return (
            " ".join(x for x in (subject, verb, adv, predicate) if x)
            if verb
            else f"{subject} {adv} {predicate}"
        )
    if word.endswith("chance"):
        article = "a " if word.startswith("roughly") else ""
        return f"there is {article}{word} that {core}"
    return f"it is {word} that {core}"
