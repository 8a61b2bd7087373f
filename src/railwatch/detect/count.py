"""`railwatch.count`: railcars by type per track of one image, with intervals and coverage.

tracks -> metric lines -> corridor strips (windowed reads) -> 0-1 stretch -> site co-registration
-> occupancy -> cars (split or length-based) -> types -> CountResult (the DESIGN.md contract).
"""

from __future__ import annotations

import math
import warnings
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import rasterio
from affine import Affine
from pyproj import CRS
from rasterio.errors import NotGeoreferencedWarning, RasterioIOError
from shapely.geometry import LineString, Point, mapping
from shapely.ops import transform as shp_transform

from railwatch.detect import bytype, castshadow, doubt, estimate, occupancy, shared, sunlit, trackfile
from railwatch.detect import cars as car_mod
from railwatch.detect.estimate import Estimate, Spread
from railwatch.errors import GeoreferenceError, ImageError, InputError
from railwatch.geo import WGS84, reproject, utm_crs
from railwatch.imagery import coreg, corridor, source, sun, timestamps
from railwatch.records import CAR_TYPES, Car, Track, TrackCount

STRIP_HALF_M = 10.0
"""Half width of the corridor read around each track: car (1.6 m) + co-registration search (6 m)."""
DETECT_HALF_M = 6.0
MIN_STEP_M = 0.25


@dataclass
class CountResult:
    """The count on every track of one image (DESIGN.md contract via `to_dict`)."""

    image: str
    gsd_m: float
    tracks: list[TrackCount]
    cars: list[Car]
    shift_m: tuple[float, float] = (0.0, 0.0)
    georeferenced: bool = True
    warnings: list[str] = field(default_factory=list)

    @property
    def railcars(self) -> list[Car]:
        return [c for c in self.cars if not c.is_locomotive]

    @property
    def total(self) -> int:
        return sum(t.cars for t in self.tracks)

    spreads: dict[str, Spread] = field(default_factory=dict)
    """Per track id, how its interval splits into independent and shared parts (`estimate.Spread`)."""
    doubts: dict[str, doubt.Doubt] = field(default_factory=dict)
    """Per track id, the cars its interval was widened by and why (`doubt.Doubt`; split path only)."""

    @property
    def total_low(self) -> int:
        """Low end of the scene's 90 % interval: no lower than the sum of the tracks' low ends."""
        return self.total_interval[0]

    @property
    def total_high(self) -> int:
        """High end of the scene's 90 % interval: no higher than the sum of the tracks' high ends."""
        return self.total_interval[1]

    @property
    def total_interval(self) -> tuple[int, int]:
        """The scene's 90 % interval (`estimate.total_interval` of its tracks and their spreads)."""
        return estimate.total_interval(
            [(t.cars, t.cars_low, t.cars_high, self.spreads.get(t.id)) for t in self.tracks]
        )

    @property
    def locomotives(self) -> int:
        return sum(t.locomotives for t in self.tracks)

    types_read: bool = True
    """Whether car types were read from the pixels (sub-metre GSD); coarser, every car is 'unknown'."""

    @property
    def by_type(self) -> dict[str, int]:
        """Railcars of each type as typed (the most probable type of each car, or 'unknown')."""
        out: dict[str, int] = {}
        for t in self.tracks:
            for k, v in t.by_type.items():
                out[k] = out.get(k, 0) + v
        return out

    @property
    def by_type_interval(self) -> dict[str, bytype.TypeCount]:
        """Per type, the scene's expected railcars and 90 % interval (`detect.bytype`) from every car's type
        probabilities and the scene's count interval; empty when types are not read."""
        low, high = self.total_interval
        return bytype.type_counts(self.cars, low, high, read=self.types_read)

    def type_majority(self) -> tuple[str, float] | None:
        """(type, probability it is more than half of the scene's railcars), or None (types not read)."""
        return bytype.majority(self.by_type_interval, self.total)

    def to_dict(self) -> dict[str, Any]:
        """The `railwatch count --json` object."""
        typed = self.by_type_interval
        return {
            "image": self.image,
            "gsd_m": round(float(self.gsd_m), 3),
            "total": int(self.total),
            "total_low": int(self.total_low),
            "total_high": int(self.total_high),
            "locomotives": int(self.locomotives),
            "by_type": self.by_type,
            "by_type_low": {k: v.low for k, v in typed.items()},
            "by_type_high": {k: v.high for k, v in typed.items()},
            "tracks": [t.to_dict() for t in self.tracks],
            "cars": [c.to_dict() for c in self.cars],
        }

    def to_geojson(self) -> dict[str, Any]:
        """Car footprints with every attribute, for QGIS (lon/lat, or pixel col/row if unreferenced)."""
        feats = []
        for c in self.cars:
            if c.footprint is None:
                continue
            props = c.to_dict() | {"length_m": round(c.length_m, 2), "locomotive": c.is_locomotive}
            feats.append({"type": "Feature", "geometry": mapping(c.footprint), "properties": props})
        doc: dict[str, Any] = {
            "type": "FeatureCollection",
            "features": feats,
            "railwatch": {"image": self.image, "gsd_m": self.gsd_m, "shift_m": list(self.shift_m)},
        }
        if not self.georeferenced:
            doc["railwatch"]["note"] = "image is not georeferenced: coordinates are pixel (col, row)"
        return doc


@dataclass
class _Image:
    raster: corridor.Raster
    name: str
    dtype: str
    georeferenced: bool
    gsd_m: float
    sun: tuple[float, float] | None = None
    """(azimuth_deg, elevation_deg) when the metadata states it or the time and place give it."""


def count(image: Any, tracks: Any = None, gsd: float | None = None, *, progress: bool = False,
          time: datetime | None = None) -> CountResult:
    """Count railcars on the tracks of one image (a path or an open rasterio dataset).

    `tracks`: Track list, Site, TRACKS.geojson path, or None to discover tracks from the pixels.
    `gsd`: metres per pixel; required for an image without a CRS (its tracks are then in pixel
    col/row coordinates). `time`: acquisition time (UTC-aware), else read from the image's tags or
    file name; with the place it gives the sun's position, where shadows are expected to fall.
    """
    with ExitStack() as stack:
        img = _open(image, gsd, stack, time)
        track_list = trackfile.load(tracks) if tracks is not None else _discover(img)
        return _count(img, track_list, progress)


def _open(image: Any, gsd: float | None, stack: ExitStack, time: datetime | None = None) -> _Image:
    if isinstance(image, rasterio.io.DatasetReaderBase):
        ds = image
    else:
        path = Path(image)
        remote = source.is_remote(image)
        if not remote and not path.exists():
            raise ImageError("no such file", path=str(path))
        stack.enter_context(source.env(image))  # held while the corridors are read
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", NotGeoreferencedWarning)
                ds = stack.enter_context(rasterio.open(source.gdal_path(image) if remote else path))
        except RasterioIOError as exc:
            raise ImageError(
                f"cannot read as an image ({str(exc).splitlines()[0][:120]})", path=str(image)
            ) from None
    name = str(ds.name) if ds is image else str(image)  # a URL as given, not GDAL's /vsicurl/ path
    if ds.width < 2 or ds.height < 2:
        raise ImageError("image is empty", path=name)
    if gsd is not None and (not math.isfinite(gsd) or gsd <= 0):
        raise InputError(f"--gsd must be a positive number of metres, not {gsd}", path=name)
    if ds.crs is None:
        if gsd is None:
            gsd = _estimate_gsd(ds, name)
        local = Affine(gsd, 0.0, 0.0, 0.0, -gsd, 0.0)
        r = corridor.raster(ds, transform=local, crs=None)
        return _Image(r, name, ds.dtypes[0], False, float(gsd))
    r = corridor.raster(ds)
    native = r.gsd_m
    if ds.crs.is_geographic:
        c = ds.transform * (ds.width / 2, ds.height / 2)
        native = native * 111_320.0 * math.sqrt(abs(math.cos(math.radians(c[1]))))
    elif ds.crs.linear_units_factor:
        native = native * float(ds.crs.linear_units_factor[1])
    return _Image(r, name, ds.dtypes[0], True, float(gsd) if gsd else float(native), _sun(ds, name, time))


def _sun(ds: Any, name: str, time: datetime | None) -> tuple[float, float] | None:
    """The sun's (azimuth_deg, elevation_deg) for a georeferenced image: stated in its tags, else from
    its acquisition time (argument, tags, file name) at its centre; None when the time is unknown."""
    tags = ds.tags()
    stated = sun.from_tags(tags)
    if stated is not None:
        return stated
    if time is None:
        found = timestamps.from_tags(tags)
        time = found[0] if found else timestamps.from_name(Path(name).name)
    if time is None:
        return None
    x, y = ds.transform @ (ds.width / 2, ds.height / 2)
    lon, lat = reproject(Point(x, y), CRS.from_user_input(ds.crs), WGS84).coords[0]
    az, el = sun.position(lon, lat, timestamps.as_utc(time))
    return (az, el) if el > 0 else None


def _estimate_gsd(ds: Any, name: str) -> float:
    """GSD of an unreferenced image measured from its track spacing (`railwatch.detect.gsd`)."""
    from railwatch.detect.gsd import estimate_gsd

    arr = ds.read(indexes=list(corridor.colour_bands(ds))).astype(np.float32)
    hi = float(np.percentile(arr, 99.5)) or 1.0
    try:
        gsd_m, _ = estimate_gsd(np.clip(arr / hi, 0.0, 1.0))
    except ValueError as exc:
        raise GeoreferenceError(
            f"image has no CRS and its GSD cannot be measured from the pixels ({exc}); give --gsd",
            path=name,
        ) from None
    return gsd_m


def _metric_line(img: _Image, track: Track) -> tuple[LineString, CRS | None]:
    """The track in a true-metre frame: its UTM zone (georeferenced) or the local pixel*gsd frame."""
    if not img.georeferenced:
        g = img.gsd_m
        return shp_transform(lambda x, y: (np.asarray(x) * g, -np.asarray(y) * g), track.line), None
    c = track.line.centroid
    crs = utm_crs(c.x, c.y)
    return reproject(track.line, WGS84, crs), crs


def _count(img: _Image, tracks: list[Track], progress: bool) -> CountResult:
    step = max(img.gsd_m, MIN_STEP_M)
    notes: list[str] = []
    strips: list[corridor.Strip | None] = []
    frames: list[CRS | None] = []
    lines: list[LineString] = []
    lengths: list[float] = []
    from rich.progress import Progress

    from railwatch.cli.app import console

    with Progress(console=console, transient=True, disable=not progress) as bar:
        task = bar.add_task("reading corridors", total=len(tracks))
        for t in tracks:
            line, crs = _metric_line(img, t)
            lengths.append(t.length_m if img.georeferenced else float(line.length))
            lines.append(line)
            strip = corridor.sample(img.raster, line, STRIP_HALF_M, step, line_crs=crs)
            frames.append(crs)
            if not strip.valid.any():
                notes.append(f"track {t.id} does not overlap the image (coverage 0)")
                strips.append(None)
            else:
                strips.append(strip)
            bar.advance(task)
    seen = [s for s in strips if s is not None]
    corridor.stretch(seen, img.dtype)
    catalog = all(t.geometry_quality != "discovered" for t in tracks)
    shift = coreg.estimate(seen, ends=catalog) if seen else coreg.Shift(0.0, 0.0)
    shifted = [s.shifted(shift.dx_m, shift.dy_m, DETECT_HALF_M) if s is not None else None for s in strips]
    model = occupancy.empty_model([s for s in shifted if s is not None])
    # sunny sub-metre imagery with long shadows: cars from their shadows (see sunlit.py)
    sunlight = sunlit.sun([s for s in shifted if s is not None], img.gsd_m, img.sun, catalog=catalog)
    owned = shared.shared_mask(lines, lengths, [t.id for t in tracks])
    # Neighbours' shadows and turnouts are reasoned about between known tracks only: discovered
    # centrelines include wagon edges and doubled lines, which would read as a neighbour beside every wagon.
    known = [t.geometry_quality != "discovered" for t in tracks]
    fouled = shared.fouled_mask([ln if k else None for ln, k in zip(lines, known, strict=True)])
    occs = _occupancies(shifted, model, known, img.sun)
    abreast = castshadow.cars_abreast(shifted, occs, known)
    ests: list[Estimate | None] = []
    doubts: dict[str, doubt.Doubt] = {}
    for t, s, crs, mask, foul, occ, held in zip(
        tracks, shifted, frames, owned, fouled, occs, abreast, strict=True
    ):
        est = (
            car_mod.estimate(s, img.gsd_m, model=model, track=t.id, occupancy=occ) if s is not None else None
        )
        if est is None:
            ests.append(None)
            continue
        if sunlight is not None:
            est = sunlit.estimate(s, img.gsd_m, sunlight, est, track=t.id)
        else:
            _drop(est, [c for c in est.cars if shared.owned_elsewhere(mask, c.start_m, c.end_m)])
            if img.gsd_m <= car_mod.FINE_M:  # coarser, turnout rails are unresolved and cars are lengths
                cut = shared.turnout_artefacts(foul, [(c.start_m, c.end_m) for c in est.cars])
                _drop(est, [est.cars[i] for i in cut])
            # split cars are counted one by one: a faint one that a cloud explains is left out (coarser,
            # cars are lengths of occupied track)
            doubts[t.id] = doubt.widen(est, s, uncount=img.gsd_m <= car_mod.FINE_M, abreast=held)
            if doubts[t.id].describe():
                notes.append(f"track {t.id}: interval widened, {doubts[t.id].describe()}")
        _place(est.cars, s, crs, img.gsd_m)
        ests.append(est)
    if sunlight is not None:
        # a wagon whose shadow falls on the wagon beside it casts no band of its own (sunlit.beside)
        live = [s if e is not None else None for s, e in zip(shifted, ests, strict=True)]
        so_far = [e.cars if e else [] for e in ests]
        found = sunlit.beside_rounds(live, sunlight, so_far, frames, [t.id for t in tracks])
        for s, crs, est, new in zip(shifted, frames, ests, found, strict=True):
            if est is not None and new:
                _place(new, s, crs, img.gsd_m)
                est.cars += new
        # discovered lines overlap (a wagon's rails and its shadow edge): one car per footprint
        for est, dup in zip(ests, sunlit.duplicates([e.cars if e else [] for e in ests]), strict=True):
            if est is not None:
                _drop(est, dup)
        sunlit.widen(ests)
    counts: list[TrackCount] = []
    types_read = img.gsd_m <= car_mod.FINE_M  # coarser, cars are lengths and their types are not read
    all_cars: list[Car] = []
    spreads: dict[str, Spread] = {}
    for t, s, est, length in zip(tracks, shifted, ests, lengths, strict=True):
        if s is None or est is None:
            counts.append(
                TrackCount(
                    id=t.id, length_m=length, coverage=0.0, cars=0, cars_low=0, cars_high=0, by_type={}
                )
            )
            continue
        locos = sum(1 for c in est.cars if c.is_locomotive)
        by_type = {k: 0 for k in CAR_TYPES if k != "locomotive"}
        for c in est.cars:
            if not c.is_locomotive:
                by_type[c.type] = by_type.get(c.type, 0) + 1
        n = len(est.cars) - locos
        low_n, high_n = min(n, max(0, est.low - locos)), max(n, est.high - locos)
        typed = bytype.type_counts(est.cars, low_n, high_n, read=types_read)
        cover = est.occupancy.coverage
        if 0 < cover < 0.99:
            notes.append(f"track {t.id}: only {cover:.0%} seen (cloud, shadow, nodata or image edge)")
        counts.append(
            TrackCount(
                id=t.id,
                length_m=length,
                coverage=cover,
                cars=n,
                cars_low=low_n,
                cars_high=high_n,
                by_type={k: v for k, v in by_type.items() if v},
                locomotives=locos,
                shift_m=(shift.dx_m, shift.dy_m),
                by_type_expected={k: round(v.expected, 2) for k, v in typed.items()},
                by_type_low={k: v.low for k, v in typed.items()},
                by_type_high={k: v.high for k, v in typed.items()},
                by_type_doubt={k: (round(v.stats.own, 4), round(v.stats.root, 4)) for k, v in typed.items()},
            )
        )
        all_cars.extend(est.cars)
        if est.spread is not None:
            spreads[t.id] = est.spread
    return CountResult(
        image=img.name,
        gsd_m=img.gsd_m,
        tracks=counts,
        cars=all_cars,
        shift_m=(shift.dx_m, shift.dy_m),
        georeferenced=img.georeferenced,
        warnings=notes,
        spreads=spreads,
        doubts=doubts,
        types_read=types_read,
    )


def _occupancies(
    strips: list[corridor.Strip | None],
    model: occupancy.EmptyModel | None,
    known: list[bool],
    sun_position: tuple[float, float] | None = None,
) -> list[occupancy.Occupancy | None]:
    """Occupancy of every track, less the rows that are a known neighbouring track's car shadow (cast
    where the sun's (azimuth_deg, elevation_deg) lets it fall, when known)."""
    # Rails are looked for on known tracks only: a discovered line may follow a wagon's edge.
    occs = [
        occupancy.measure(s, model, rails=k) if s is not None else None
        for s, k in zip(strips, known, strict=True)
    ]
    out: list[occupancy.Occupancy | None] = []
    for k, (s, occ) in enumerate(zip(strips, occs, strict=True)):
        if s is None or occ is None or not known[k]:
            out.append(occ)
            continue
        beside = [
            (o, oc)
            for j, (o, oc) in enumerate(zip(strips, occs, strict=True))
            if j != k and known[j] and o is not None and oc is not None
        ]
        one_side, whole_band = castshadow.explained_parts(s, occ, beside, sun_position)
        shadow = one_side | whole_band
        taken = replace(occ, occupied=occ.occupied & ~shadow, explained=one_side & occ.occupied)
        out.append(taken if shadow.any() else occ)
    return out


def _place(cars: list[Car], strip: corridor.Strip, crs: Any, gsd_m: float) -> None:
    """Give `cars` their footprints (lon/lat, or pixel col/row if unreferenced)."""
    fps = strip.footprints([(c.start_m, c.end_m) for c in cars])
    if crs is not None and fps:
        fps = list(reproject(np.array(fps, dtype=object), crs, WGS84))  # every vertex in one call
    for c, fp in zip(cars, fps, strict=True):
        c.footprint = fp if crs is not None else _to_pixels(fp, gsd_m)


def _drop(est: Estimate, cars: list[Car]) -> None:
    """Remove `cars` from a track's estimate, shrinking its interval and its spread with them."""
    estimate.drop(est, cars)


def _to_pixels(geom: Any, gsd: float) -> Any:
    return shp_transform(lambda x, y: (np.asarray(x) / gsd, -np.asarray(y) / gsd), geom)


def _discover(img: _Image) -> list[Track]:
    """Tracks found from the pixels by `railwatch.detect.discover` (whole image, decimated)."""
    try:
        from railwatch.detect.discover import discover_tracks
    except ImportError:
        raise InputError("no tracks given and track discovery unavailable", path=img.name) from None
    r = img.raster
    factor = max(1, int(math.ceil(max(r.width, r.height) / 4000)))
    from rasterio.windows import Window

    arr, valid = r.read(Window(0, 0, r.width, r.height), factor)
    strip_like = corridor.Strip(
        pixels=arr[:, None, :, :].reshape(arr.shape[0], arr.shape[1], arr.shape[2]),
        valid=valid,
        step_m=1.0,
        across_m=np.zeros(arr.shape[2]),
        x0=np.zeros(1),
        y0=np.zeros(1),
        tx=np.zeros(1),
        ty=np.zeros(1),
    )
    corridor.stretch([strip_like], img.dtype)
    lines = discover_tracks(strip_like.pixels.astype(np.float32), img.gsd_m * factor, valid)
    out: list[Track] = []
    for k, ln in enumerate(lines):
        px = shp_transform(
            lambda c, rr: ((np.asarray(c) + 0.5) * factor - 0.5, (np.asarray(rr) + 0.5) * factor - 0.5), ln
        )
        if img.georeferenced:
            tr = r.transform
            mapped = shp_transform(
                lambda c, rr, tr=tr: (
                    tr.a * (np.asarray(c) + 0.5) + tr.b * (np.asarray(rr) + 0.5) + tr.c,
                    tr.d * (np.asarray(c) + 0.5) + tr.e * (np.asarray(rr) + 0.5) + tr.f,
                ),
                px,
            )
            line = reproject(mapped, r.crs, WGS84)
        else:
            line = px
        out.append(Track(id=f"d{k + 1}", line=line, geometry_quality="discovered"))
    if not out:
        raise InputError("no tracks given and none could be discovered in the image", path=img.name)
    return out
