"""Uploaded registers read within bounds, so one file cannot take the service down.

1. Before any parsing: the upload's size, and for XLSX its zip directory (how much the members
   unpack to, in all and each against its compressed size). A zip bomb (2 MB holding 1.5 GB of
   rows) is refused from its directory alone, in milliseconds, having unpacked nothing. Python's
   zipfile never inflates a member past the size its directory declares (it stops there and fails
   the CRC), so a directory that lies cannot get a bigger file past this check.
2. The parse itself runs in a worker process (forked from a forkserver that has the readers
   imported: ~10 ms a start) under an address-space limit, and is killed when its time limit
   passes or the client goes away; a thread could be neither stopped nor bounded in memory.

Every refusal is an answer the client can act on: 413 for a size, 422 for a file that cannot be
read in time or at all, 503 when every worker is busy; never 500.
"""

from __future__ import annotations

import logging
import multiprocessing
import resource
import shutil
import tempfile
import threading
import time
import zipfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, TypeVar

import anyio
from fastapi import HTTPException, UploadFile
from fastapi.concurrency import run_in_threadpool

from api.config import ApiSettings
from matcher.errors import InputDataError, Problem

log = logging.getLogger(__name__)

T = TypeVar("T")
MiB = 1024 * 1024
# A member smaller than this may compress as well as it likes (a sheet of empty cells does).
RATIO_FLOOR_BYTES = 1 * MiB
POLL_SECONDS = 0.05

# forkserver, not fork: the service runs threads (the server's pool, index compaction), and a
# fork copies their locks in whatever state they are. The readers are imported once, in the
# server process that every worker is forked from.
_CONTEXT = multiprocessing.get_context("forkserver")
_CONTEXT.set_forkserver_preload(["api.uploads", "matcher.ingest", "openpyxl"])


@dataclass(frozen=True)
class UploadLimits:
    """What one upload may cost (from ApiSettings)."""

    max_bytes: int
    max_unpacked_bytes: int
    max_ratio: float
    seconds: float
    memory_bytes: int
    workers: int

    @classmethod
    def of(cls, api: ApiSettings) -> UploadLimits:
        return cls(
            max_bytes=api.max_upload_bytes,
            max_unpacked_bytes=api.max_upload_unpacked_bytes,
            max_ratio=api.max_upload_ratio,
            seconds=api.upload_seconds,
            memory_bytes=api.upload_memory_bytes,
            workers=api.upload_workers,
        )


def _too_large(message: str) -> HTTPException:
    return HTTPException(413, message)


# -- 1. before parsing -----------------------------------------------------------------------------
def check_upload(path: Path, name: str, limits: UploadLimits) -> None:
    """Refuse a file whose size, or (XLSX) unpacked size, is past the limits; reads no cell."""
    size = path.stat().st_size
    if size > limits.max_bytes:
        raise _too_large(
            f"{name}: {size:,} bytes; an upload may have at most {limits.max_bytes:,} "
            "(split the register, or load it with `matcher ingest suppliers`)"
        )
    if path.suffix.lower() == ".xlsx":
        check_zip_directory(path, name, limits)


def check_zip_directory(path: Path, name: str, limits: UploadLimits) -> None:
    """An XLSX (a zip) whose members unpack past ``max_unpacked_bytes`` in all, or one member
    past ``max_ratio`` times its compressed size, is refused from the directory alone."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise InputDataError(
            [Problem(name, None, None, f"not an XLSX workbook ({exc}); save it again from Excel")]
        ) from None
    total = sum(m.file_size for m in members)
    if total > limits.max_unpacked_bytes:
        raise _too_large(
            f"{name}: unpacks to {total:,} bytes; an XLSX upload may unpack to at most "
            f"{limits.max_unpacked_bytes:,} (split the register, or save it as CSV)"
        )
    for member in members:
        if member.file_size < RATIO_FLOOR_BYTES:
            continue
        ratio = member.file_size / max(member.compress_size, 1)
        if ratio > limits.max_ratio:
            raise _too_large(
                f"{name}: member {member.filename[:80]!r} unpacks {ratio:,.0f} times its packed "
                f"size; at most {limits.max_ratio:,.0f} (a spreadsheet never compresses this well)"
            )


# -- 2. the bounded worker -------------------------------------------------------------------------
def _limit_memory(budget: int) -> None:
    """Cap the worker's address space at what it holds now plus ``budget`` (Linux)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            size = next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmSize"))
    except (OSError, StopIteration, ValueError):
        return
    resource.setrlimit(resource.RLIMIT_AS, (size + budget, size + budget))


def _work(conn: Connection, load: Callable[[Path], Any], path: str, budget: int) -> None:
    """The worker's body: one load, its outcome sent as (kind, payload)."""
    try:
        _limit_memory(budget)
        outcome: tuple[str, Any] = ("ok", load(Path(path)))
    except InputDataError as exc:
        outcome = ("input", exc.problems)
    except MemoryError:
        outcome = ("memory", None)
    except RecursionError:
        outcome = ("input", [Problem(path, None, None, "nested too deeply to read")])
    except Exception as exc:  # a reader's own bug is still the file's answer, not a 500
        outcome = ("error", f"{type(exc).__name__}: {str(exc)[:300]}")
    try:
        conn.send(outcome)
    except MemoryError:
        conn.send(("memory", None))
    finally:
        conn.close()


class ClientGone(Exception):
    """The client closed the connection while its upload was being read."""


class Worker:
    """One parse in its own process; ``result`` waits, ``kill`` abandons it."""

    def __init__(self, load: Callable[[Path], Any], path: Path, limits: UploadLimits) -> None:
        self.limits = limits
        self.name = path.name
        self._conn, child = _CONTEXT.Pipe(duplex=False)
        self._process = _CONTEXT.Process(
            target=_work,
            args=(child, load, str(path), limits.memory_bytes),
            name="matcher-upload",
            daemon=True,
        )
        self._process.start()
        child.close()
        self.deadline = time.monotonic() + limits.seconds

    def ready(self, wait: float = 0.0) -> bool:
        """Whether an outcome (or the worker's death) can be collected now."""
        return self._conn.poll(wait) or not self._process.is_alive()

    def expired(self) -> bool:
        return time.monotonic() >= self.deadline

    def kill(self) -> None:
        if self._process.is_alive():
            self._process.kill()
        self._process.join(5)
        self._conn.close()

    def outcome(self) -> tuple[str, Any]:
        """The worker's (kind, payload); ("died", exit code) when it sent nothing."""
        try:
            if self._conn.poll(0):
                return self._conn.recv()  # type: ignore[no-any-return]
        except (EOFError, OSError):
            pass
        self._process.join(5)
        return ("died", self._process.exitcode)


def _answer(worker: Worker, name: str, outcome: tuple[str, Any]) -> Any:
    kind, payload = outcome
    limits = worker.limits
    if kind == "ok":
        return payload
    if kind == "input":
        raise InputDataError(payload)
    if kind == "memory" or (kind == "died" and payload is not None and payload < 0):
        # Killed by a signal with no answer: the kernel's OOM killer, or the limit's SIGSEGV.
        raise _too_large(
            f"{name}: reading it needs more than the {limits.memory_bytes // MiB} MiB an upload "
            "may use; split the register, or load it with `matcher ingest suppliers`"
        )
    raise InputDataError([Problem(name, None, None, f"could not be read: {payload}")])


def _timed_out(name: str, limits: UploadLimits) -> InputDataError:
    return InputDataError(
        [
            Problem(
                name,
                None,
                None,
                f"reading it took longer than the {limits.seconds:g} s an upload may take; split "
                "the register, or load it with `matcher ingest suppliers`",
            )
        ]
    )


class _Slots:
    """At most ``workers`` parses at once per process; the next one gets 503, not a queue."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.busy = 0

    def take(self, limit: int) -> None:
        with self._lock:
            if self.busy >= limit:
                raise HTTPException(
                    503, "every upload worker is busy; retry shortly", headers={"Retry-After": "5"}
                )
            self.busy += 1

    def give(self) -> None:
        with self._lock:
            self.busy -= 1


SLOTS = _Slots()


async def parse_bounded(
    path: Path,
    name: str,
    load: Callable[[Path], T],
    limits: UploadLimits,
    gone: Callable[[], Awaitable[bool]] | None = None,
) -> T:
    """``load(path)`` in a worker process under the limits; ``gone`` says the client left
    (the worker is then killed and ClientGone raised)."""
    check_upload(path, name, limits)
    SLOTS.take(limits.workers)
    worker: Worker | None = None
    try:
        worker = Worker(load, path, limits)
        while not worker.ready():
            if worker.expired():
                raise _timed_out(name, limits)
            if gone is not None and await gone():
                log.info("upload abandoned: the client went away")
                raise ClientGone()
            await anyio.sleep(POLL_SECONDS)
        outcome = await anyio.to_thread.run_sync(worker.outcome)
        result: T = _answer(worker, name, outcome)
        return result
    finally:
        if worker is not None:
            worker.kill()
        SLOTS.give()


def parse_bounded_sync(path: Path, name: str, load: Callable[[Path], T], limits: UploadLimits) -> T:
    """``parse_bounded`` for a synchronous route (no client to watch; the time limit holds)."""
    check_upload(path, name, limits)
    SLOTS.take(limits.workers)
    worker: Worker | None = None
    try:
        worker = Worker(load, path, limits)
        while not worker.ready(POLL_SECONDS):
            if worker.expired():
                raise _timed_out(name, limits)
        result: T = _answer(worker, name, worker.outcome())
        return result
    finally:
        if worker is not None:
            worker.kill()
        SLOTS.give()


def client_name(upload: UploadFile) -> str:
    """The client's file name without its folders (problems name it, not our temp path)."""
    return Path(upload.filename or "upload").name or "upload"


def save_upload(upload: UploadFile, limits: UploadLimits) -> Path:
    """Copy the upload into a fresh temporary folder, refusing it past ``max_bytes`` as it
    comes (the caller removes the folder: ``path.parent``)."""
    folder = Path(tempfile.mkdtemp(prefix="matcher-upload-"))
    path = folder / f"upload{Path(client_name(upload)).suffix.lower()}"
    written = 0
    try:
        with open(path, "wb") as handle:
            while chunk := upload.file.read(MiB):
                written += len(chunk)
                if written > limits.max_bytes:
                    raise _too_large(
                        f"{client_name(upload)}: more than {limits.max_bytes:,} bytes; split the "
                        "register, or load it with `matcher ingest suppliers`"
                    )
                handle.write(chunk)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return path


def renamed(exc: InputDataError, path: Path, name: str) -> InputDataError:
    """The same problems, naming the client's file instead of the temporary copy."""
    return InputDataError(
        [Problem(p.file.replace(str(path), name), p.row, p.column, p.message) for p in exc.problems]
    )


def read_upload(
    upload: UploadFile, load: Callable[[Path], T], limits: UploadLimits | None = None
) -> T:
    """Validate an uploaded file with the CLI's loaders, bounded; problems name the client's
    file. For synchronous routes: ``read_upload_async`` also stops when the client leaves."""
    limits = limits or UploadLimits.of(ApiSettings())
    name = client_name(upload)
    path = save_upload(upload, limits)
    try:
        return parse_bounded_sync(path, name, load, limits)
    except InputDataError as exc:
        raise renamed(exc, path, name) from None
    finally:
        shutil.rmtree(path.parent, ignore_errors=True)


async def read_upload_async(
    upload: UploadFile,
    load: Callable[[Path], T],
    settings: ApiSettings,
    gone: Callable[[], Awaitable[bool]],
) -> T | None:
    """As ``read_upload``, saved off the event loop and parsed in a worker process that is
    stopped when ``gone()`` says the client left (then None: nothing is written)."""
    limits = UploadLimits.of(settings)
    name = client_name(upload)
    path = await run_in_threadpool(save_upload, upload, limits)
    try:
        return await parse_bounded(path, name, load, limits, gone)
    except InputDataError as exc:
        raise renamed(exc, path, name) from None
    except ClientGone:
        return None
    finally:
        shutil.rmtree(path.parent, ignore_errors=True)
