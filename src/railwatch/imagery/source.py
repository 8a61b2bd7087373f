"""Where an image lives: a local file, or a remote one (http(s)://, s3://, gs://, az:// or a GDAL /vsi
path) that GDAL reads block by block with range requests, so a corridor read never downloads the scene."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import rasterio

_SCHEMES = {"http://": "/vsicurl/", "https://": "/vsicurl/", "s3://": "/vsis3/", "gs://": "/vsigs/",
            "az://": "/vsiaz/"}

GDAL_REMOTE = {
    "GDAL_DISABLE_READDIR_ON_OPEN": "EMPTY_DIR",  # no directory listing per open (one request, not many)
    "CPL_VSIL_CURL_ALLOWED_EXTENSIONS": ".tif,.tiff,.TIF,.TIFF,.vrt,.jp2,.png,.jpg,.jpeg,.ovr,.xml",
    "GDAL_HTTP_MAX_RETRY": "2",
    "GDAL_HTTP_RETRY_DELAY": "1",
    "GDAL_HTTP_TIMEOUT": "60",
    "VSI_CACHE": "TRUE",
}
"""GDAL settings for remote reads: skip sidecar listings, retry briefly, cache blocks in memory."""


def is_remote(path: str | Path) -> bool:
    """True for URLs and GDAL virtual paths: they are not files on this machine."""
    text = str(path)
    return text.startswith("/vsi") or any(text.startswith(s) for s in _SCHEMES)


def reachable(path: str | Path) -> bool:
    """An image this machine can try to read: a local file that exists, or a remote one (URL, /vsi)."""
    return is_remote(path) or Path(path).is_file()


def gdal_path(path: str | Path) -> str:
    """The path GDAL opens: `https://h/x.tif` -> `/vsicurl/https://h/x.tif`, `s3://b/k` -> `/vsis3/b/k`;
    a local path with `~` expanded; a /vsi path as given."""
    text = str(path)
    for scheme, prefix in _SCHEMES.items():
        if text.startswith(scheme):
            return prefix + (text if prefix == "/vsicurl/" else text[len(scheme):])
    return text if text.startswith("/vsi") else str(Path(text).expanduser())


@contextmanager
def env(path: str | Path) -> Iterator[None]:
    """GDAL settings for reading `path` (the remote ones only when it is remote)."""
    if is_remote(path):
        with rasterio.Env(**GDAL_REMOTE):
            yield
    else:
        yield


def fingerprint(ds: rasterio.DatasetReader, sample: np.ndarray) -> str:
    """A SHA-256 standing in for a remote image's file hash: of its size, georeference, layout and a
    decimated pixel sample. Hashing every byte would mean downloading the whole scene."""
    h = hashlib.sha256(b"railwatch remote image v1\n")
    crs = ds.crs.to_wkt() if ds.crs else None
    meta = (ds.width, ds.height, ds.count, ds.dtypes, crs, tuple(ds.transform), ds.block_shapes,
            ds.overviews(1), ds.nodata, sorted(ds.tags().items()))
    h.update(repr(meta).encode())
    h.update(np.ascontiguousarray(np.ma.getdata(sample)).tobytes())
    return h.hexdigest()
