"""The rail network as a graph: site tracks joined where they meet, landmarks placed by
(track, chainage), a country on every stretch. Answers how far a consist had to travel between two
sightings, which landmarks it passed and whether it crossed a border."""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import lru_cache

import networkx as nx
from shapely.geometry import LineString, MultiLineString, Point

from railwatch import geo
from railwatch.errors import InputError
from railwatch.records import Landmark, Site, Track

Position = tuple[str, float]
"""(track id, chainage in metres from the track's first vertex)."""

Node = tuple[str, float]

NOT_RAIL = frozenset({"road", "river", "border_line"})
"""Track kinds that are not rails (everything else - main, yard, station, siding - is)."""

BORDER_KINDS = frozenset({"border", "border_crossing", "border-crossing"})
BRIDGE_END_KINDS = frozenset({"bridge_end", "bridge-end"})
JOIN_TOL_M = 15.0
SNAP_TOL_M = 50.0


@dataclass
class Leg:
    """A stretch of one track travelled from `from_m` to `to_m` (either direction)."""

    track: str
    from_m: float
    to_m: float


@dataclass
class Route:
    """The shortest way along the rails between two positions."""

    distance_m: float
    legs: list[Leg]
    landmarks: list[Landmark] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    crossed_border: bool = False


class Network:
    """A networkx graph of track stretches; nodes are (track, chainage) cut points."""

    def __init__(
        self, tracks: Iterable[Track], landmarks: Iterable[Landmark] = (), tol_m: float = JOIN_TOL_M
    ):
        self.tracks: dict[str, Track] = {}
        for t in tracks:
            if t.id in self.tracks:
                raise InputError(f"track {t.id!r} appears twice in the network")
            self.tracks[t.id] = t
        if not self.tracks:
            raise InputError("a rail network needs at least one track")
        self.tol_m = tol_m
        self.graph = nx.Graph()
        self._project()
        self.landmarks: list[Landmark] = [self._place(lm) for lm in landmarks]
        self.landmarks = [lm for lm in self.landmarks if lm.track is not None]
        self._cuts: dict[str, list[float]] = {tid: [0.0, self._length[tid]] for tid in self.tracks}
        joins = self._find_joins()
        for lm in self.landmarks:
            if lm.kind in BORDER_KINDS:
                self._cut(lm.track, float(lm.chainage_m))
        self._build(joins)
        self._assign_countries()
        self._dijkstra = lru_cache(maxsize=256)(self._dijkstra_uncached)

    # ---- construction -------------------------------------------------------------------------
    def _project(self) -> None:
        lines = [t.line for t in self.tracks.values()]
        c = MultiLineString(lines).centroid
        self.crs = geo.utm_crs(c.x, c.y)
        self._line_m: dict[str, LineString] = {}
        self._scale: dict[str, float] = {}
        self._length: dict[str, float] = {}
        for tid, t in self.tracks.items():
            lm = geo.reproject(t.line, geo.WGS84, self.crs)
            self._line_m[tid] = lm
            self._length[tid] = t.length_m
            self._scale[tid] = t.length_m / lm.length if lm.length > 0 else 1.0

    def _chainage(self, tid: str, pt_m: Point) -> float:
        return float(self._line_m[tid].project(pt_m)) * self._scale[tid]

    def _point_m(self, tid: str, chainage: float) -> Point:
        return self._line_m[tid].interpolate(chainage / self._scale[tid])

    def _place(self, lm: Landmark) -> Landmark:
        """Put a landmark on the graph: keep its (track, chainage), or snap its point to the nearest track."""
        if lm.track is not None and lm.track in self.tracks:
            ch = lm.chainage_m
            if ch is None:
                ch = self._chainage(lm.track, geo.reproject(lm.point, geo.WGS84, self.crs))
            return replace(lm, chainage_m=min(max(float(ch), 0.0), self._length[lm.track]))
        pt = geo.reproject(lm.point, geo.WGS84, self.crs)
        best = min(self.tracks, key=lambda tid: self._line_m[tid].distance(pt))
        if self._line_m[best].distance(pt) > SNAP_TOL_M:
            return replace(lm, track=None, chainage_m=None)
        return replace(lm, track=best, chainage_m=self._chainage(best, pt))

    def _cut(self, tid: str, chainage: float) -> float:
        cuts = self._cuts[tid]
        ch = round(min(max(chainage, 0.0), self._length[tid]), 3)
        i = bisect.bisect_left(cuts, ch)
        for k in (i - 1, i):
            if 0 <= k < len(cuts) and abs(cuts[k] - ch) < 1e-3:
                return cuts[k]
        cuts.insert(i, ch)
        return ch

    def _find_joins(self) -> list[tuple[Node, Node, float]]:
        """Endpoint pairs within tol, and endpoints lying on another track's interior (split there)."""
        ends: list[tuple[str, float, Point]] = []
        for tid, line in self._line_m.items():
            ends.append((tid, 0.0, Point(line.coords[0])))
            ends.append((tid, self._length[tid], Point(line.coords[-1])))
        joins: list[tuple[Node, Node, float]] = []
        for i, (ta, ca, pa) in enumerate(ends):
            for tb, cb, pb in ends[i + 1 :]:
                if ta == tb:
                    continue
                d = pa.distance(pb)
                if d <= self.tol_m:
                    joins.append(((ta, ca), (tb, cb), d))
        for ta, ca, pa in ends:
            for tb, line in self._line_m.items():
                if tb == ta:
                    continue
                d = line.distance(pa)
                if d > self.tol_m:
                    continue
                cb = self._chainage(tb, pa)
                if cb <= self.tol_m or cb >= self._length[tb] - self.tol_m:
                    continue  # near an end of tb: an endpoint join covers it if there is one
                cb = self._cut(tb, cb)
                joins.append(((ta, ca), (tb, cb), d))
        return joins

    def _build(self, joins: list[tuple[Node, Node, float]]) -> None:
        for tid, cuts in self._cuts.items():
            for a, b in zip(cuts, cuts[1:], strict=False):
                self.graph.add_edge(
                    (tid, a), (tid, b), weight=b - a, track=tid, start_m=a, end_m=b, country=None
                )
        for u, v, d in joins:
            u = (u[0], self._cut_value(u))
            v = (v[0], self._cut_value(v))
            self.graph.add_edge(u, v, weight=d, track=None, start_m=None, end_m=None, country=None)

    def _cut_value(self, node: Node) -> float:
        cuts = self._cuts[node[0]]
        return min(cuts, key=lambda c: abs(c - node[1]))

    def _assign_countries(self) -> None:
        border_nodes = {
            (lm.track, self._cut_value((lm.track, float(lm.chainage_m))))
            for lm in self.landmarks
            if lm.kind in BORDER_KINDS
        }
        split_tracks = {n[0] for n in border_nodes}
        edges = [(u, v, d) for u, v, d in self.graph.edges(data=True) if d["track"] is not None]
        for _, _, d in edges:
            if d["track"] not in split_tracks:
                d["country"] = self.tracks[d["track"]].country
        for lm in self.landmarks:
            if lm.kind in BORDER_KINDS or not lm.country:
                continue
            for _, _, d in edges:
                if (
                    d["track"] == lm.track
                    and d["country"] is None
                    and d["start_m"] < lm.chainage_m < d["end_m"]
                ):
                    d["country"] = lm.country
        changed = True
        while changed:
            changed = False
            for u, v, d in edges:
                if d["country"] is not None:
                    continue
                for node in (u, v):
                    if node in border_nodes:
                        continue
                    known = self._neighbour_country(node, (u, v))
                    if known:
                        d["country"] = known
                        changed = True
                        break
        for _, _, d in edges:
            if d["country"] is None:
                d["country"] = self.tracks[d["track"]].country

    def _neighbour_country(self, node: Node, skip: tuple[Node, Node], depth: int = 0) -> str | None:
        for nb in self.graph.neighbors(node):
            d = self.graph.edges[node, nb]
            if {node, nb} == set(skip):
                continue
            if d["track"] is not None and d["country"]:
                return d["country"]
            if d["track"] is None and depth < 3:  # a join: look through it
                found = self._neighbour_country(nb, (node, nb), depth + 1)
                if found:
                    return found
        return None

    # ---- queries ------------------------------------------------------------------------------
    def _check(self, pos: Position) -> Position:
        tid, ch = pos
        if tid not in self.tracks:
            raise InputError(f"track {tid!r} is not in the rail network")
        return tid, min(max(float(ch), 0.0), self._length[tid])

    def _segment(self, pos: Position) -> tuple[Node, Node]:
        tid, ch = pos
        cuts = self._cuts[tid]
        i = min(max(bisect.bisect_right(cuts, ch) - 1, 0), len(cuts) - 2)
        return (tid, cuts[i]), (tid, cuts[i + 1])

    def _dijkstra_uncached(self, node: Node) -> tuple[dict[Node, float], dict[Node, list[Node]]]:
        return nx.single_source_dijkstra(self.graph, node, weight="weight")

    def country_at(self, pos: Position) -> str | None:
        """The country of the stretch holding a position."""
        pos = self._check(pos)
        u, v = self._segment(pos)
        return self.graph.edges[u, v]["country"]

    def point(self, pos: Position) -> Point:
        """The lon/lat point of a position."""
        pos = self._check(pos)
        return geo.reproject(self._point_m(*pos), self.crs, geo.WGS84)

    def route(self, a: Position, b: Position) -> Route | None:
        """Shortest route along the rails from a to b, or None when they are not connected."""
        a, b = self._check(a), self._check(b)
        best: tuple[float, list[Leg]] | None = None
        if a[0] == b[0]:
            best = (abs(a[1] - b[1]), [Leg(a[0], a[1], b[1])])
        for u in self._segment(a):
            dist, paths = self._dijkstra(u)
            for v in self._segment(b):
                if v not in dist:
                    continue
                total = abs(a[1] - u[1]) + dist[v] + abs(v[1] - b[1])
                if best is None or total < best[0] - 1e-6:
                    best = (total, self._legs(a, paths[v], b))
        if best is None:
            return None
        total, legs = best
        return Route(total, legs, *self._along(legs))

    def distance_m(self, a: Position, b: Position) -> float:
        """Metres along the rails from a to b (inf when not connected)."""
        r = self.route(a, b)
        return r.distance_m if r else float("inf")

    def _legs(self, a: Position, path: list[Node], b: Position) -> list[Leg]:
        legs = [Leg(a[0], a[1], path[0][1])]
        for u, v in zip(path, path[1:], strict=False):
            if self.graph.edges[u, v]["track"] is None:
                legs.append(Leg(v[0], v[1], v[1]))
            else:
                legs.append(Leg(u[0], u[1], v[1]))
        legs.append(Leg(b[0], path[-1][1], b[1]))
        merged: list[Leg] = []
        for leg in legs:
            if merged and merged[-1].track == leg.track and abs(merged[-1].to_m - leg.from_m) < 1e-3:
                merged[-1].to_m = leg.to_m
            elif merged and merged[-1].track == leg.track and leg.from_m == leg.to_m:
                continue
            else:
                merged.append(Leg(leg.track, leg.from_m, leg.to_m))
        return [leg for leg in merged if abs(leg.to_m - leg.from_m) > 1e-6 or len(merged) == 1]

    def _along(self, legs: list[Leg]) -> tuple[list[Landmark], list[str], bool]:
        passed: list[Landmark] = []
        for leg in legs:
            lo, hi = sorted((leg.from_m, leg.to_m))
            on = [
                lm
                for lm in self.landmarks
                if lm.track == leg.track and lo - 1e-3 <= lm.chainage_m <= hi + 1e-3
            ]
            on.sort(key=lambda lm: abs(lm.chainage_m - leg.from_m))
            passed.extend(lm for lm in on if lm not in passed)
        ordered = _ordered_countries(legs, self)
        crossed = len(set(ordered)) > 1 or any(lm.kind in BORDER_KINDS for lm in passed)
        return passed, ordered, crossed

    def landmarks_near(
        self, pos: Position, max_m: float = 10_000.0, kinds: Iterable[str] | None = None
    ) -> list[tuple[Landmark, float]]:
        """Landmarks within `max_m` along the rails, nearest first, with their distance in metres."""
        wanted = set(kinds) if kinds else None
        out: list[tuple[Landmark, float]] = []
        for lm in self.landmarks:
            if wanted and lm.kind not in wanted:
                continue
            d = self.distance_m(pos, (lm.track, float(lm.chainage_m)))
            if d <= max_m:
                out.append((lm, d))
        out.sort(key=lambda x: x[1])
        return out


def _ordered_countries(legs: list[Leg], net: Network) -> list[str]:
    """Countries met along the legs in travel order, repeats collapsed."""
    seq: list[str] = []
    for leg in legs:
        lo, hi = sorted((leg.from_m, leg.to_m))
        stretches = []
        for _, _, d in net.graph.edges(data=True):
            if d["track"] != leg.track:
                continue
            if (d["start_m"] < hi and d["end_m"] > lo) or (lo == hi and d["start_m"] <= lo <= d["end_m"]):
                mid = (max(lo, d["start_m"]) + min(hi, d["end_m"])) / 2.0
                stretches.append((abs(mid - leg.from_m), d["country"]))
        for _, c in sorted(stretches, key=lambda s: s[0]):
            if c and (not seq or seq[-1] != c):
                seq.append(c)
    return seq


def at_site(consist_site: str | None, track_id: str, site_id: str, network: Network | None = None) -> bool:
    """Whether a sighting belongs to a site: seen for that site, or standing on one of its tracks (a
    scene analysed for a combined site still stands on its parts' tracks)."""
    if consist_site == site_id:
        return True
    track = network.tracks.get(track_id) if network is not None else None
    return track is not None and track.site == site_id


def landmark_key(lm: Landmark) -> str:
    """A landmark id unique across sites ('khasan/station'): catalog ids repeat from site to site."""
    if lm.site and not lm.id.startswith(f"{lm.site}/"):
        return f"{lm.site}/{lm.id}"
    return lm.id


def from_sites(sites: Iterable[Site], tol_m: float = JOIN_TOL_M) -> Network:
    """One network from the tracks and landmarks of several sites (shared tracks counted once)."""
    tracks: dict[str, Track] = {}
    landmarks: dict[str, Landmark] = {}
    for s in sites:
        for t in s.tracks:
            if t.kind in NOT_RAIL:
                continue
            tracks.setdefault(t.id, t)
        for lm in s.landmarks:
            lm = lm if lm.site else replace(lm, site=_home_site(lm, s))
            landmarks.setdefault(landmark_key(lm), lm)
    unique: dict[tuple[object, ...], Landmark] = {}
    for lm in landmarks.values():  # a combined site repeats its parts' landmarks under its own id
        where = (
            (lm.track, round(lm.chainage_m))
            if lm.chainage_m is not None
            else (round(lm.point.x, 5), round(lm.point.y, 5))
        )
        unique.setdefault((lm.kind, lm.name, *where), lm)
    return Network(tracks.values(), unique.values(), tol_m=tol_m)


def _home_site(lm: Landmark, site: Site) -> str:
    """The site a landmark belongs to: its track's site when a combined site lists it."""
    for t in site.tracks:
        if t.id == lm.track and t.site:
            return t.site
    return site.id
