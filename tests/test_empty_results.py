"""An empty result says which hard filter emptied it: batch matching, the CLI search and the API."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from matcher.cli import app
from matcher.retrieve import describe_empty
from tests.support import Service

runner = CliRunner()


def test_a_filter_nobody_passes_is_named_as_the_cause() -> None:
    message = describe_empty({"certification IATF 16949": 0, "sector V": 12}, 40)
    assert message == (
        "no supplier passes all hard filters: certification IATF 16949 (held by 0 of 40), "
        "sector V (held by 12 of 40); no supplier at all passes certification IATF 16949"
    )


def test_filters_that_each_pass_some_but_not_together_are_named_as_a_combination() -> None:
    message = describe_empty({"certification ISO 9001": 3, "province ha noi": 5}, 40)
    assert message.endswith("each passes some suppliers, but none passes all of them together")
    assert "(held by 3 of 40)" in message and "(held by 5 of 40)" in message


def test_api_search_says_which_filter_left_no_supplier(service: Service) -> None:
    body = {"query": "metal stamping", "top_k": 5, "filters": {"certifications": ["ISO 13485"]}}
    page = service.client.post("/v1/search", json=body, headers=service.as_("buyer")).json()
    assert page["count"] == 0 and page["data"] == []
    assert "no supplier at all passes certification ISO 13485" in page["why_empty"]
    found = service.client.post(
        "/v1/search", json={"query": "metal stamping", "top_k": 5}, headers=service.as_("buyer")
    ).json()
    assert found["count"] > 0 and found["why_empty"] is None


def test_cli_search_says_which_filter_left_no_supplier(service: Service, tmp_path: Path) -> None:
    runner.invoke(app, ["index", "-w", str(service.workspace), "--encoder", "hashing"])
    result = runner.invoke(
        app,
        ["search", "metal stamping", "--cert", "ISO 13485", "-w", str(service.workspace)],
    )
    assert result.exit_code == 0, result.output
    assert "no supplier at all passes certification ISO 13485" in result.output
