"""The evaluation notebook runs headless on a small slice of real results and draws its plot."""

from __future__ import annotations

import pytest

from matcher.config import Settings
from matcher.evaluation import evaluate_suite, external_dir

from .conftest import REPO

NOTEBOOK = REPO / "notebooks" / "evaluation.ipynb"


@pytest.mark.slow
@pytest.mark.skipif(not external_dir().exists(), reason="../shared/data/external is absent")
def test_evaluation_notebook_executes_on_a_slice(
    tmp_path: pytest.TempPathFactory, hashing_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    import nbformat
    from nbclient import NotebookClient

    out = tmp_path / "eval"  # type: ignore[operator]
    evaluate_suite(
        "hs-vi2en", ["bm25", "tfidf-char", "engine"], "test", hashing_settings, out, limit=40
    )
    monkeypatch.setenv("MATCHER_EVAL_DIR", str(out))
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(
        notebook,
        timeout=180,
        kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOK.parent)}},
    ).execute()

    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert any("image/png" in o.get("data", {}) for o in outputs), "no figure drawn"
    text = " ".join(str(o.get("data", {}).get("text/plain", "")) for o in outputs)
    assert "hs-vi2en" in text and "engine" in text
    assert (out / "ndcg.png").stat().st_size > 5_000
