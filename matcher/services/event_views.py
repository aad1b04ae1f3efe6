"""What an organiser looks at once an event is planned: the slot × table grid of the stored
plan, the KPI charts (inline SVG drawn with matplotlib, nothing fetched by the browser) and the
direct suppliers a tier proposal finds for the event's buyers.

Everything here reads a stored plan (the rows of schedule.csv and kpis.json) and writes nothing.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from matcher.config import Settings
from matcher.normalise import buyer_id_of
from matcher.services.events import Events
from matcher.services.index import SearchIndex
from matcher.services.tiers import propose_for_workspace
from matcher.store import EventRecord, Workspace


@dataclass(frozen=True)
class Grid:
    """Slots down, tables across; ``cells[(slot_start, table)]`` is the meeting row there."""

    slots: list[tuple[str, str]]  # (start, end), ISO 8601, in time order
    tables: list[str]
    cells: dict[tuple[str, str], dict[str, Any]]


def meeting_grid(
    rows: Sequence[Mapping[str, Any]],
    tables: Sequence[str],
    slots: Sequence[tuple[str, str]] = (),
) -> Grid:
    """The grid of a plan's meetings: the event's ``slots`` and ``tables`` in its order, empty
    ones too (a slot or table named only by a meeting is added, so no meeting is ever hidden)."""
    slots = sorted({*slots, *((str(r["slot_start"]), str(r["slot_end"])) for r in rows)})
    names = list(dict.fromkeys([*tables, *(str(r["table"]) for r in rows)]))
    cells = {(str(r["slot_start"]), str(r["table"])): dict(r) for r in rows}
    return Grid(slots, names, cells)


def grid_of(events: Events, event_id: str) -> Grid:
    """The grid of an event's stored plan, with every slot and table of the event."""
    record = events.get(event_id)
    rows = events.planned(event_id)["meetings"]
    event = events.check(record.spec)
    slots = [(s.start.isoformat(), s.end.isoformat()) for s in event.slots]
    return meeting_grid(rows, event.tables, slots)


def event_tables(spec: Mapping[str, Any]) -> list[str]:
    """The table names of a stored spec (a number N names them T01 … TN)."""
    tables = spec.get("tables")
    if isinstance(tables, int) or (isinstance(tables, str) and tables.strip().isdigit()):
        return [f"T{i:02d}" for i in range(1, int(tables) + 1)]
    if isinstance(tables, list):
        return [str(t) for t in tables]
    return []


# -- charts ----------------------------------------------------------------------------------------
def _svg(draw: Any, name: str, width: float = 6.4, height: float = 3.2) -> str:
    """An SVG document of a figure ``draw(axes)`` fills in; text stays text (searchable)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.backends.backend_svg import FigureCanvasSVG
    from matplotlib.figure import Figure

    with matplotlib.rc_context({"svg.fonttype": "none", "font.size": 10}):
        figure = Figure(figsize=(width, height), layout="constrained")
        FigureCanvasSVG(figure)
        draw(figure.add_subplot())
        out = io.StringIO()
        figure.savefig(out, format="svg", metadata={"Date": None})
    svg = out.getvalue()
    svg = svg[svg.index("<svg") :]  # no XML prolog: the page inlines it
    # Several charts share a page: their element ids (and the references to them) get a prefix.
    return re.sub(r'(id="|url\(#|href="#)', rf"\1{name}-", svg)


def _histogram(kpis: Mapping[str, Any], key: str) -> dict[int, int]:
    raw = (kpis.get(key) or {}).get("histogram") or {}
    return {int(k): int(v) for k, v in raw.items()}


def meetings_per_firm_chart(kpis: Mapping[str, Any], labels: Mapping[str, str]) -> str:
    """Bars: how many buyers and suppliers have 0, 1, 2, … meetings."""
    buyers = _histogram(kpis, "meetings_per_buyer")
    suppliers = _histogram(kpis, "meetings_per_supplier")
    counts = sorted({*buyers, *suppliers}) or [0]

    def draw(ax: Any) -> None:
        xs = range(len(counts))
        ax.bar(
            [x - 0.2 for x in xs],
            [buyers.get(c, 0) for c in counts],
            0.4,
            label=labels["buyers"],
            color="#1f5fa8",
        )
        ax.bar(
            [x + 0.2 for x in xs],
            [suppliers.get(c, 0) for c in counts],
            0.4,
            label=labels["suppliers"],
            color="#e08a1e",
        )
        ax.set_xticks(list(xs), [str(c) for c in counts])
        ax.set_xlabel(labels["meetings"])
        ax.set_ylabel(labels["firms"])
        ax.legend(frameon=False)

    return _svg(draw, "per-firm")


def suppliers_met_chart(kpis: Mapping[str, Any], labels: Mapping[str, str]) -> str:
    """One bar split in two: suppliers with at least one meeting, and those with none."""
    total = int(kpis.get("suppliers") or 0)
    met = round(float(kpis.get("suppliers_with_meeting_share") or 0.0) * total)

    def draw(ax: Any) -> None:
        ax.barh([0], [met], color="#2e8b57", label=f"{labels['met']}: {met}")
        ax.barh(
            [0],
            [total - met],
            left=[met],
            color="#c0c0c0",
            label=f"{labels['not_met']}: {total - met}",
        )
        ax.set_yticks([])
        ax.set_xlim(0, max(total, 1))
        ax.set_xlabel(labels["suppliers"])
        ax.legend(frameon=False, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2)

    return _svg(draw, "met", height=2.0)


def suppliers_by_tier(
    rows: Sequence[Mapping[str, Any]], tiers: Mapping[str, int | None]
) -> dict[str, int]:
    """Suppliers met at the event by their register tier ('1' are direct suppliers already;
    '?' where the register gives none)."""
    met = {str(r["supplier_id"]) for r in rows}
    counts = Counter(str(tiers.get(s) or "?") for s in met)
    return {k: counts[k] for k in sorted(counts)}


def direct_suppliers_chart(
    by_sector: Mapping[str, Mapping[str, int]], labels: Mapping[str, str]
) -> str:
    """Bars by sector: the direct (tier-1) suppliers a tier proposal finds, ready or not."""
    sectors = sorted(by_sector) or ["-"]

    def draw(ax: Any) -> None:
        ready = [by_sector.get(s, {}).get("ready", 0) for s in sectors]
        firms = [by_sector.get(s, {}).get("firms", 0) for s in sectors]
        ax.bar(sectors, ready, color="#2e8b57", label=labels["ready"])
        ax.bar(
            sectors,
            [f - r for f, r in zip(firms, ready, strict=True)],
            bottom=ready,
            color="#e0b01e",
            label=labels["needs"],
        )
        ax.set_xlabel(labels["sector"])
        ax.set_ylabel(labels["firms"])
        ax.legend(frameon=False)

    return _svg(draw, "direct")


# -- direct suppliers ------------------------------------------------------------------------------
def event_buyer_names(workspace: Workspace, record: EventRecord) -> list[str]:
    """The names (as requirements give them) of the buyers taking part in the event."""
    ids = {p.get("id") for p in record.spec.get("participants") or [] if p.get("role") == "buyer"}
    names = {buyer_id_of(r): r.buyer for r in workspace.requirements()}
    return sorted({names[i] for i in ids if i in names})


def direct_suppliers(
    workspace: Workspace, index: SearchIndex, settings: Settings, record: EventRecord
) -> dict[str, Any]:
    """The tier proposal's direct-supplier figures for the event's buyers (firms, ready firms,
    already supplying, by sector): ``matcher tiers propose`` over the served register."""
    buyers = event_buyer_names(workspace, record)
    if not buyers:  # an empty list would propose for every buyer of the register
        return {"firms": 0, "ready_firms": 0, "already_supplying": 0, "by_sector": {}, "buyers": []}
    proposal = propose_for_workspace(workspace, index, settings, buyers=buyers)
    figures: dict[str, Any] = proposal["kpis"]["direct_suppliers"]
    return {**figures, "buyers": buyers}
