"""The encoder interface: texts of one side in, L2-normalised float32 rows out."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

Vectors = npt.NDArray[np.float32]
Progress = Callable[[int], None]  # called with the number of texts just encoded
Side = Literal["supplier", "requirement"]


def normalise_rows(vectors: npt.NDArray[Any]) -> Vectors:
    """Each row scaled to unit length (zero rows stay zero), as C-contiguous float32."""
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return np.ascontiguousarray(vectors / norms, dtype=np.float32)


class Encoder(ABC):
    """Turns supplier profiles and requirements into L2-normalised float32 vectors.

    A backend implements ``_encode`` (one batch, any scale); one that batches its own way (the
    ONNX encoder sorts the whole input by length, the cache skips known texts) overrides
    ``_encode_many`` instead of ``encode``, so the public signature and the empty-input answer are
    written once, here.
    """

    model_id: str
    cacheable: bool = True  # False for encoders whose vectors depend on a fitted corpus

    @abstractmethod
    def _encode(self, texts: Sequence[str], side: Side) -> Vectors: ...

    def fit(self, supplier_texts: Sequence[str]) -> Encoder:
        """Corpus-fitted encoders (TF-IDF) learn here; pretrained ones ignore it."""
        return self

    def encode(
        self,
        texts: Sequence[str],
        side: Side,
        *,
        batch_size: int = 32,
        progress: Progress | None = None,
    ) -> Vectors:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return self._encode_many(texts, side, batch_size, progress)

    def _encode_many(
        self, texts: Sequence[str], side: Side, batch_size: int, progress: Progress | None
    ) -> Vectors:
        """A non-empty input in the caller's batches of ``batch_size``, rows normalised."""
        parts = []
        for start in range(0, len(texts), batch_size):
            batch = texts[start : start + batch_size]
            parts.append(self._encode(batch, side))
            if progress is not None:
                progress(len(batch))
        return normalise_rows(np.vstack(parts))

    def encode_suppliers(self, texts: Sequence[str], **kwargs: Any) -> Vectors:
        return self.encode(texts, "supplier", **kwargs)

    def encode_requirements(self, texts: Sequence[str], **kwargs: Any) -> Vectors:
        return self.encode(texts, "requirement", **kwargs)

    @property
    @abstractmethod
    def dim(self) -> int: ...
