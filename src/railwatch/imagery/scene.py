"""Open an image as a `Scene`: georeference, ground sample distance in metres, lon/lat footprint,
acquisition time and content hash. Reads metadata and a small pixel sample, never the full raster.

Formats: GeoTIFF/COG in any CRS (rotated transforms and GCPs included) and anything else GDAL reads,
plus PNG/JPEG with a world file. A world file without a CRS (.prj / .aux.xml) is taken as lon/lat
when its numbers look like degrees, otherwise as metres in an unnamed local frame (GSD only, no
footprint). A plain PNG/JPEG needs `gsd_m`. Remote images (http(s)://, s3://, gs://, /vsi paths) are
read through GDAL's range requests; their sidecars are not looked for, and their `sha256` is a
fingerprint (`imagery.source.fingerprint`), not a hash of every byte."""

from __future__ import annotations

import hashlib
import math
import warnings
from datetime import datetime
from pathlib import Path

import numpy as np
import rasterio
from affine import Affine
from rasterio.crs import CRS
from rasterio.errors import NotGeoreferencedWarning, RasterioError
from rasterio.transform import from_gcps
from rasterio.windows import Window

from railwatch.errors import GeoreferenceError, ImageError, InputError
from railwatch.imagery import ground, sidecar, source, timestamps
from railwatch.records import Scene

SAMPLE_PX = 256
"""Longest side of the decimated read that checks the pixels are readable and not all nodata."""

_TIFF_SUFFIXES = {".tif", ".tiff", ".gtif", ".gtiff"}


def sha256(path: str | Path, chunk_bytes: int = 1 << 20) -> str:
    """Hex SHA-256 of a file's contents, read in chunks (images can be gigabytes)."""
    h = hashlib.sha256()
    with Path(path).open("rb") as f:
        while block := f.read(chunk_bytes):
            h.update(block)
    return h.hexdigest()


def open(path: str | Path, gsd_m: float | None = None, time: datetime | str | None = None) -> Scene:  # noqa: A001
    """Read an image's metadata into a Scene. `gsd_m` overrides the georeference's pixel size (and is
    required for images without one); `time` overrides any time found in the file."""
    name = str(path)
    remote = source.is_remote(path)
    p = Path(name) if remote else Path(path).expanduser()
    if not remote:
        if not p.exists():
            raise ImageError("no such file", path=name)
        if not p.is_file():
            raise ImageError("not a file", path=name)
        if p.stat().st_size == 0:
            raise ImageError("empty file (0 bytes)", path=name)
    if gsd_m is not None and not (math.isfinite(gsd_m) and gsd_m > 0):
        raise InputError(f"GSD must be a positive number of metres, not {gsd_m}", path="--gsd")

    with warnings.catch_warnings(), source.env(path):
        warnings.simplefilter("ignore", NotGeoreferencedWarning)
        try:
            ds = rasterio.open(source.gdal_path(path) if remote else p)
        except RasterioError as exc:
            raise ImageError(f"not a readable image ({_first_line(exc)})", path=name) from None
        with ds:
            if ds.width == 0 or ds.height == 0 or ds.count == 0:
                raise ImageError(f"image has no pixels ({ds.width}x{ds.height}, {ds.count} bands)",
                                 path=name)
            sample = _check_pixels(ds, name, remote)
            transform, crs = _georeference(ds, None if remote else p)
            digest = source.fingerprint(ds, sample) if remote else sha256(p)
            tags = {**ds.tags(), **_imagery_tags(ds)}
            width, height, count, dtype = ds.width, ds.height, ds.count, ds.dtypes[0]
            driver = ds.driver

    if transform is None:
        if gsd_m is None:
            what = "TIFF" if p.suffix.lower() in _TIFF_SUFFIXES or driver == "GTiff" else "image"
            raise GeoreferenceError(
                f"{what} has no usable georeference (no CRS, or no transform/world file); pass --gsd M "
                "to count it without placing it on a map", path=name)
        footprint = None
    elif crs is None:  # world file in an unnamed metric frame
        footprint = None
        if gsd_m is None:
            gsd_m = (math.hypot(transform.a, transform.d) + math.hypot(transform.b, transform.e)) / 2
    else:
        footprint = ground.footprint(transform, crs.to_wkt(), width, height)
        if gsd_m is None:
            gsd_m = ground.gsd_m(transform, crs.to_wkt(), width, height)

    acquired, time_source, platform, cloud_cover = _when(p, time, tags, sidecars=not remote)
    return Scene(
        path=name if remote else str(p.resolve()),
        sha256=digest,
        acquired=acquired,
        gsd_m=float(gsd_m),
        crs=crs.to_wkt() if crs is not None else None,
        footprint=footprint,
        width=width,
        height=height,
        band_count=count,
        dtype=dtype,
        time_source=time_source,
        source=platform,
        cloud_cover=cloud_cover,
    )


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def _check_pixels(ds: rasterio.DatasetReader, name: str, remote: bool = False) -> np.ma.MaskedArray:
    """Read a decimated sample and the last block: catches truncated files and all-nodata images.
    Returns the sample. A remote image without overviews gives its centre block as the sample
    (a decimated read of it would fetch every block)."""
    scale = max(ds.width, ds.height) / SAMPLE_PX
    step = max(scale, 1.0)
    shape = (ds.count, max(1, math.ceil(ds.height / step)), max(1, math.ceil(ds.width / step)))
    bh, bw = ds.block_shapes[0]
    try:
        if remote and step > 1 and not ds.overviews(1):
            r0, c0 = (ds.height // 2 // bh) * bh, (ds.width // 2 // bw) * bw
            sample = ds.read(window=Window(c0, r0, min(bw, ds.width - c0), min(bh, ds.height - r0)),
                             masked=True)
        else:
            sample = ds.read(out_shape=shape, masked=True)
        row0, col0 = ((ds.height - 1) // bh) * bh, ((ds.width - 1) // bw) * bw
        ds.read(window=Window(col0, row0, min(bw, ds.width - col0), min(bh, ds.height - row0)))
    except RasterioError as exc:
        raise ImageError(f"corrupt or truncated image ({_first_line(exc)})", path=name) from None
    valid = ~np.ma.getmaskarray(sample)
    if np.issubdtype(sample.dtype, np.floating):
        valid &= np.isfinite(np.ma.getdata(sample))
    if not valid.any():
        raise ImageError("image holds no valid pixels (all nodata)", path=name)
    return sample


def _georeference(ds: rasterio.DatasetReader, p: Path | None) -> tuple[Affine | None, CRS | None]:
    """(transform, crs) from the dataset, its GCPs, or a world file (+ .prj) beside local file `p`;
    (None, None) if none."""
    transform, crs = ds.transform, ds.crs
    if transform.is_identity:
        gcps, gcp_crs = ds.gcps
        if gcps and len(gcps) >= 3:
            transform, crs = from_gcps(gcps), gcp_crs or crs
        else:
            transform = None
    if transform is not None and (transform.determinant == 0 or not all(map(math.isfinite, transform))):
        raise GeoreferenceError("geotransform is degenerate (zero or non-finite pixel size)",
                                path=str(p or ds.name))
    if transform is not None and crs is None and p is None:
        return None, None  # a remote image's transform without a CRS: no sidecar can name its units
    if crs is None and transform is not None:
        crs = sidecar.prj_crs(p)
    if transform is not None and crs is None:
        if p.suffix.lower() in _TIFF_SUFFIXES and sidecar.world_file(p) is None:
            return None, None  # a transform in unknown units places nothing: treat as not georeferenced
        if _looks_like_degrees(transform, ds.width, ds.height):
            crs = CRS.from_epsg(4326)
    return transform, crs


def _looks_like_degrees(transform: Affine, width: int, height: int) -> bool:
    xs, ys = zip(*(transform @ (c, r) for c in (0, width) for r in (0, height)), strict=True)
    small = max(abs(transform.a), abs(transform.b), abs(transform.d), abs(transform.e)) < 1e-3
    return small and all(-180 <= x <= 360 for x in xs) and all(-90 <= y <= 90 for y in ys)


def _imagery_tags(ds: rasterio.DatasetReader) -> dict[str, str]:
    try:
        return dict(ds.tags(ns="IMAGERY"))
    except RasterioError:
        return {}


def _when(p: Path, time: datetime | str | None, tags: dict[str, str], sidecars: bool = True
          ) -> tuple[datetime | None, str, str | None, float | None]:
    """(acquired, time_source, source, cloud_cover): the argument, then tags, STAC sidecar (of a local
    file), file name."""
    source = tags.get("SATELLITEID") or None
    cloud = _cloud(tags.get("CLOUDCOVER"))
    stac = sidecar.stac_item(p) if sidecars else None
    if stac is not None:
        props = stac[0]["properties"]
        source = source or props.get("platform") or props.get("constellation")
        cloud = cloud if cloud is not None else _cloud(props.get("eo:cloud_cover"))
    if time is not None:
        t = timestamps.parse_time(time) if isinstance(time, str) else timestamps.as_utc(time)
        return t, "argument", source, cloud
    found = timestamps.from_tags(tags)
    if found is not None:
        return found[0], "tag", source, cloud
    if stac is not None:
        t = timestamps.from_stac(stac[0])
        if t is not None:
            return t, "stac", source, cloud
    t = timestamps.from_name(p.name)
    if t is not None:
        return t, "filename", source, cloud
    return None, "unknown", source, cloud


def _cloud(value: object) -> float | None:
    try:
        c = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return c if 0.0 <= c <= 100.0 else None
