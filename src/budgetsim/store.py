"""The result store of sweeps: one Parquet dataset per table, partitioned by sweep point, that an
interrupted run leaves whole and a rerun completes. Query it with DuckDB.

Layout::

    store/manifest.json                  the sweep (points, draws, seed); written last when starting
    store/points.parquet                 point, one column per variation, strategy
    store/summary/point=3/part.parquet   one file per table and point
    store/risk/point=3/part.parquet
    store/_done/3                        written last: point 3 is complete
    store/.lock                          held while a writer starts or resumes the sweep

Every file is written under a temporary name unique to its writer (host, process, random token)
and renamed into place, so a file is either absent or complete; a point counts as done only when
its marker exists, and queries see only done points. Several writers may work on one store at
once: starting is serialised by a lock on ``.lock``, and a writer removes only temporary files
that were abandoned (their writer's process is gone, or they are older than
:data:`STALE_AFTER`). A rerun repairs a start that was interrupted.

>>> import budgetsim as bs, tempfile
>>> from budgetsim.sweep import sweep
>>> folder = tempfile.mkdtemp()
>>> _ = sweep(bs.default_scenario(), {}, {"current": bs.strategies.boras_current()}, draws=100, store=folder)
>>> int(query(folder, "SELECT count(*) AS n FROM risk").n.iloc[0])
49
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import socket
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import pandas as pd

from budgetsim.writing import WriteError, reason

if sys.platform == "win32":
    import msvcrt
else:
    import fcntl

TABLES = ("summary", "risk")
#: What a store holds besides temporary files (an interrupted start may have written some of it).
_OWN = frozenset({".lock", "manifest.json", "points.parquet", "_done", *TABLES})

#: Seconds after which a temporary file whose writer cannot be checked (it ran on another host)
#: counts as abandoned.
STALE_AFTER = 3600.0

_HOST = re.sub(r"[^A-Za-z0-9-]", "-", socket.gethostname()) or "host"
_TEMP = re.compile(r"\..+\.(?P<host>[A-Za-z0-9-]+)\.(?P<pid>\d+)\.[0-9a-f]{32}\.tmp")


def _temp_path(path: Path) -> Path:
    """A temporary name next to ``path`` that no other writer uses: host, process id, random token."""
    return path.with_name(f".{path.name}.{_HOST}.{os.getpid()}.{uuid.uuid4().hex}.tmp")


def _atomic_write(path: Path, write: Callable[[Path], object]) -> None:
    """Write ``path`` through ``write(temporary path)``, flush it to disk and rename it into place;
    on failure remove the temporary file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _temp_path(path)
    try:
        write(tmp)
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _parquet(data: pd.DataFrame) -> Callable[[Path], object]:
    """A writer of ``data`` as Parquet for :func:`_atomic_write`."""
    return lambda tmp: data.to_parquet(tmp, index=False)


def _process_gone(pid: int) -> bool:
    """Whether no process ``pid`` runs on this host (Windows cannot tell, so never)."""
    if sys.platform == "win32":
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # it runs, as another user
        return False
    return False


def _abandoned(tmp: Path, now: float) -> bool:
    """Whether the temporary file ``tmp`` was left by a writer that will not rename it: its name
    names no writer (written by a budgetsim before per-writer names), its writer's process on this
    host is gone, or it is older than :data:`STALE_AFTER`."""
    match = _TEMP.fullmatch(tmp.name)
    if match is None:
        return True
    if match["host"] == _HOST and _process_gone(int(match["pid"])):
        return True
    try:
        return now - tmp.stat().st_mtime > STALE_AFTER
    except FileNotFoundError:  # its writer renamed it meanwhile
        return False


if sys.platform == "win32":

    def _lock(handle: IO[bytes]) -> None:
        handle.seek(0)
        while True:
            try:
                msvcrt.locking(handle.fileno(), msvcrt.LK_LOCK, 1)
                return
            except OSError:  # LK_LOCK gives up after 10 s; keep waiting
                continue

    def _unlock(handle: IO[bytes]) -> None:
        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)

else:

    def _lock(handle: IO[bytes]) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)

    def _unlock(handle: IO[bytes]) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


@contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """Hold the store's lock, which the system also releases if this process dies."""
    with open(folder / ".lock", "a+b") as handle:
        _lock(handle)
        try:
            yield
        finally:
            _unlock(handle)


def _points_table(manifest: dict[str, Any]) -> pd.DataFrame:
    """The ``points`` table of a sweep: point, one column per variation, strategy, fingerprint."""
    return pd.DataFrame(manifest["points"]).astype({"point": int}).assign(fingerprint=manifest["fingerprints"])


class SweepStore:
    """Writes and reads the tables of one sweep in ``folder``."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def open(self, manifest: dict[str, Any]) -> None:
        """Start or resume the sweep described by ``manifest``, repairing an interrupted start;
        refuse a store of another sweep. Safe to call from several writers at once. A folder that
        cannot be made or written is a :class:`~budgetsim.writing.WriteError` naming it."""
        try:
            self._open(manifest)
        except OSError as err:
            raise WriteError(self.folder, reason(err)) from None

    def _open(self, manifest: dict[str, Any]) -> None:
        if self.folder.exists() and not self.folder.is_dir():
            raise ValueError(f"--store: {self.folder} is a file, not a folder")
        path = self.folder / "manifest.json"
        points = self.folder / "points.parquet"
        self._refuse_foreign()  # before the lock file is made in someone else's folder
        self.folder.mkdir(parents=True, exist_ok=True)
        with _locked(self.folder):
            self._refuse_foreign()  # and under the lock, against a folder filled meanwhile
            now = time.time()
            for tmp in self.folder.rglob(".*.tmp"):
                if _abandoned(tmp, now):
                    tmp.unlink(missing_ok=True)
            started = path.exists()
            if started and read_manifest(self.folder) != manifest:
                raise ValueError(
                    f"the store at {self.folder} holds another sweep (points, draws, seed, scenario, strategies or process differ)"
                )
            if not points.exists() or not started:
                _atomic_write(points, _parquet(_points_table(manifest)))
            if not started:
                _atomic_write(path, lambda tmp: tmp.write_text(json.dumps(manifest, indent=1), encoding="utf-8"))

    def _refuse_foreign(self) -> None:
        """Refuse a folder that holds files a store does not write, unless it is a store."""
        if not self.folder.is_dir() or (self.folder / "manifest.json").exists():
            return
        foreign = sorted(p.name for p in self.folder.iterdir() if p.name not in _OWN and not _TEMP.fullmatch(p.name))
        if foreign:
            raise ValueError(
                f"--store: {self.folder} holds files that are not a sweep store ({', '.join(foreign[:3])}); "
                "choose a new or empty folder"
            )

    def done(self, point: int) -> bool:
        """Whether ``point`` is complete in the store (its parts checked against its marker)."""
        if not (self.folder / "_done" / str(point)).exists():
            return False
        check_point(self.folder, point)
        return True

    def write(self, point: int, tables: dict[str, pd.DataFrame]) -> None:
        """Write one point's tables, then its done-marker, which records the point and every part's
        SHA-256 (checked whenever the point is read)."""
        parts = {}
        for name in TABLES:
            data = tables[name].drop(columns="point")
            part = _part(self.folder, name, point)
            _atomic_write(part, _parquet(data))
            parts[name] = _digest(part)
        marker = json.dumps({"point": point, "sha256": parts})
        _atomic_write(self.folder / "_done" / str(point), lambda tmp: tmp.write_text(marker, encoding="utf-8"))

    def read_all(self, points: list[int]) -> dict[int, dict[str, pd.DataFrame]]:
        missing = [p for p in points if not self.done(p)]
        if missing:
            raise ValueError(f"the store at {self.folder} lacks points {missing}")
        return {
            p: {
                name: pd.read_parquet(self.folder / name / f"point={p}" / "part.parquet").assign(point=p)
                for name in TABLES
            }
            for p in points
        }


def _part(folder: Path, name: str, point: int) -> Path:
    return folder / name / f"point={point}" / "part.parquet"


def _digest(path: Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def check_point(folder: Path, point: int) -> None:
    """Refuse a done point whose parts are not what it wrote (damaged, truncated, or copied over
    from another point), saying what to do."""
    marker = folder / "_done" / str(point)
    again = f"delete {marker} to run point {point} again"
    try:
        recorded = json.loads(marker.read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError):
        raise ValueError(f"{marker}: not a readable done-marker; {again}") from None
    if not isinstance(recorded, dict) or recorded.get("point", point) != point:
        raise ValueError(f"{marker}: the marker of another point; {again}")
    for name, expected in (recorded.get("sha256") or {}).items():  # markers of earlier versions record none
        part = _part(folder, str(name), point)
        if not part.is_file() or _digest(part) != expected:
            raise ValueError(
                f"{part}: not what point {point} wrote (missing, damaged, or copied from another point); {again}"
            )


def read_manifest(folder: Path) -> Any:
    """The manifest of the store at ``folder``, or an error naming the file and what to do."""
    path = folder / "manifest.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise ValueError(
            f"{path}: not a readable sweep manifest ({err}); restore it, or start the sweep in a new store"
        ) from None


def _done_points(folder: Path) -> list[int]:
    """The points of the store at ``folder`` whose done-marker exists."""
    markers = folder / "_done"
    return sorted(int(m.name) for m in markers.iterdir() if m.name.isdigit()) if markers.is_dir() else []


def open_store(folder: str | Path) -> Any:
    """A DuckDB connection with views ``summary``, ``risk`` (with a ``point`` column) and
    ``points`` over a sweep store; join on ``point``. ``summary`` and ``risk`` hold only the points
    complete when the store is opened (before the first one completes, just the column ``point``).
    No SQL is built from the folder's name, and its characters are taken literally."""
    import duckdb
    import pyarrow as pa
    import pyarrow.dataset as ds

    folder = Path(folder)
    if not (folder / "manifest.json").exists():
        raise ValueError(f"{folder} is not a sweep store (no manifest.json)")
    manifest = read_manifest(folder)
    done = _done_points(folder)
    for p in done:
        check_point(folder, p)
    point = pa.schema([("point", pa.int64())])
    con = duckdb.connect()
    for name in TABLES:
        base = folder / name
        if done:
            files = [str(base / f"point={p}" / "part.parquet") for p in done]
            partitioning = ds.partitioning(point, flavor="hive")
            table = ds.dataset(files, format="parquet", partitioning=partitioning, partition_base_dir=str(base))
        else:
            table = ds.dataset([], format="parquet", schema=point)
        con.register(name, table)
    con.register("points", _points_table(manifest))
    return con


def query(folder: str | Path, sql: str) -> pd.DataFrame:
    """Run SQL on a sweep store (views ``summary``, ``risk``, ``points``) and get pandas back."""
    con = open_store(folder)
    try:
        return con.execute(sql).df()
    finally:
        con.close()
