"""Draw the architecture from the code: the import graph between the top-level units of
``matcher`` and ``api``, grouped by the layers that pyproject.toml's import-linter contract
declares.

    python docs/make_architecture.py          # rewrite the graph in docs/architecture.md + .png
    python docs/make_architecture.py --check  # exit 1 when the drawing is stale (tests run it)

A unit is a top-level module or package (``matcher.tiers`` stands for all of matcher/tiers/);
an arrow ``a --> b`` means some module of ``a`` imports some module of ``b``.
"""

from __future__ import annotations

import argparse
import sys
import tomllib
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "architecture.md"
PICTURE = ROOT / "docs" / "architecture.png"
BEGIN, END = "<!-- graph:begin (docs/make_architecture.py) -->", "<!-- graph:end -->"


def layers() -> list[list[str]]:
    """The layers contract, top first; each layer a list of units."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    (contract,) = [c for c in contracts if c["type"] == "layers"]
    return [
        [unit.strip() for unit in layer.replace(":", "|").split("|")]
        for layer in contract["layers"]
    ]


def unit_of(module: str, units: set[str]) -> str | None:
    parts = module.split(".")
    for n in range(len(parts), 0, -1):
        candidate = ".".join(parts[:n])
        if candidate in units:
            return candidate
    return None


def edges(units: set[str]) -> set[tuple[str, str]]:
    graph = grimp.build_graph("matcher", "api", cache_dir=None)
    found = set()
    for module in graph.modules:
        a = unit_of(module, units)
        for imported in graph.find_modules_directly_imported_by(module):
            b = unit_of(imported, units)
            if a and b and a != b:
                found.add((a, b))
    return found


def mermaid(stack: list[list[str]], arrows: set[tuple[str, str]]) -> str:
    def node(unit: str) -> str:
        return unit.replace(".", "_")

    lines = ["```mermaid", "flowchart TB"]
    for number, layer in enumerate(stack, start=1):
        lines.append(f"  subgraph L{number}[layer {number}]")
        lines.extend(f"    {node(u)}[{u}]" for u in layer)
        lines.append("  end")
    lines.extend(f"  {node(a)} --> {node(b)}" for a, b in sorted(arrows))
    lines.append("```")
    return "\n".join(lines)


def picture(stack: list[list[str]], arrows: set[tuple[str, str]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    where: dict[str, tuple[float, float]] = {}
    for row, layer in enumerate(stack):
        for col, unit in enumerate(layer):
            where[unit] = ((col + 0.5) / len(layer), -row)
    fig, ax = plt.subplots(figsize=(15, 1.3 * len(stack) + 1))
    for a, b in sorted(arrows):
        (x1, y1), (x2, y2) = where[a], where[b]
        ax.annotate(
            "",
            xy=(x2, y2 + 0.12),
            xytext=(x1, y1 - 0.12),
            arrowprops={"arrowstyle": "->", "color": "#8896a5", "lw": 0.6, "alpha": 0.7},
        )
    for unit, (x, y) in where.items():
        ax.text(
            x,
            y,
            unit.removeprefix("matcher."),
            ha="center",
            va="center",
            fontsize=9,
            bbox={"boxstyle": "round", "fc": "#eef3fb", "ec": "#33557a"},
        )
    for row in range(len(stack)):
        ax.text(-0.02, -row, f"layer {row + 1}", ha="right", va="center", fontsize=8, color="#555")
    ax.set_xlim(-0.1, 1.02)
    ax.set_ylim(-len(stack) + 0.5, 0.5)
    ax.axis("off")
    ax.set_title("matcher and api: who imports whom (arrows point down the layers)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the drawing is stale")
    args = parser.parse_args()
    stack = layers()
    arrows = edges({u for layer in stack for u in layer})
    block = f"{BEGIN}\n{mermaid(stack, arrows)}\n{END}"
    text = DOC.read_text(encoding="utf-8")
    start, end = text.index(BEGIN), text.index(END) + len(END)
    fresh = text[:start] + block + text[end:]
    if args.check:
        if fresh != text:
            print(f"{DOC} is stale: run `python docs/make_architecture.py`", file=sys.stderr)
            return 1
        return 0
    DOC.write_text(fresh, encoding="utf-8")
    picture(stack, arrows, PICTURE)
    print(f"wrote {DOC} and {PICTURE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
