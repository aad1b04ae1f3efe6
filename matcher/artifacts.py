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
from collections.abc import Callable
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


def read_manifest(folder: Path, *, verify: bool = True) -> dict[str, Any]:
    """Load a version's manifest, checking every file's checksum."""
    try:
        manifest: dict[str, Any] = json.loads((folder / MANIFEST).read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise IndexArtifactError(f"{folder}: missing or unreadable {MANIFEST}: {exc}") from None
    if verify:
        for name, info in manifest.get("files", {}).items():
            path = folder / name
            if not path.exists() or sha256_file(path) != info["sha256"]:
                raise IndexArtifactError(
                    f"{path}: checksum does not match the manifest; rebuild with `matcher index`"
                )
    return manifest
