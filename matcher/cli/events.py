"""`matcher event plan|replan`: trade-fair B2B meetings, a thin Typer shell over
matcher.jobs.run_event_plan (allocation, schedule, agendas, ICS, KPIs, what-if)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

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
        what = Table(title="What if (the plan above is unchanged)")
        for col in summary.what_if[0]:
            what.add_column(str(col))
        for row in summary.what_if:
            what.add_row(*(str(v) for v in row.values()))
        out_console.print(what)


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
