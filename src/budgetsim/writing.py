"""Writing files safely: the one writer behind every file budgetsim writes.

A file is written whole or not at all. The new content goes to a temporary file with a random
name, created exclusively in the target's own folder (``O_EXCL``: never an existing file, never
through a symbolic link planted there), is flushed to disk (``fsync``), and then replaces the
target in one step (``os.replace``, which replaces a link at the target rather than following it).
Any error of the system (a full disk, a file-size limit, a read-only folder, a name too long) is a
:class:`WriteError` naming the path and the reason, and the temporary file is removed, on errors
and on interruptions alike.

>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> write_text(folder / "a.md", "# A").read_text()
'# A'
>>> sorted(p.name for p in folder.iterdir())  # no temporary file left
['a.md']
"""

from __future__ import annotations

import gc
import os
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


class WriteError(ValueError):
    """A file or folder could not be written: ``<path>: cannot be written (<reason>)``."""

    def __init__(self, path: Path, reason: str, action: str = "be written") -> None:
        super().__init__(f"{path}: cannot {action} ({reason})")
        self.path, self.reason = path, reason


def reason(err: OSError) -> str:
    """The system's reason for an error, in its own words (``No space left on device``)."""
    return err.strerror or str(err)


def temporary_file(path: Path) -> Path:
    """A new empty file with a random name beside ``path`` (``.<name>.<random>.tmp``), created
    exclusively: it was not there before and is not a link."""
    try:
        fd, name = tempfile.mkstemp(prefix=f".{path.name[:100]}.", suffix=".tmp", dir=path.parent)
    except OSError as err:
        raise WriteError(path, reason(err)) from None
    os.close(fd)
    return Path(name)


def sync(path: Path) -> None:
    """Flush a file's or a folder's contents to disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_file(path: str | Path, write: Callable[[Path], object]) -> Path:
    """Write ``path`` whole or not at all: ``write(tmp)`` fills a fresh temporary file beside it,
    which then replaces ``path``. The folder must exist; an error of the system is a
    :class:`WriteError` naming ``path``.

    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> write_file(folder / "missing" / "a.md", lambda tmp: tmp.write_text("# A"))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    budgetsim.writing.WriteError: .../missing/a.md: cannot be written (the folder .../missing does not exist)
    """
    path = Path(path)
    if not path.name:
        raise WriteError(path, "no file name")
    if not path.parent.is_dir():
        raise WriteError(path, f"the folder {path.parent} does not exist")
    if path.is_dir():
        raise WriteError(path, "it is a folder")
    tmp = temporary_file(path)
    try:
        write(tmp)
        sync(tmp)
        os.replace(tmp, path)
        sync(path.parent)
    except OSError as err:
        tmp.unlink(missing_ok=True)
        why = reason(err)
        _forget(err)
        raise WriteError(path, why) from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def _forget(err: BaseException) -> None:
    """Drop the frames an error holds, quietly. A writer that failed half-way (openpyxl's sheet
    streams on a full disk) may leave generators whose clean-up writes again and fails; Python would
    print those second errors as "Exception ignored in ..." tracebacks when the frames are freed."""
    chain: BaseException | None = err
    hook = sys.unraisablehook
    sys.unraisablehook = lambda unraisable: None
    try:
        while chain is not None:
            chain.__traceback__ = None
            chain = chain.__context__
        gc.collect()
    finally:
        sys.unraisablehook = hook


def make_folder(path: str | Path) -> Path:
    """The folder ``path``, made with its parents if missing; a :class:`WriteError` naming it when it
    cannot be made or is a file."""
    path = Path(path)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise WriteError(path, reason(err), "make the folder") from None
    return path


def write_text(path: str | Path, text: str, newline: str | None = None) -> Path:
    """Write ``text`` as UTF-8 to ``path``, whole or not at all (:func:`write_file`)."""

    def fill(tmp: Path) -> None:
        with tmp.open("w", encoding="utf-8", newline=newline) as handle:
            handle.write(text)

    return write_file(path, fill)


class Busy(ValueError):
    """Another budgetsim run is writing to the same place."""


@dataclass(frozen=True)
class Lock:
    """A held lock: its open descriptor and its file."""

    fd: int
    path: Path


def lock_beside(target: Path, action: str = "be written") -> Lock:
    """An exclusive lock on ``target`` (a file or folder that may not exist yet): a hidden lock file
    beside it (``.<name>.lock``), locked with ``flock``, so that it is released when the process
    ends, however it ends. A second writer is refused with :class:`Busy`; a place where no lock can
    be made is a :class:`WriteError` (``cannot <action>``).

    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "run"
    >>> held = lock_beside(target)
    >>> lock_beside(target)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    budgetsim.writing.Busy: .../run: another budgetsim run is writing to it; wait for it to finish
    >>> release(held)
    """
    path = target.parent / f".{target.name}.lock"
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o644)
    except OSError as err:
        raise WriteError(target, reason(err), action) from None
    try:
        if sys.platform == "win32":  # pragma: no cover - the project's machines run Linux
            import msvcrt

            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        else:
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        raise Busy(f"{target}: another budgetsim run is writing to it; wait for it to finish") from None
    return Lock(fd, path)


def release(lock: Lock | None) -> None:
    """Release a lock from :func:`lock_beside` and remove its file."""
    if lock is not None:
        lock.path.unlink(missing_ok=True)
        os.close(lock.fd)
