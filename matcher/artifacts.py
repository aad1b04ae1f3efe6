"""Atomic, checksummed artifact folders.

Layout: ``ROOT/CURRENT`` names the live version folder ``ROOT/v-<stamp>/`` that holds the files and
a ``manifest.json`` (sha256 of every file, plus the caller's metadata). A writer fills a fresh
folder, fsyncs it and then replaces CURRENT with os.replace, which is atomic on POSIX: a reader, or
a writer killed at any point, sees the old version or the new one, never a mix.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Collection
from pathlib import Path
from typing import Any

from matcher.errors import IndexArtifactError

MANIFEST = "manifest.json"
POINTER = "CURRENT"


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_version(
    root: Path, fill: Callable[[Path], None], metadata: dict[str, Any], keep: int = 2
) -> Path:
    """Create a new version: ``fill(folder)`` writes the files; then the pointer is swapped."""
    root.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%S") + f"-{time.time_ns() % 1_000_000_000:09d}"
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=root))
    try:
        fill(staging)
        files = {
            p.name: {"sha256": sha256_file(p), "bytes": p.stat().st_size}
            for p in sorted(staging.iterdir())
            if p.is_file()
        }
        manifest = {**metadata, "files": files, "created": stamp}
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False))
        for path in staging.iterdir():
            with open(path, "rb") as handle:
                os.fsync(handle.fileno())
        _fsync_dir(staging)
        final = root / f"v-{stamp}"
        staging.rename(final)
        pointer_tmp = root / f".{POINTER}.tmp"
        pointer_tmp.write_text(final.name)
        with open(pointer_tmp, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(pointer_tmp, root / POINTER)
        _fsync_dir(root)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _prune(root, keep)
    return final


def _prune(root: Path, keep: int) -> None:
    live = current_version(root)
    versions = sorted(p for p in root.glob("v-*") if p.is_dir())
    for old in versions[:-keep]:
        if old != live:
            shutil.rmtree(old, ignore_errors=True)
    for stale in root.glob(".staging-*"):
        # A staging folder older than a minute belongs to a writer that died.
        if time.time() - stale.stat().st_mtime > 60:
            shutil.rmtree(stale, ignore_errors=True)


def current_version(root: Path) -> Path | None:
    pointer = root / POINTER
    if not pointer.exists():
        return None
    return root / pointer.read_text().strip()


REBUILD = "rebuild with `matcher index`"


def versions(root: Path) -> list[Path]:
    """Every version folder under ``root``, newest first (stamps sort as times)."""
    return sorted((p for p in root.glob("v-*") if p.is_dir()), reverse=True)


def read_manifest(
    folder: Path, *, verify: bool = True, required: Collection[str] = ()
) -> dict[str, Any]:
    """Load a version's manifest, checking that it lists every file and every file's checksum.

    The manifest must list each of ``required`` (the files the caller's loader opens), and the
    folder may hold no file it does not list: a loader then opens only checked files, whatever
    a library would pick up by name. An empty or incomplete list is refused, not read as "no
    checks".
    """
    path = folder / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise IndexArtifactError(f"{path}: missing or unreadable ({exc}); {REBUILD}") from None
    if not isinstance(manifest, dict):
        raise IndexArtifactError(f"{path}: not a JSON object; {REBUILD}")
    if not verify:
        return manifest
    files = manifest.get("files")
    if not isinstance(files, dict) or not files:
        raise IndexArtifactError(f"{path}: lists no files, so nothing can be verified; {REBUILD}")
    missing = sorted(set(required) - set(files))
    if missing:
        raise IndexArtifactError(f"{path}: does not list {', '.join(missing)}; {REBUILD}")
    unlisted = sorted(
        p.name for p in folder.iterdir() if p.name != MANIFEST and p.name not in files
    )
    if unlisted:
        raise IndexArtifactError(
            f"{folder}: holds files its manifest does not list ({', '.join(unlisted)}); {REBUILD}"
        )
    for name, info in files.items():
        item = folder / name
        digest = info.get("sha256") if isinstance(info, dict) else None
        if not isinstance(digest, str) or Path(name).name != name:
            raise IndexArtifactError(f"{path}: bad entry for {name!r}; {REBUILD}")
        if not item.is_file():
            raise IndexArtifactError(f"{item}: listed in the manifest but missing; {REBUILD}")
        if sha256_file(item) != digest:
            raise IndexArtifactError(f"{item}: checksum does not match the manifest; {REBUILD}")
    return manifest
