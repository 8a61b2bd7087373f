"""The Store: railwatch's one door to SQL. Every write is one transaction (all or nothing); reads
return the plain records of `railwatch.records`."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime

from sqlalchemy import delete, event, func, or_, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, aliased, selectinload, sessionmaker

from railwatch.errors import InputError, SiteNotFound, StoreError
from railwatch.records import Alert, Car, Event, Movement, Observation, Scene, Site
from railwatch.store import convert
from railwatch.store.models import (
    AlertRow,
    CarRow,
    ConsistRow,
    EventRow,
    LandmarkRow,
    MovementRow,
    ObservationRow,
    SceneRow,
    SceneSiteRow,
    SiteRow,
    TrackRow,
)


class SceneNotFound(InputError):
    """A scene id is not in the store."""


class Store:
    """An open railwatch database (SQLite file or PostgreSQL/PostGIS), migrated to the newest schema."""

    def __init__(self, url: str, engine: Engine) -> None:
        self.url = url
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._local = threading.local()

    # -- transactions ---------------------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[Store]:
        """One transaction around every store call inside the block; rolls back if the block raises."""
        with self._session():
            yield self

    @contextmanager
    def _session(self) -> Iterator[Session]:
        outer: Session | None = getattr(self._local, "session", None)
        if outer is not None:  # join the enclosing transaction
            yield outer
            return
        session = self._sessions()
        self._local.session = session
        try:
            yield session
            session.commit()
        except SQLAlchemyError as exc:
            session.rollback()
            raise StoreError(f"database error: {_short(exc)}", path=self.url) from exc
        except BaseException:
            session.rollback()
            raise
        finally:
            self._local.session = None
            session.close()

    # -- sites ----------------------------------------------------------------------------------

    def put_site(self, site: Site) -> None:
        """Insert or update a site with its tracks and landmarks (tracks no longer listed are dropped)."""
        with self._session() as s:
            row = s.get(SiteRow, site.id)
            if row is None:
                row = SiteRow(id=site.id)
                s.add(row)
            row.name = site.name
            row.aoi = site.aoi
            row.countries = list(site.countries)
            row.timezone = site.timezone
            row.description = site.description
            tracks = {t.id: t for t in row.tracks}
            keep = []
            for i, track in enumerate(site.tracks):
                t_row = tracks.get(track.id) or TrackRow(id=track.id)
                for key, value in convert.track_fields(track, i).items():
                    setattr(t_row, key, value)
                keep.append(t_row)
            row.tracks = keep
            landmarks = {lm.id: lm for lm in row.landmarks}
            keep_lm = []
            for i, lm in enumerate(site.landmarks):
                lm_row = landmarks.get(lm.id) or LandmarkRow(id=lm.id)
                for key, value in convert.landmark_fields(lm, i).items():
                    setattr(lm_row, key, value)
                keep_lm.append(lm_row)
            row.landmarks = keep_lm
            s.flush()

    def get_site(self, site_id: str) -> Site:
        """The stored site with this id; raises SiteNotFound."""
        with self._session() as s:
            row = s.get(SiteRow, site_id)
            if row is None:
                raise SiteNotFound(f"no site '{site_id}' in the store", path=self.url)
            return convert.site_record(row)

    def sites(self) -> list[Site]:
        """Every stored site, by id."""
        with self._session() as s:
            rows = s.scalars(
                select(SiteRow).options(selectinload(SiteRow.tracks), selectinload(SiteRow.landmarks))
                .order_by(SiteRow.id)
            )
            return [convert.site_record(r) for r in rows]

    # -- scenes ---------------------------------------------------------------------------------

    def add_scene(self, scene: Scene, site_ids: list[str]) -> tuple[int, bool]:
        """Store a scene linked to sites; a scene with the same sha256 is kept (links added).
        Returns (scene id, created?)."""
        with self._session() as s:
            for site_id in site_ids:
                if s.get(SiteRow, site_id) is None:
                    raise SiteNotFound(f"no site '{site_id}' in the store", path=self.url)
            row = s.scalars(select(SceneRow).where(SceneRow.sha256 == scene.sha256)).first()
            created = row is None
            if row is None:
                row = convert.scene_row(scene)
                s.add(row)
                s.flush()
            linked = set(s.scalars(select(SceneSiteRow.site_id).where(SceneSiteRow.scene_id == row.id)))
            for site_id in dict.fromkeys(site_ids):
                if site_id not in linked:
                    s.add(SceneSiteRow(scene_id=row.id, site_id=site_id))
            s.flush()
            return row.id, created

    def get_scene(self, scene_id: int) -> Scene:
        """The stored scene with this id; raises SceneNotFound."""
        with self._session() as s:
            row = s.get(SceneRow, scene_id)
            if row is None:
                raise SceneNotFound(f"no scene {scene_id} in the store", path=self.url)
            return convert.scene_record(row)

    def scenes(self, site: str | None = None, limit: int | None = None, offset: int = 0) -> list[Scene]:
        """Stored scenes (of one site, if given) by acquisition time, undated ones last; one page of
        them when `limit` is given (after skipping `offset`)."""
        with self._session() as s:
            q = _scene_query(select(SceneRow), site)
            q = q.order_by(SceneRow.acquired.is_(None), SceneRow.acquired, SceneRow.id)
            q = q.offset(offset).limit(limit) if limit is not None else q.offset(offset or None)
            return [convert.scene_record(r) for r in s.scalars(q)]

    def scene_total(self, site: str | None = None) -> int:
        """How many scenes `scenes(site)` holds in all (for pagination)."""
        with self._session() as s:
            q = _scene_query(select(func.count(SceneRow.id)), site)
            return int(s.scalar(q) or 0)

    def scene_sites(self, scene_id: int) -> list[str]:
        """Ids of the sites a scene is linked to."""
        with self._session() as s:
            q = select(SceneSiteRow.site_id).where(SceneSiteRow.scene_id == scene_id)
            return sorted(s.scalars(q))

    # -- observations ---------------------------------------------------------------------------

    def put_observations(self, scene_id: int, site_id: str, observations: list[Observation]) -> list[int]:
        """Replace what scene x site showed with these observations (and their cars); returns row ids."""
        with self._session() as s:
            site = s.get(SiteRow, site_id)
            if site is None:
                raise SiteNotFound(f"no site '{site_id}' in the store", path=self.url)
            if s.get(SceneRow, scene_id) is None:
                raise SceneNotFound(f"no scene {scene_id} in the store", path=self.url)
            track_ids = {t.id for t in site.tracks}
            for obs in observations:
                if obs.track not in track_ids:
                    raise InputError(f"site '{site_id}' has no track '{obs.track}'", path=self.url)
                if obs.site != site_id:
                    raise InputError(
                        f"observation of site '{obs.site}' given for site '{site_id}'", path=self.url
                    )
            old = s.scalars(
                select(ObservationRow).where(
                    ObservationRow.scene_id == scene_id, ObservationRow.site_id == site_id
                )
            )
            for row in old:
                s.delete(row)
            s.flush()
            rows = [convert.observation_row(o, scene_id, site_id) for o in observations]
            s.add_all(rows)
            s.flush()
            return [r.id for r in rows]

    def observations(
        self,
        site: str | None = None,
        track: str | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
        with_cars: bool = False,
        scene: int | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[Observation]:
        """Stored observations, filtered, sorted by time (then site, track); cars only if asked; one
        page of them when `limit` is given (after skipping `offset`)."""
        with self._session() as s:
            # without cars, plain column rows: building 1,000 ORM objects cost more than the query
            what = select(ObservationRow) if with_cars else select(*ObservationRow.__table__.columns)
            q = _observation_query(what, site, track, start, end, scene)
            if with_cars:
                q = q.options(selectinload(ObservationRow.car_rows))
            q = q.order_by(ObservationRow.acquired, ObservationRow.site_id, ObservationRow.track_id,
                           ObservationRow.id)
            q = q.offset(offset).limit(limit) if limit is not None else q.offset(offset or None)
            rows = s.scalars(q) if with_cars else s.execute(q)
            return [convert.observation_record(r, with_cars) for r in rows]

    def car_page(
        self,
        site: str | None = None,
        scene: int | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[tuple[Observation, int, Car]]:
        """Stored cars that have a footprint, in the order of `observations(...)` and then of each
        observation's cars, one page of them when `limit` is given (after skipping `offset`); each with
        its observation (without its car list) and its index among that observation's cars (footprint
        or not: the API names a car OBSERVATION-INDEX). Paged in SQL: only the page's rows are read."""
        with self._session() as s:
            # plain column rows, not ORM objects (a third of the time on a 1,000-car page); car columns
            # as car_<name> beside the observation's own
            cars = [c.label(f"car_{c.name}") for c in CarRow.__table__.columns]
            q = select(*cars, *ObservationRow.__table__.columns)
            q = q.join_from(CarRow, ObservationRow, CarRow.observation_id == ObservationRow.id)
            q = _observation_query(q.where(CarRow.footprint.is_not(None)), site, None, start, end, scene)
            q = q.order_by(ObservationRow.acquired, ObservationRow.site_id, ObservationRow.track_id,
                           ObservationRow.id, CarRow.id)
            q = q.offset(offset).limit(limit) if limit is not None else q.offset(offset or None)
            page = s.execute(q).all()
            if not page:
                return []
            # a car's index counts every car of its observation, footprint or not, in id order
            siblings = select(CarRow.id, CarRow.observation_id)
            siblings = siblings.where(CarRow.observation_id.in_({row.id for row in page}))
            index: dict[int, int] = {}
            seen: dict[int, int] = {}
            for car_id, obs_id in s.execute(siblings.order_by(CarRow.observation_id, CarRow.id)):
                index[car_id] = seen.get(obs_id, 0)
                seen[obs_id] = index[car_id] + 1
            records = {row.id: convert.observation_record(row, False) for row in page}
            return [(records[row.id], index[row.car_id], convert.car_record(row, prefix="car_"))
                    for row in page]

    def car_total(
        self,
        site: str | None = None,
        scene: int | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> int:
        """How many cars `car_page(...)` holds in all with these filters (for pagination)."""
        with self._session() as s:
            q = select(func.count(CarRow.id)).join(ObservationRow, CarRow.observation_id == ObservationRow.id)
            q = _observation_query(q.where(CarRow.footprint.is_not(None)), site, None, start, end, scene)
            return int(s.scalar(q) or 0)

    def newest_with_cars(self, site: str | None = None, scene: int | None = None) -> datetime | None:
        """Acquisition time of the newest observation that has car footprints (None when none has)."""
        with self._session() as s:
            q = select(func.max(ObservationRow.acquired))
            q = q.join(CarRow, CarRow.observation_id == ObservationRow.id)
            return s.scalar(_observation_query(q, site, None, None, None, scene))

    def observation_total(
        self,
        site: str | None = None,
        track: str | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
        scene: int | None = None,
    ) -> int:
        """How many observations `observations(...)` holds in all with these filters (for pagination)."""
        with self._session() as s:
            q = _observation_query(select(func.count(ObservationRow.id)), site, track, start, end, scene)
            return int(s.scalar(q) or 0)

    def get_observation(self, observation_id: int, with_cars: bool = True) -> Observation:
        """One stored observation by id (with its cars); raises InputError when there is none."""
        with self._session() as s:
            row = s.get(ObservationRow, observation_id)
            if row is None:
                raise InputError(f"no observation {observation_id} in the store", path=self.url)
            return convert.observation_record(row, with_cars)

    # -- events and alerts ----------------------------------------------------------------------

    def add_event(self, event: Event) -> int:
        """Store an outside event (date 'YYYY-MM-DD'); returns its id."""
        day = _iso_day(event.date, self.url)
        with self._session() as s:
            row = EventRow(date=day, title=event.title, source=event.source)
            s.add(row)
            s.flush()
            return row.id

    def events(self) -> list[Event]:
        """Every stored event, by date."""
        with self._session() as s:
            rows = s.scalars(select(EventRow).order_by(EventRow.date, EventRow.id))
            return [convert.event_record(r) for r in rows]

    def put_alerts(self, site: str, alerts: list[Alert]) -> list[int]:
        """Replace a site's alerts with these; returns their ids."""
        with self._session() as s:
            if s.get(SiteRow, site) is None:
                raise SiteNotFound(f"no site '{site}' in the store", path=self.url)
            s.execute(delete(AlertRow).where(AlertRow.site_id == site))
            rows = [convert.alert_row(a, site) for a in alerts]
            s.add_all(rows)
            s.flush()
            return [r.id for r in rows]

    def alerts(self, site: str | None = None) -> list[Alert]:
        """Stored alerts (of one site, if given), by date."""
        with self._session() as s:
            q = select(AlertRow)
            if site is not None:
                q = q.where(AlertRow.site_id == site)
            return [convert.alert_record(r) for r in s.scalars(q.order_by(AlertRow.date, AlertRow.id))]

    # -- movements ------------------------------------------------------------------------------

    def put_movements(self, movements: list[Movement]) -> list[int]:
        """Store movements with their two consists; a movement between the same two sightings
        (scene, track, start) replaces the stored one. Returns their ids."""
        with self._session() as s:
            for mv in movements:
                for c in (mv.consist_from, mv.consist_to):
                    if c.site is not None and s.get(SiteRow, c.site) is None:
                        raise SiteNotFound(f"no site '{c.site}' in the store", path=self.url)
            ids = []
            for mv in movements:
                for row in s.scalars(_same_movement(mv)):
                    s.delete(row)
                s.flush()
                row = convert.movement_row(mv)
                s.add(row)
                s.flush()
                ids.append(row.id)
            used = select(MovementRow.consist_from_id).union(select(MovementRow.consist_to_id))
            s.execute(delete(ConsistRow).where(ConsistRow.id.not_in(used)))
            return ids

    def movements(self, site: str | None = None) -> list[Movement]:
        """Stored movements (starting or ending at one site, if given), by start time."""
        with self._session() as s:
            q = select(MovementRow).options(
                selectinload(MovementRow.consist_from), selectinload(MovementRow.consist_to)
            )
            if site is not None:
                a, b = aliased(ConsistRow), aliased(ConsistRow)
                q = (
                    q.join(a, MovementRow.consist_from_id == a.id)
                    .join(b, MovementRow.consist_to_id == b.id)
                    .where(or_(a.site_id == site, b.site_id == site))
                )
            rows = s.scalars(q.order_by(MovementRow.t0, MovementRow.id))
            return [convert.movement_record(r) for r in rows]

    # -- housekeeping ---------------------------------------------------------------------------

    def count(self, table: str) -> int:
        """Rows in one table (for tests, status lines and sanity checks)."""
        from railwatch.store.models import Base

        t = Base.metadata.tables[table]
        with self._session() as s:
            return int(s.scalar(select(func.count()).select_from(t)) or 0)

    def close(self) -> None:
        """Release the database's connections."""
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Store({self.url!r})"


def _scene_query(q, site: str | None):  # type: ignore[no-untyped-def]
    if site is not None:
        q = q.join(SceneSiteRow, SceneSiteRow.scene_id == SceneRow.id).where(SceneSiteRow.site_id == site)
    return q


def _observation_query(q, site, track, start, end, scene):  # type: ignore[no-untyped-def]
    if site is not None:
        q = q.where(ObservationRow.site_id == site)
    if track is not None:
        q = q.where(ObservationRow.track_id == track)
    if start is not None:
        q = q.where(ObservationRow.acquired >= start)
    if end is not None:
        q = q.where(ObservationRow.acquired <= end)
    if scene is not None:
        q = q.where(ObservationRow.scene_id == scene)
    return q


def _same_movement(mv: Movement):  # type: ignore[no-untyped-def]
    a, b = aliased(ConsistRow), aliased(ConsistRow)
    cf, ct = mv.consist_from, mv.consist_to
    return (
        select(MovementRow)
        .join(a, MovementRow.consist_from_id == a.id)
        .join(b, MovementRow.consist_to_id == b.id)
        .where(
            _is(a.scene_id, cf.scene_id), a.track_id == cf.track, a.start_m == float(cf.start_m),
            _is(b.scene_id, ct.scene_id), b.track_id == ct.track, b.start_m == float(ct.start_m),
            MovementRow.t0 == mv.t0, MovementRow.t1 == mv.t1,
        )
    )


def _is(column, value):  # type: ignore[no-untyped-def]
    return column.is_(None) if value is None else column == value


def _iso_day(value: object, url: str) -> str:
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    try:
        return date.fromisoformat(str(value)[:10]).isoformat()
    except ValueError:
        raise InputError(f"event date {value!r} is not an ISO date (YYYY-MM-DD)", path=url) from None


def _short(exc: SQLAlchemyError) -> str:
    orig = getattr(exc, "orig", None)
    return str(orig if orig is not None else exc).splitlines()[0]


def sqlite_pragmas(engine: Engine) -> None:
    """Turn on foreign keys, WAL and a busy timeout on every SQLite connection."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()
