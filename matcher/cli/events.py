"""`matcher event plan|replan`: trade-fair B2B meetings, a thin Typer shell over
matcher.jobs.run_event_plan (allocation, schedule, agendas, ICS, KPIs, what-if)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from matcher import jobs
from matcher.cli.support import EncoderOpt, RichReporter, _domain_errors, _settings, out_console

event_app = typer.Typer(
    help="Plan trade-fair B2B meetings: allocation, schedule, agendas.", no_args_is_help=True
)


def _event(
    event: Path,
    suppliers: Path,
    requirements: Path,
    out: Path,
    top: int,
    locked: Path | None,
    what_if: list[str] | None,
    encoder: str | None,
    pdf: bool = False,
) -> None:
    with _domain_errors():
        summary = jobs.run_event_plan(
            event,
            suppliers,
            requirements,
            out,
            top,
            locked,
            what_if or [],
            _settings(encoder),
            RichReporter(),
            pdf=pdf,
        )
    k = summary.kpis
    table = Table(title=f"Event plan → {out}")
    table.add_column("what")
    table.add_column("value", justify="right")
    for key in (
        "meetings",
        "suppliers_with_meeting_share",
        "suppliers_at_floor_share",
        "mean_score",
        "slots_used",
        "slots_lower_bound",
        "idle_table_slots",
        "interpreted_meetings",
    ):
        if key in k:
            table.add_row(key, str(k[key]))
    solver = k.get("solver", {})
    table.add_row(
        "solver", f"{solver.get('method')} {solver.get('status')} gap {solver.get('gap')}"
    )
    out_console.print(table)
    for line in summary.diagnostics:
        out_console.print(f"- {line}", highlight=False)
    if summary.what_if:
        _print_what_if(k, summary.what_if)


_WHAT_IF_ROWS = (
    ("meetings", "meetings"),
    ("suppliers_with_meeting_share", "suppliers met"),
    ("suppliers_at_floor_share", "at the floor"),
    ("mean_score", "mean score"),
    ("idle_table_slots", "idle table-slots"),
    ("slots_used", "slots used"),
    ("suppliers_short", "suppliers short"),
)


def _print_what_if(kpis: dict[str, Any], rows: list[dict[str, Any]]) -> None:
    """One column per option beside the plan's, each value with its change: readable in 80
    columns for a few options (a column per KPI was cut to 'meeti…')."""
    what = Table(title="What if (the plan above is unchanged)")
    what.add_column("")
    what.add_column("plan", justify="right")
    for row in rows:
        what.add_column(str(row["option"]), justify="right")
    for key, label in _WHAT_IF_ROWS:
        before = kpis.get(key)  # the plan's (none for suppliers_short: not a KPI)
        cells = []
        for row in rows:
            value = row.get(key)
            if value is None or (key == "suppliers_short" and value == -1):
                cells.append("—")  # the option was not possible
            elif isinstance(before, int | float) and isinstance(value, int | float):
                cells.append(f"{value} ({float(value) - float(before):+.4g})")
            else:
                cells.append(str(value))
        what.add_row(label, "" if before is None else str(before), *cells)
    out_console.print(what)
    for row in rows:
        if row.get("note"):
            out_console.print(f"- {row['option']}: {row['note']}", highlight=False)


EventArg = Annotated[Path, typer.Argument(help="Event file: YAML, JSON or XLSX (docs/events.md).")]
SuppliersOpt = Annotated[Path, typer.Option(help="Supplier register (CSV, XLSX, JSON, JSONL).")]
RequirementsOpt = Annotated[Path, typer.Option(help="Buyer requirements file.")]
TopOpt = Annotated[int, typer.Option(min=1, help="Candidate suppliers per requirement.")]
WhatIfOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--what-if",
        help="Report the effect of e.g. 'tables+5', 'slots+2', "
        "'supplier_max+1', 'min_score=0.3' without changing the plan (repeatable).",
    ),
]
PdfOpt = Annotated[
    bool, typer.Option("--pdf", help="Also write each agenda and the floor plan as PDF.")
]


@event_app.command("plan")
def event_plan_cmd(
    event: EventArg,
    suppliers: SuppliersOpt,
    requirements: RequirementsOpt,
    out: Annotated[Path, typer.Option(help="Output folder (replaced whole).")],
    top: TopOpt = 20,
    what_if: WhatIfOpt = None,
    encoder: EncoderOpt = None,
    pdf: PdfOpt = False,
) -> None:
    """Choose meetings, schedule them into slots and tables, write lists, agendas, ICS and KPIs.

    Example: matcher event plan data/sample/event.yaml --suppliers data/sample/suppliers.csv
    --requirements data/sample/requirements.csv --out out/event --what-if tables+5
    """
    _event(event, suppliers, requirements, out, top, None, what_if, encoder, pdf)


@event_app.command("replan")
def event_replan_cmd(
    event: EventArg,
    suppliers: SuppliersOpt,
    requirements: RequirementsOpt,
    locked: Annotated[
        Path,
        typer.Option(
            help="Confirmed meetings: a schedule.csv cut down to the rows to keep where they are."
        ),
    ],
    out: Annotated[Path, typer.Option(help="Output folder (replaced whole).")],
    top: TopOpt = 20,
    what_if: WhatIfOpt = None,
    encoder: EncoderOpt = None,
    pdf: PdfOpt = False,
) -> None:
    """Plan again after late registrations; locked meetings keep their slot and table.

    Example: matcher event replan data/sample/event.yaml --locked confirmed.csv
    --suppliers suppliers_v2.csv --requirements data/sample/requirements.csv --out out/event2
    """
    _event(event, suppliers, requirements, out, top, locked, what_if, encoder, pdf)
