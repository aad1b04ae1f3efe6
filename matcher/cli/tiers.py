"""`matcher tiers …`: supply-tier proposals, a thin Typer shell over matcher.tiers."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, cast

import typer
from rich.table import Table

from matcher.cli.support import (
    EncoderOpt,
    RichReporter,
    _domain_errors,
    _report_duplicates,
    _settings,
    err_console,
    out_console,
)
from matcher.tiers import DEFAULT_INPUTS, CertificationMode, run_tiers

tiers_app = typer.Typer(
    help="Supply-tier connections: propose assembler ← tier-1 ← tier-2 chains and gap lists.\n\n"
    "Example: matcher tiers propose --suppliers data/sample/suppliers.csv "
    "--requirements data/sample/requirements.csv --out out/tiers",
    no_args_is_help=True,
    add_completion=False,
)


@tiers_app.callback()
def tiers() -> None:
    """Supply-tier connections (a group, so that `propose` keeps its name when run on its own)."""


@tiers_app.command("propose")
def propose(
    suppliers: Annotated[Path, typer.Option(help="Supplier register (CSV, XLSX, JSON, JSONL).")],
    requirements: Annotated[
        Path, typer.Option(help="Assembler requirements (CSV, XLSX, JSON, JSONL).")
    ],
    out: Annotated[
        Path,
        typer.Option(
            help="Output folder: network.json, network.graphml, network.png/.svg, chains.csv, "
            "gaps.xlsx, kpis.json."
        ),
    ],
    top: Annotated[int, typer.Option(min=1, help="Tier-1 firms proposed per requirement.")] = 5,
    top_lower: Annotated[
        int, typer.Option(min=1, help="Lower-tier firms proposed per input of a firm.")
    ] = 3,
    depth: Annotated[
        int, typer.Option(min=1, max=3, help="Supplier tiers to propose (2: tier-1 and tier-2).")
    ] = 2,
    max_inputs: Annotated[
        int, typer.Option(min=1, help="At most this many derived inputs per firm.")
    ] = 4,
    buyer: Annotated[
        list[str] | None,
        typer.Option(help="Only this assembler (name, part of a name, or buyer id; repeatable)."),
    ] = None,
    certifications: Annotated[
        str,
        typer.Option(
            help="'gap': firms lacking a required certificate are proposed and labelled 'needs'; "
            "'filter': they are left out, as in `matcher match`."
        ),
    ] = "gap",
    inputs: Annotated[
        Path, typer.Option(help="Product/process → input mapping (CSV, see docs/tiers.md).")
    ] = DEFAULT_INPUTS,
    picture_buyer: Annotated[
        str | None, typer.Option(help="Draw this assembler (default: the one with most chains).")
    ] = None,
    picture_sector: Annotated[
        str | None, typer.Option(help="Draw one sector (I–VI) instead of one assembler.")
    ] = None,
    picture_chains: Annotated[int, typer.Option(min=1, help="Best chains drawn.")] = 12,
    encoder: EncoderOpt = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bars.")] = False,
) -> None:
    """Propose tier-1 firms for each requirement and tier-2 firms for their inputs; list the gaps.

    Example: matcher tiers propose --suppliers data/sample/suppliers.csv
    --requirements data/sample/requirements.csv --buyer Honda --out out/tiers
    """
    with _domain_errors():
        summary = run_tiers(
            suppliers,
            requirements,
            out,
            buyers=buyer or [],
            top_k=top,
            lower_top_k=top_lower,
            depth=depth,
            max_inputs=max_inputs,
            # run_tiers rejects any other value with the valid choices
            certifications=cast(CertificationMode, certifications),
            inputs_path=inputs,
            picture_buyer=picture_buyer,
            picture_sector=picture_sector,
            picture_chains=picture_chains,
            settings=_settings(encoder),
            reporter=RichReporter(not quiet),
        )
    _report_duplicates(summary.duplicates)
    k = summary.kpis
    table = Table(title=f"Supply-tier proposals → {out}")
    table.add_column("what")
    table.add_column("value", justify="right")
    rows = [
        ("assemblers", k["assemblers"]),
        ("assemblers with chains of depth ≥ 2", k["assemblers_with_chains_depth_2"]),
        ("requirements with a proposal", f"{k['requirements_with_proposal']}/{k['requirements']}"),
        ("firms proposed as direct suppliers", k["direct_suppliers"]["firms"]),
        ("… of them ready", k["direct_suppliers"]["ready_firms"]),
        ("links ready / needs", f"{k['links']['ready']} / {k['links']['needs']}"),
        ("chains (max depth)", f"{k['chains']['total']} ({k['chains']['max_depth']})"),
        ("firms at several tiers", k["firms_at_several_tiers"]),
    ]
    rows += [(f"gaps: {track}", n) for track, n in k["gaps"]["by_track"].items()]
    for what, value in rows:
        table.add_row(what, str(value))
    out_console.print(table)
    if summary.picture:
        err_console.print(
            f"Picture of {summary.picture_scope}: {summary.picture_nodes} firms, "
            f"{summary.picture_edges} links → {', '.join(str(p) for p in summary.picture)}",
            highlight=False,
        )
    err_console.print(
        f"Wrote {', '.join(summary.outputs)} in {summary.seconds['total']:.1f}s.", highlight=False
    )
