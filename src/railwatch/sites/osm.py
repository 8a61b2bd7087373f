"""Sites from OpenStreetMap: OSM XML (.osm) or Overpass JSON, told apart by content.

* Ways tagged railway=rail/siding/yard/spur become tracks `SITE/osm-way-ID`; `service=siding|yard|spur`
  (or the railway value) sets the track kind; `gauge=1520;1435` means dual gauge (0).
* Nodes tagged railway=station (or public_transport=station + train=yes) become station landmarks.
* Wherever a track crosses a way tagged boundary=administrative + admin_level=2 (or a member way of
  such a relation) a `border` landmark is placed at the intersection.
A track's country comes from its is_in:country_code / is_in:country / addr:country tags, else None.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shapely.geometry import LineString, Point

from railwatch.errors import TrackFileError
from railwatch.geo import distance_m
from railwatch.records import Landmark, Site, Track
from railwatch.sites import build

RAIL_VALUES = ("rail", "siding", "yard", "spur")
"""railway=* values that are tracks railcars stand on."""

_COUNTRY_TAGS = ("is_in:country_code", "is_in:country", "addr:country", "country")


@dataclass
class Network:
    """The raw OSM elements a site is built from: node positions, ways, relations."""

    nodes: dict[int, tuple[float, float]] = field(default_factory=dict)
    node_tags: dict[int, dict[str, str]] = field(default_factory=dict)
    ways: dict[int, tuple[list[int], dict[str, str]]] = field(default_factory=dict)
    relations: list[tuple[list[int], dict[str, str]]] = field(default_factory=list)


def read_osm(path: str | Path, site_id: str | None = None) -> Site:
    """Read a site from an OSM XML or Overpass JSON file (detected by content)."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        raise TrackFileError("no such file", path=str(p)) from None
    except OSError as exc:
        raise TrackFileError(f"cannot read file: {exc}", path=str(p)) from None
    head = data.lstrip()[:1]
    if head == b"<":
        net = _parse_xml(data, str(p))
    elif head == b"{":
        net = _parse_overpass(data, str(p))
    else:
        raise TrackFileError("neither OSM XML nor Overpass JSON", path=str(p))
    return site_from_network(net, site_id or build.slug(p.stem), source=str(p))


def _parse_xml(data: bytes, source: str) -> Network:
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise TrackFileError(f"OSM XML does not parse: {exc}", path=source) from None
    if root.tag != "osm":
        raise TrackFileError(f"not OSM XML (root element <{root.tag}>)", path=source)
    net = Network()
    try:
        for el in root:
            tags = {t.attrib["k"]: t.attrib["v"] for t in el.findall("tag")}
            if el.tag == "node":
                nid = int(el.attrib["id"])
                net.nodes[nid] = (float(el.attrib["lon"]), float(el.attrib["lat"]))
                net.node_tags[nid] = tags
            elif el.tag == "way":
                net.ways[int(el.attrib["id"])] = ([int(nd.attrib["ref"]) for nd in el.findall("nd")], tags)
            elif el.tag == "relation":
                refs = [int(m.attrib["ref"]) for m in el.findall("member") if m.attrib.get("type") == "way"]
                net.relations.append((refs, tags))
    except (KeyError, ValueError) as exc:
        raise TrackFileError(f"malformed OSM element: {exc}", path=source) from None
    return net


def _parse_overpass(data: bytes, source: str) -> Network:
    try:
        obj = json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise TrackFileError(f"malformed JSON: {exc}", path=source) from None
    elements = obj.get("elements") if isinstance(obj, dict) else None
    if not isinstance(elements, list):
        raise TrackFileError("not Overpass JSON (no 'elements' list)", path=source)
    net = Network()
    try:
        for el in elements:
            tags = {str(k): str(v) for k, v in (el.get("tags") or {}).items()}
            kind = el.get("type")
            if kind == "node":
                nid = int(el["id"])
                net.nodes[nid] = (float(el["lon"]), float(el["lat"]))
                net.node_tags[nid] = tags
            elif kind == "way":
                refs = [int(r) for r in el.get("nodes", [])]
                for ref, g in zip(
                    refs, el.get("geometry") or [], strict=False
                ):  # `out geom` inlines positions
                    net.nodes.setdefault(ref, (float(g["lon"]), float(g["lat"])))
                net.ways[int(el["id"])] = (refs, tags)
            elif kind == "relation":
                refs = [int(m["ref"]) for m in el.get("members", []) if m.get("type") == "way"]
                net.relations.append((refs, tags))
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise TrackFileError(f"malformed Overpass element: {exc!r}", path=source) from None
    return net


def _is_border(tags: dict[str, str]) -> bool:
    return tags.get("boundary") == "administrative" and tags.get("admin_level") == "2"


def _is_station(tags: dict[str, str]) -> bool:
    return tags.get("railway") == "station" or (
        tags.get("public_transport") == "station" and tags.get("train") == "yes"
    )


def _gauge(tags: dict[str, str]) -> int | None:
    parts = [g.strip() for g in tags.get("gauge", "").split(";") if g.strip()]
    if len(parts) > 1:
        return 0
    return int(parts[0]) if parts and parts[0].isdigit() else None


def _country(tags: dict[str, str]) -> str | None:
    for key in _COUNTRY_TAGS:
        if tags.get(key):
            return tags[key].upper() if len(tags[key]) == 2 else tags[key]
    return None


def _way_line(net: Network, refs: list[int], source: str, what: str) -> LineString | None:
    coords = [net.nodes[r] for r in refs if r in net.nodes]
    if len(coords) < 2:
        return None
    return build.line(coords, source, what)


def site_from_network(net: Network, site_id: str, source: str = "<osm>") -> Site:
    """OSM elements as a Site: rail ways -> tracks, stations and border crossings -> landmarks."""
    tracks: list[Track] = []
    for wid, (refs, tags) in sorted(net.ways.items()):
        if tags.get("railway") not in RAIL_VALUES:
            continue
        geom = _way_line(net, refs, source, f"way {wid}")
        if geom is None:
            continue
        service = tags.get("service")
        kind = service if service in ("siding", "yard", "spur") else tags["railway"]
        tracks.append(
            Track(
                id=build.prefixed(site_id, f"osm-way-{wid}"),
                line=geom,
                site=site_id,
                gauge_mm=_gauge(tags),
                country=_country(tags),
                kind="rail" if kind == "rail" else kind,
                geometry_quality="osm",
                name=tags.get("name"),
            )
        )
    if not tracks:
        raise TrackFileError("no railway ways (railway=rail/siding/yard/spur) in the file", path=source)

    marks: list[Landmark] = []
    for nid, tags in sorted(net.node_tags.items()):
        if _is_station(tags):
            lon, lat = build.check_lonlat([net.nodes[nid]], source, f"node {nid}")[0]
            lm = Landmark(
                id=f"osm-node-{nid}",
                name=tags.get("name:en") or tags.get("name") or f"station {nid}",
                kind="station",
                point=Point(lon, lat),
                site=site_id,
                country=_country(tags),
            )
            marks.append(build.snap(lm, tracks, tolerance_m=150.0))
    marks.extend(_border_points(net, tracks, site_id, source))
    return Site(
        id=site_id,
        name=site_id,
        aoi=build.aoi(tracks, marks),
        countries=build.countries_of(tracks, marks),
        tracks=tracks,
        landmarks=marks,
        description=f"imported from {Path(source).name}",
    )


def _border_points(net: Network, tracks: list[Track], site_id: str, source: str) -> list[Landmark]:
    """A border landmark at every point where a track crosses an admin_level=2 boundary way."""
    border_ways = {wid for wid, (_, tags) in net.ways.items() if _is_border(tags)}
    for refs, tags in net.relations:
        if _is_border(tags):
            border_ways.update(r for r in refs if r in net.ways)
    lines = [
        g for wid in sorted(border_ways) if (g := _way_line(net, net.ways[wid][0], source, f"way {wid}"))
    ]
    found: list[Landmark] = []
    for t in tracks:
        for b in lines:
            for pt in _points(t.line.intersection(b)):
                if any(distance_m(pt, lm.point) < 1.0 for lm in found):
                    continue
                lm = Landmark(
                    id=f"border-{len(found) + 1}",
                    name="national border",
                    kind="border",
                    point=pt,
                    site=site_id,
                    country=t.country,
                )
                found.append(build.snap(lm, [t], tolerance_m=1.0))
    return found


def _points(geom: Any) -> list[Point]:
    if geom.is_empty:
        return []
    if geom.geom_type == "Point":
        return [geom]
    if hasattr(geom, "geoms"):
        return [p for g in geom.geoms for p in _points(g)]
    if geom.geom_type == "LineString":  # collinear overlap: take its start
        return [Point(geom.coords[0])]
    return []
