"""Pure sentence builders: records in, strings out. A sighting becomes 'at 13:10 Vladivostok time
(UTC+10) in Russia behind a locomotive about 200 m past the end of the railway bridge'; a movement
becomes a hedged identity sentence; a consist gets the limits of what the imagery shows."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from railwatch import geo
from railwatch.movement.match import position
from railwatch.movement.network import BORDER_KINDS, BRIDGE_END_KINDS, Network, landmark_key
from railwatch.narrative import words
from railwatch.records import Consist, Landmark, Movement, Site

STATION_RADIUS_M = 500.0
"""A consist this close to a station is 'at' the station."""

LANDMARK_RANGE_M = 10_000.0
NEIGHBOUR_M = 80.0
MIN_NEIGHBOUR_CARS = 2
"""Only sets of cars are worth naming as neighbours; a lone detection may be a fragment."""
MAX_NEIGHBOURS = 2


@dataclass
class Setting:
    """What sentences need to know about the world: the rail network and the sites by id."""

    network: Network
    sites: dict[str, Site] = field(default_factory=dict)

    def site_name(self, site_id: str | None) -> str | None:
        s = self.sites.get(site_id or "")
        return s.name if s else site_id

    def zone(self, consist: Consist) -> str:
        """Local zone of a sighting: from its country, else its site's zone."""
        country = self.country(consist)
        site = self.sites.get(consist.site or "")
        return words.timezone_for(country, site.timezone if site else "UTC")

    def country(self, consist: Consist) -> str | None:
        if consist.track in self.network.tracks:
            return self.network.country_at(position(consist))
        site = self.sites.get(consist.site or "")
        return site.countries[0] if site and len(site.countries) == 1 else None


@dataclass
class Nearby:
    """The landmark nearest a consist, and how far along the rails."""

    landmark: Landmark
    distance_m: float


def nearest_landmarks(consist: Consist, setting: Setting) -> list[Nearby]:
    """Landmarks within range of a consist (its nearer end; 0 when it stands over one), nearest first."""
    net = setting.network
    if consist.track not in net.tracks:
        return []
    out: list[Nearby] = []
    lo, hi = sorted((consist.start_m, consist.end_m))
    for lm in net.landmarks:
        if lm.track == consist.track and lo <= lm.chainage_m <= hi:
            out.append(Nearby(lm, 0.0))
            continue
        target = (lm.track, float(lm.chainage_m))
        d = min(net.distance_m((consist.track, lo), target), net.distance_m((consist.track, hi), target))
        straight = min(geo.distance_m(net.point((consist.track, x)), net.point(target)) for x in (lo, hi))
        if straight < 0.5 * d:  # on a parallel track reached only round a loop: say how far it looks
            d = straight
        if d <= LANDMARK_RANGE_M:
            out.append(Nearby(lm, d))
    out.sort(key=lambda n: n.distance_m)
    return out


def landmark_phrase(lm: Landmark) -> str:
    """How a landmark is named in a sentence."""
    if lm.kind in BRIDGE_END_KINDS:
        return "the end of the railway bridge"
    if lm.kind in BORDER_KINDS:
        return "the border"
    if lm.kind == "station":
        return lm.name if "station" in lm.name.lower() else f"{lm.name} station"
    return f"the {lm.name}"


def front_high(consist: Consist, setting: Setting | None = None, towards: Consist | None = None) -> bool:
    """Whether a consist's front is its high-chainage end: the end nearer where it was seen next, else
    its locomotive end, else (no way to tell) False, i.e. cars listed in chainage order."""
    lo, hi = sorted((consist.start_m, consist.end_m))
    if setting is not None and towards is not None:
        net = setting.network
        if consist.track in net.tracks and towards.track in net.tracks:
            to = position(towards)
            d_lo, d_hi = net.distance_m((consist.track, lo), to), net.distance_m((consist.track, hi), to)
            if abs(d_lo - d_hi) > 1.0:
                return d_hi < d_lo
    locos = [c for c in consist.cars if c.is_locomotive]
    if locos and consist.railcars:
        mid = (lo + hi) / 2.0
        return sum((c.start_m + c.end_m) / 2.0 for c in locos) / len(locos) > mid
    return False


def colors(consist: Consist, high_first: bool = False) -> list[str]:
    """Colour names of the railcars from the front (distinct names, in order, past six cars)."""
    ordered = sorted(consist.railcars, key=lambda c: min(c.start_m, c.end_m), reverse=high_first)
    names = [words.color_name(c.color) for c in ordered]
    if len(names) > 6:
        names = list(dict.fromkeys(names))
    return names


def describe(consist: Consist, high_first: bool = False) -> str:
    """'a three-car set of enclosed railcars (light blue, dark blue, red-brown)', colours from the front."""
    n = len(consist.railcars)
    if n == 0:
        k = consist.locomotives
        return "a locomotive" if k == 1 else f"{words.number(k)} locomotives coupled together"
    kind = words.type_phrase(c.type for c in consist.railcars)
    noun = "set" if n <= 4 else "train"
    if n == 1:
        head = f"a single {kind[:-1]}"
    else:
        num = words.number(n)
        art = "an" if num[0] in "aeiou" else "a"
        head = f"{art} {num}-car {noun} of {kind}"
    return f"{head} ({', '.join(colors(consist, high_first))})"


def describe_trip(chain: list[Movement], setting: Setting) -> str:
    """The first sighting of a chain described with its cars listed from the front, as it travelled."""
    first = chain[0].consist_from
    return describe(first, front_high(first, setting, chain[0].consist_to))


def yard_name(site_name: str | None) -> str:
    """'Tumangang' from 'Tumangang station and yard' (so that it reads 'in the Tumangang yard')."""
    base = re.sub(r"\b(station|and|yard|rail|facility)\b", " ", site_name or "", flags=re.IGNORECASE)
    return " ".join(base.split()) or (site_name or "")


def _track_site(track_id: str | None, setting: Setting, fallback: str | None = None) -> str | None:
    """The name of the site a track belongs to (a combined site's consists still name their part)."""
    track = setting.network.tracks.get(track_id or "")
    return setting.site_name(track.site if track is not None and track.site else fallback)


def track_site_name(consist: Consist, setting: Setting) -> str | None:
    """The name of the site whose track a consist stands on."""
    return _track_site(consist.track, setting, consist.site)


def _bridge_name(lm: Landmark, setting: Setting) -> str:
    name = setting.site_name(lm.site) if lm.site in setting.sites else _track_site(lm.track, setting, lm.site)
    name = name or ""
    return f"the {name}" if "bridge" in name.lower() else "the bridge"


@dataclass
class Place:
    """Where a consist stands, in parts a clause can put a locomotive between: the lead (country, yard
    or side of a bridge), the nearest landmark with its distance, and the border distance."""

    lead: str = ""
    landmark: str = ""
    border: str = ""

    def text(self, middle: str = "") -> str:
        head = " ".join(p for p in (self.lead, middle) if p)
        sep = ", " if self.lead.startswith("on the ") and self.landmark else " "
        out = sep.join(p for p in (head, self.landmark) if p)
        return f"{out}, {self.border}" if self.border else out


def locate(consist: Consist, setting: Setting, passed: tuple[str, ...] | list[str] = ()) -> Place:
    """Where a consist stands: country or side of a bridge, then the nearest landmark with a rounded
    distance ('past' it when the consist went by it, else 'from'), then the border distance."""
    near = nearest_landmarks(consist, setting)
    country = setting.country(consist)
    lead = f"in {words.country_name(country)}" if country else ""
    in_yard = _in_yard(consist, setting)
    if in_yard:
        lead = f"in the {yard_name(_track_site(consist.track, setting, consist.site))} yard" + (
            f" in {words.country_name(country)}" if country else ""
        )
    if not near:
        return Place(lead)
    first = near[0]
    lm = first.landmark
    near_bridge = lm.kind in BORDER_KINDS | BRIDGE_END_KINDS and first.distance_m <= 1000
    if near_bridge and landmark_key(lm) not in passed and country and not in_yard:
        lead = f"on the {words.COUNTRY_ADJECTIVES.get(country, country)} side of {_bridge_name(lm, setting)}"
    if first.distance_m < 30 or (lm.kind == "station" and first.distance_m <= STATION_RADIUS_M):
        mark = f"at {landmark_phrase(lm)}"
    else:
        if landmark_key(lm) in passed:  # how far the head of the train has gone past it
            mark = f"{words.distance(first.distance_m + consist.length_m)} past {landmark_phrase(lm)}"
        else:
            mark = f"{words.distance(first.distance_m)} from {landmark_phrase(lm)}"
    border = next((n for n in near if n.landmark.kind in BORDER_KINDS), None)
    border_words = ""
    if border is not None and not near_bridge:
        border_words = f"{words.distance(border.distance_m)} from the border"
    return Place(lead, mark, border_words)


def _in_yard(consist: Consist, setting: Setting) -> bool:
    track = setting.network.tracks.get(consist.track)
    if track is not None and (track.kind == "yard" or "yard" in (track.name or "").lower()):
        return True
    return "yard" in consist.track.lower()


def place(consist: Consist, setting: Setting, passed: tuple[str, ...] | list[str] = ()) -> str:
    """'in Russia, about 200 m past the end of the railway bridge'-style words for where a consist is."""
    return locate(consist, setting, passed).text()


def short_place(consist: Consist, setting: Setting, passed: tuple[str, ...] | list[str] = ()) -> str:
    """'at Khasan', 'on the Korean side of the bridge', 'in the Tumangang yard'."""
    if _in_yard(consist, setting):
        return f"in the {yard_name(_track_site(consist.track, setting, consist.site))} yard"
    near = nearest_landmarks(consist, setting)
    country = setting.country(consist)
    if (
        near
        and near[0].landmark.kind in BORDER_KINDS | BRIDGE_END_KINDS
        and near[0].distance_m <= 1000
        and country
    ):
        return f"on the {words.COUNTRY_ADJECTIVES.get(country, country)} side of the bridge"
    station = next((n.landmark for n in near if n.landmark.kind == "station" and n.distance_m <= 1000), None)
    if station is not None:
        name = station.name[: -len(" station")] if station.name.lower().endswith(" station") else station.name
        return f"at {name}"
    return f"at {_track_site(consist.track, setting, consist.site)}"


def neighbours(consist: Consist, others: list[Consist], setting: Setting) -> list[Consist]:
    """Consists seen in the same image on another track close alongside."""
    net = setting.network
    if consist.track not in net.tracks:
        return []
    here = net.point(position(consist))
    found = []
    for o in others:
        if o is consist or o.acquired != consist.acquired or o.track == consist.track:
            continue
        if o.track not in net.tracks:
            continue
        if len(o.railcars) < MIN_NEIGHBOUR_CARS:
            continue
        reach = NEIGHBOUR_M + (consist.length_m + o.length_m) / 2.0
        d = geo.distance_m(here, net.point(position(o)))
        if d <= reach:
            found.append((d, o))
    found.sort(key=lambda x: x[0])
    return [o for _, o in found[:MAX_NEIGHBOURS]]


def neighbour_phrase(consist: Consist, nbrs: list[Consist]) -> str:
    """'next to three smaller covered cars on an adjacent track'."""
    if not nbrs:
        return ""
    mine = [c.length_m for c in consist.railcars]
    items = []
    for o in nbrs:
        cars = o.railcars
        if not cars:
            items.append(
                "a locomotive" if o.locomotives == 1 else f"{words.number(o.locomotives)} locomotives"
            )
            continue
        size = ""
        if mine:
            ratio = (sum(c.length_m for c in cars) / len(cars)) / (sum(mine) / len(mine))
            size = "smaller " if ratio < 0.85 else "longer " if ratio > 1.15 else ""
        kind = words.type_phrase(c.type for c in cars)
        if len(cars) == 1:
            phrase = f"{size}{kind[:-1]}"
            items.append(f"{'an' if phrase[0] in 'aeiou' else 'a'} {phrase}")
        else:
            items.append(f"{words.number(len(cars))} {size}{kind}")
    where = "on an adjacent track" if len(nbrs) == 1 else "on adjacent tracks"
    return f"next to {words.join(items)} {where}"


def sighting(
    consist: Consist,
    setting: Setting,
    others: list[Consist] = (),  # type: ignore[assignment]
    arrived: Movement | None = None,
    with_day: bool = False,
) -> str:
    """One sighting as a clause: time with zone, place, locomotive, neighbours."""
    zone = setting.zone(consist)
    assert consist.acquired is not None
    when = f"at {words.clock(consist.acquired, zone)}"
    if with_day:
        when = f"on {words.day(consist.acquired, zone)} {when}"
    passed = arrived.landmarks_passed if arrived else []
    loco = ""
    if consist.locomotives and consist.railcars:
        k = consist.locomotives
        loco = "behind a locomotive" if k == 1 else f"behind {words.number(k)} locomotives"
    elif arrived and any("locomotive" in c and "detached" in c for c in arrived.changes):
        loco = "without its locomotive"
    text = f"{when} {locate(consist, setting, passed).text(loco)}".strip()
    nb = neighbour_phrase(consist, neighbours(consist, list(others), setting))
    if nb:
        text += f", {nb}"
    return text


def chain_sentence(chain: list[Movement], setting: Setting, others: list[Consist] = ()) -> str:  # type: ignore[assignment]
    """The whole trip in one sentence: 'On 4 November 2022 a three-car set ... was seen at ..., at ...
    and at ...'."""
    first = chain[0].consist_from
    zone = setting.zone(first)
    assert first.acquired is not None
    day0 = words.local(first.acquired, zone).date()
    clauses = [sighting(first, setting, others)]
    for mv in chain:
        c = mv.consist_to
        assert c.acquired is not None
        other_day = words.local(c.acquired, setting.zone(c)).date() != day0
        clauses.append(sighting(c, setting, others, arrived=mv, with_day=other_day))
    body = words.join(clauses) if len(clauses) < 3 else ", ".join(clauses[:-1]) + ", and " + clauses[-1]
    return f"On {words.day(first.acquired, zone)} {describe_trip(chain, setting)} was seen {body}."


def identity_sentence(mv: Movement, setting: Setting) -> str:
    """'The three cars seen at Khasan at 14:29 are very likely the same set seen at 10:24 on the Korean
    side of the bridge.' (likelihood only, never a confidence word)."""
    a, b = mv.consist_from, mv.consist_to
    n = len(b.railcars)
    what = f"{words.number(n)} cars" if n != 1 else "car"
    assert a.acquired is not None and b.acquired is not None
    za, zb = setting.zone(a), setting.zone(b)
    tb = words.local(b.acquired, zb)
    ta = words.local(a.acquired, za)
    when_b = f"{tb:%H:%M}" if ta.date() == tb.date() else f"{tb:%H:%M} on {words.day(b.acquired, zb)}"
    when_a = f"{ta:%H:%M}" if ta.date() == tb.date() else f"{ta:%H:%M} on {words.day(a.acquired, za)}"
    noun = "set" if len(a.railcars) <= 4 else "train"
    verb = "are" if n != 1 else "is"
    text = words.hedge(
        mv.confidence,
        f"the {what} seen {short_place(b, setting)} at {when_b}",
        verb,
        f"the same {noun} seen at {when_a} {short_place(a, setting)}",
    )
    return f"{text[0].upper()}{text[1:]}."


def change_sentences(mv: Movement, setting: Setting) -> list[str]:
    """'A locomotive was attached between 10:24 and 13:10.' for each change the matcher reported."""
    out = []
    a, b = mv.consist_from, mv.consist_to
    assert a.acquired is not None and b.acquired is not None
    ta, tb = words.local(a.acquired, setting.zone(a)), words.local(b.acquired, setting.zone(b))
    if ta.date() == tb.date():
        span = f"between {ta:%H:%M} and {tb:%H:%M}"
    else:
        da, db = words.day(a.acquired, setting.zone(a)), words.day(b.acquired, setting.zone(b))
        span = f"between {ta:%H:%M} on {da} and {tb:%H:%M} on {db}"
    if mv.distance_m < 30.0 and not mv.changes:
        out.append(f"It stood in the same place in both images ({span}).")
    for change in mv.changes:
        what, _, verb = change.rpartition(" ")
        if what.startswith("locomotive"):
            what = "a locomotive"
        elif what.split()[0].isdigit():
            k = int(what.split()[0])
            what = f"{words.number(k)} {'car' if k == 1 else 'cars'}"
        plural = "were" if what.split()[0] not in ("a", "one") else "was"
        out.append(f"{what[0].upper()}{what[1:]} {plural} {verb} {span}.")
    return out


def crossing_sentence(chain: list[Movement], setting: Setting) -> str:
    """'Between 10:24 Pyongyang time (UTC+9) and 13:10 Vladivostok time (UTC+10) the set very likely
    crossed the border from North Korea into Russia.' or '' when no border was crossed."""
    for mv in chain:
        if not mv.crossed_border:
            continue
        a, b = mv.consist_from, mv.consist_to
        assert a.acquired is not None and b.acquired is not None
        src, dst = (words.country_name(c) for c in mv.countries)
        route = f" from {src} into {dst}" if src and dst and src != dst else ""
        noun = "set" if len(a.railcars) <= 4 else "train"
        za, zb = setting.zone(a), setting.zone(b)
        ta, tb = words.clock(a.acquired, za), words.clock(b.acquired, zb)
        if words.local(a.acquired, za).date() != words.local(b.acquired, zb).date():
            ta, tb = f"{ta} on {words.day(a.acquired, za)}", f"{tb} on {words.day(b.acquired, zb)}"
        clause = words.hedge(mv.confidence, f"the {noun}", "", f"crossed the border{route}")
        return f"Between {ta} and {tb} {clause}."
    return ""


def confidence_sentence(chain: list[Movement]) -> str:
    """'We have moderate confidence in this assessment, which rests on ...' (no likelihood words)."""
    weakest = min(mv.confidence for mv in chain)
    level = words.confidence_level(weakest)
    sightings = len(chain) + 1
    return (
        f"We have {level} confidence in this assessment, which rests on the order, colours and types of "
        f"the cars in {words.number(sightings)} images; no markings or numbers can be read at this "
        "resolution."
    )


def limits_sentence(consist: Consist) -> str:
    """What the imagery cannot show: never state cargo or purpose as fact."""
    kind = words.type_phrase(c.type for c in consist.railcars) if consist.railcars else "cars"
    kind = "cars" if kind == "mixed railcars" else kind.replace(" railcars", " cars")
    if kind in ("flat cars", "open-top cars"):
        return (
            f"The imagery shows the {kind} but not what any load on them is; "
            "their purpose cannot be determined from the imagery."
        )
    return (
        f"The imagery does not show what the {kind} carry; "
        "their purpose cannot be determined from the imagery."
    )
