"""The FastAPI application: store-backed JSON endpoints, XYZ tiles, evidence chips and the dashboard.

Writes need `Authorization: Bearer TOKEN` (and are refused when the server has no token); reads need
`read_token` when one is set. Scenes are served by id only: no path ever comes from the client."""

from __future__ import annotations

import secrets
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import Depends, FastAPI, File, Form, HTTPException, Query, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel
from rio_tiler.errors import TileOutsideBounds
from rio_tiler.io import Reader
from starlette.exceptions import HTTPException as StarletteHTTPException

from railwatch import store as store_mod
from railwatch.errors import InputError, RailwatchError, SiteNotFound
from railwatch.imagery import source
from railwatch.records import Event
from railwatch.report.chips import png
from railwatch.server import geojson as gj

STATIC = Path(__file__).parent / "static"
MAX_LIMIT = 1000


class EventIn(BaseModel):
    """An outside event to add: ISO date, title, optional source."""

    date: str
    title: str
    source: str | None = None


def _status(exc: RailwatchError) -> int:
    name = type(exc).__name__
    if isinstance(exc, SiteNotFound) or name in ("SceneNotFound", "NotFound"):
        return 404
    return 400 if isinstance(exc, InputError) else 500


def _time(text: str | None, name: str, end: bool = False) -> datetime | None:
    from railwatch.movement.follow import parse_time

    return parse_time(text, name, end_of_day=end)


def _page(items: list[Any], total: int, limit: int, offset: int) -> JSONResponse:
    """One page of JSON-ready items, with the total in the body and in `X-Total-Count`.

    Returned as a ready JSONResponse: FastAPI's generic encoder took longer than the query itself
    on 1,000-row pages."""
    body = {"total": total, "limit": limit, "offset": offset, "items": items}
    return JSONResponse(body, headers={"X-Total-Count": str(total)})


def create_app(
    db_url: str | None = None,
    token: str | None = None,
    read_token: str | None = None,
    cors_origins: list[str] | None = None,
    max_upload_mb: float = 200,
) -> FastAPI:
    """Build the API + dashboard over the store at `db_url` (opened and migrated once)."""
    db = store_mod.open(db_url)
    app = FastAPI(title="railwatch", version="0.1.0",
                  description="Railcar counts, movements and alerts from overhead imagery.")
    app.state.db = db
    if cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=cors_origins, allow_methods=["GET", "POST"],
                           allow_headers=["Authorization", "Content-Type"])

    def _check(request: Request, expected: str) -> None:
        auth = request.headers.get("authorization", "")
        if not auth.lower().startswith("bearer "):
            raise HTTPException(401, "missing bearer token", headers={"WWW-Authenticate": "Bearer"})
        if not secrets.compare_digest(auth[7:].strip().encode(), expected.encode()):
            raise HTTPException(403, "wrong token")

    def can_read(request: Request) -> None:
        # images (tiles, chips) are fetched by <img> tags, which cannot send headers: they may carry
        # the read token as ?access_token= instead (reads only, never writes)
        if read_token is None:
            return
        given = request.query_params.get("access_token")
        if given is not None and request.method == "GET":
            if not secrets.compare_digest(given.encode(), read_token.encode()):
                raise HTTPException(403, "wrong token")
            return
        _check(request, read_token)

    def can_write(request: Request) -> None:
        if token is None:
            raise HTTPException(403, "writes are disabled: the server was started without a token")
        _check(request, token)

    @app.exception_handler(RailwatchError)
    async def _rw_error(request: Request, exc: RailwatchError) -> JSONResponse:
        return JSONResponse({"error": exc.message}, status_code=_status(exc))

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return JSONResponse({"error": exc.detail}, status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _bad_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        msgs = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
        return JSONResponse({"error": msgs}, status_code=422)

    @app.middleware("http")
    async def _upload_limit(request: Request, call_next):  # type: ignore[no-untyped-def]
        length = request.headers.get("content-length")
        if request.method == "POST" and length and int(length) > max_upload_mb * 1024 * 1024:
            return JSONResponse({"error": f"upload larger than {max_upload_mb:g} MB"}, status_code=413)
        return await call_next(request)

    r = Depends(can_read)
    w = Depends(can_write)
    Limit = Query(100, ge=1, le=MAX_LIMIT)
    Offset = Query(0, ge=0)

    @app.get("/api/sites", dependencies=[r])
    def sites() -> dict[str, Any]:
        """Every stored site."""
        items = [gj.site_summary(s) for s in db.sites()]
        return {"total": len(items), "items": items}

    @app.get("/api/sites/{site_id}", dependencies=[r])
    def site(site_id: str) -> dict[str, Any]:
        """A site's tracks and landmarks as GeoJSON."""
        return gj.site_features(db.get_site(site_id))

    @app.get("/api/scenes", dependencies=[r])
    def scenes(site: str | None = None, limit: int = Limit, offset: int = Offset) -> JSONResponse:
        """Stored scenes (of one site), paginated."""
        if site is not None:
            db.get_site(site)
        total = db.scene_total(site=site)
        items = [gj.scene_dict(s) for s in db.scenes(site=site, limit=limit, offset=offset)]
        return _page(items, total, limit, offset)

    @app.get("/api/scenes/{scene_id}", dependencies=[r])
    def scene(scene_id: int) -> dict[str, Any]:
        """One scene with the sites it covers."""
        return gj.scene_dict(db.get_scene(scene_id), db.scene_sites(scene_id))

    @app.get("/api/observations", dependencies=[r])
    def observations(site: str | None = None, track: str | None = None,
                     start: str | None = Query(None, alias="from"), end: str | None = Query(None, alias="to"),
                     limit: int = Limit, offset: int = Offset) -> JSONResponse:
        """Per-track counts with their interval and coverage, by time, paginated."""
        if site is not None:
            db.get_site(site)
        t0, t1 = _time(start, "from"), _time(end, "to", True)
        total = db.observation_total(site=site, track=track, start=t0, end=t1)
        found = db.observations(site=site, track=track, start=t0, end=t1, limit=limit, offset=offset)
        return _page([gj.observation_dict(o) for o in found], total, limit, offset)

    @app.get("/api/cars", dependencies=[r])
    def cars(site: str | None = None, scene: int | None = None, latest: bool = False,
             limit: int = Limit, offset: int = Offset) -> JSONResponse:
        """Detected car footprints (lon/lat) with type, colour, confidence, track and chainage, a page
        at a time in time order (`total` = all matching cars); `latest` keeps the newest look with cars."""
        if site is not None:
            db.get_site(site)
        if scene is not None:
            db.get_scene(scene)
        when = None
        if latest:  # only that look's cars: its time bounds the car query from both sides
            when = db.newest_with_cars(site=site, scene=scene)
        if latest and when is None:
            total, page = 0, []
        else:
            total = db.car_total(site=site, scene=scene, start=when, end=when)
            page = db.car_page(site=site, scene=scene, start=when, end=when, limit=limit, offset=offset)
        fc = {"type": "FeatureCollection", "features": [gj.car_feature(o, k, c) for o, k, c in page],
              "total": total, "limit": limit, "offset": offset}
        return JSONResponse(fc, headers={"X-Total-Count": str(total)})

    @app.get("/api/cars/{car_id}/chip.png", dependencies=[r])
    def chip(car_id: str) -> Response:
        """The evidence chip: the scene pixels around one car, its set outlined by type."""
        try:
            obs_id, k = (int(p) for p in car_id.split("-"))
        except ValueError:
            raise HTTPException(404, f"no car {car_id!r}") from None
        try:
            o = db.get_observation(obs_id, with_cars=True)
        except InputError:
            raise HTTPException(404, f"no car {car_id!r}") from None
        if not 0 <= k < len(o.car_list) or o.scene_id is None:
            raise HTTPException(404, f"no car {car_id!r}")
        path = db.get_scene(o.scene_id).path
        if not source.reachable(path):
            raise HTTPException(404, f"scene {o.scene_id} file is not on this server")
        return Response(png(path, o.car_list, highlight=k), media_type="image/png")

    @app.get("/api/scenes/{scene_id}/tiles/{z}/{x}/{y}.png", dependencies=[r])
    def tile(scene_id: int, z: int, x: int, y: int) -> Response:
        """An XYZ web-mercator tile of a scene, through rio-tiler."""
        path = db.get_scene(scene_id).path
        if not source.reachable(path):
            raise HTTPException(404, f"scene {scene_id} file is not on this server")
        try:
            with source.env(path), Reader(source.gdal_path(path)) as src:
                indexes = (1, 2, 3) if src.dataset.count >= 3 else (1,)
                img = src.tile(x, y, z, indexes=indexes)
        except TileOutsideBounds:
            raise HTTPException(404, "tile outside the scene") from None
        return Response(img.render(img_format="PNG"), media_type="image/png")

    @app.get("/api/alerts", dependencies=[r])
    def alerts(site: str | None = None) -> dict[str, Any]:
        """Stored surge and change-point alerts."""
        items = [a.to_dict() for a in db.alerts(site=site)]
        return {"total": len(items), "items": items}

    @app.get("/api/movements", dependencies=[r])
    def movements(site: str | None = None) -> dict[str, Any]:
        """Stored movements (consists followed between scenes)."""
        items = [gj.movement_dict(m) for m in db.movements(site=site)]
        return {"total": len(items), "items": items}

    @app.get("/api/events", dependencies=[r])
    def events() -> dict[str, Any]:
        """Outside events."""
        items = [gj.plain(e) for e in db.events()]
        return {"total": len(items), "items": items}

    @app.post("/api/events", dependencies=[w], status_code=201)
    def add_event(body: EventIn) -> dict[str, Any]:
        """Add an outside event; returns it with its id."""
        eid = db.add_event(Event(date=body.date, title=body.title, source=body.source))
        return gj.plain(Event(date=body.date[:10], title=body.title, source=body.source, id=eid))

    @app.post("/api/count", dependencies=[w])
    def count(image: UploadFile = File(...), tracks: UploadFile | None = File(None),
              site: str | None = Form(None), gsd: float | None = Form(None)) -> dict[str, Any]:
        """Count railcars on an uploaded image (tracks from a GeoJSON upload or a stored site)."""
        import railwatch

        with tempfile.TemporaryDirectory(prefix="railwatch-upload-") as tmp:
            img_path = Path(tmp) / ("image" + Path(image.filename or "").suffix.lower()[:8])
            img_path.write_bytes(image.file.read())
            given: Any = None
            if tracks is not None:
                given = Path(tmp) / "tracks.geojson"
                given.write_bytes(tracks.file.read())
                given = str(given)
            elif site is not None:
                given = db.get_site(site).tracks
            result = railwatch.count(str(img_path), tracks=given, gsd=gsd)
            doc = result.to_dict()
            doc["image"] = image.filename or doc["image"]
            return doc

    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        return FileResponse(STATIC / "index.html")

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app
