"""The scatter and merge, on in-process shards: the same candidates and the same ranking as one
process, whatever the cut, ties included."""

from __future__ import annotations

import json

import numpy as np
import pytest

from matcher.distributed import Shard
from matcher.engine import Engine, requirement_filters
from matcher.errors import IndexArtifactError
from matcher.normalise import normalise_requirement
from matcher.schemas import Requirement, Supplier
from tests.distributed.conftest import hashing_settings, local_shards, ranked


@pytest.mark.parametrize("n", [1, 2, 4])
def test_sample_matches_one_process(
    sample_engine: Engine, sample: tuple[list[Supplier], list[Requirement]], n: int
) -> None:
    requirements = sample[1]
    assert ranked(local_shards(sample_engine, n).match(requirements, 10)) == ranked(
        sample_engine.match(requirements, 10)
    )


@pytest.fixture(scope="module")
def twins(sample: tuple[list[Supplier], list[Requirement]]) -> Engine:
    """The sample with a copy of every fifth supplier at the end: equal dense and BM25 scores
    on both sides of every cut, so that the order of ties decides the lists."""
    suppliers = sample[0]
    copies = [s.model_copy(update={"supplier_id": f"{s.supplier_id}-twin"}) for s in suppliers[::5]]
    return Engine(hashing_settings()).build([*suppliers, *copies])


@pytest.mark.parametrize("n", [2, 3, 7])
def test_candidates_equal_with_ties_across_shards(
    twins: Engine, sample: tuple[list[Supplier], list[Requirement]], n: int
) -> None:
    scatter = local_shards(twins, n)
    requirements = sample[1]
    queries = []
    for r in requirements:
        req = normalise_requirement(r, twins.taxonomy, twins.lexicon)
        vector = twins.encoder.encode_requirements([req.text])[0]
        queries.append((req, vector))
    from matcher.distributed.scatter import merge

    built = [scatter._query(req, vector) for req, vector in queries]
    per_shard = scatter.shards.search(built, scatter.stats(built), 100)
    for q, (req, vector) in enumerate(queries):
        filters = requirement_filters(req.requirement, twins.settings.retrieve.requirement_filters)
        expected = twins.retriever_.retrieve(
            vector, req.lexical_text, filters, 10, req.translated_text
        )
        got, _ = merge([hits[q] for hits in per_shard], 100, twins.settings.retrieve.rrf_k)
        assert got == expected, req.requirement.requirement_id
    assert ranked(scatter.match(requirements, 10)) == ranked(twins.match(requirements, 10))


def test_why_empty_sums_the_shards(sample_engine: Engine) -> None:
    requirement = Requirement(
        requirement_id="r", buyer="b", description="ép nhựa", required_certifications=["AS9100"]
    )
    assert local_shards(sample_engine, 3).why_empty(requirement) == sample_engine.why_empty(
        requirement
    )


def test_shard_artifact_round_trip_and_damage(sample_engine: Engine, tmp_path) -> None:  # type: ignore[no-untyped-def]
    shard = local_shards(sample_engine, 2).shards.shards[1]  # type: ignore[attr-defined]
    folder = shard.save(tmp_path / "shard-001")
    loaded = Shard.load(folder, sample_engine.settings)
    assert np.array_equal(loaded.positions, shard.positions)
    assert loaded.fields["lexical"].vocab == shard.fields["lexical"].vocab
    assert np.array_equal(loaded.fields["lexical"].tf, shard.fields["lexical"].tf)
    # The normalised profiles come back whole (no normalising again at load) ...
    assert loaded.suppliers == shard.suppliers
    # ... and only under the normaliser they were made with.
    other = sample_engine.settings.model_copy(deep=True)
    other.normalise.lexicon = "off"
    with pytest.raises(IndexArtifactError, match="normalised with"):
        Shard.load(folder, other)
    # A flipped byte in a BM25 array is refused by the manifest's checksum, naming the file.
    tf = folder / "lexical.tf.npy"
    data = bytearray(tf.read_bytes())
    data[-1] ^= 1
    tf.write_bytes(bytes(data))
    with pytest.raises(IndexArtifactError, match=r"lexical\.tf\.npy"):
        Shard.load(folder, sample_engine.settings)


def test_shard_refuses_inconsistent_postings(sample_engine: Engine, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from matcher.artifacts import write_version

    shard = local_shards(sample_engine, 1).shards.shards[0]  # type: ignore[attr-defined]
    good = shard.save(tmp_path / "a")

    def fill(folder):  # type: ignore[no-untyped-def]
        for path in good.iterdir():
            if path.name != "manifest.json":
                (folder / path.name).write_bytes(path.read_bytes())
        terms = json.loads((good / "lexical.vocab.json").read_text())
        (folder / "lexical.vocab.json").write_text(json.dumps(terms[:-1]))  # one term short

    bad = write_version(tmp_path / "b", fill, dict(shard.meta))
    with pytest.raises(IndexArtifactError, match=r"lexical\.indptr\.npy"):
        Shard.load(bad, sample_engine.settings)


def test_an_index_from_vectors_embedded_elsewhere(
    sample_engine: Engine, sample: tuple[list[Supplier], list[Requirement]]
) -> None:
    """What `matcher index --engine ray` does with the shards' vectors: the same engine as
    Engine.build, and a refusal of rows that are not this register's chunks."""
    suppliers, requirements = sample
    vectors, owners = np.array(sample_engine.dense_.vectors_), sample_engine.dense_.owners_
    engine = Engine(hashing_settings()).build_from_vectors(suppliers, vectors, owners)
    assert ranked(engine.match(requirements[:20], 10)) == ranked(
        sample_engine.match(requirements[:20], 10)
    )
    with pytest.raises(IndexArtifactError, match="not this register's embedding"):
        Engine(hashing_settings()).build_from_vectors(suppliers[1:], vectors, owners)
    with pytest.raises(IndexArtifactError, match="not this register's embedding"):
        Engine(hashing_settings()).build_from_vectors(suppliers, vectors[:-1], owners[:-1])
