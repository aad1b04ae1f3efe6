"""The structure docs/architecture.md describes, enforced: the import-linter contracts hold
(layers, no circles, typer only in the CLI, FastAPI only in the service), every unit of matcher/
sits in a layer, modules stay small, route handlers stay thin, and the drawing is current."""

from __future__ import annotations

import ast
import pkgutil
import subprocess
import sys
import tomllib
from pathlib import Path

import matcher

REPO = Path(__file__).resolve().parent.parent
MAX_MODULE_LINES = 500
MAX_HANDLER_LINES = 15


def layers() -> list[str]:
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    (contract,) = [c for c in config["tool"]["importlinter"]["contracts"] if c["type"] == "layers"]
    return [unit.strip() for layer in contract["layers"] for unit in layer.split("|")]


def test_the_import_contracts_hold() -> None:
    lint = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run([str(lint)], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "0 broken" in result.stdout


def test_every_unit_of_matcher_has_a_layer() -> None:
    units = {
        f"matcher.{info.name}"
        for info in pkgutil.iter_modules(matcher.__path__)
        if not info.name.startswith("_") or info.name == "__main__"
    }
    missing = sorted(units - set(layers()))
    assert not missing, f"add {missing} to a layer in pyproject.toml [tool.importlinter]"


def test_modules_stay_small_unless_their_docstring_says_why() -> None:
    too_long = set()
    for path in sorted([*(REPO / "matcher").rglob("*.py"), *(REPO / "api").rglob("*.py")]):
        text = path.read_text(encoding="utf-8")
        docstring = ast.get_docstring(ast.parse(text)) or ""
        if text.count("\n") > MAX_MODULE_LINES and "lines because" not in docstring:
            too_long.add(str(path.relative_to(REPO)))
    assert not too_long, sorted(too_long)


def test_route_handlers_are_thin() -> None:
    """A handler checks access and makes one service call; the logic is in matcher/services."""
    fat = set()
    for path in sorted((REPO / "api" / "routes").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            routed = any(
                isinstance(d, ast.Call)
                and isinstance(d.func, ast.Attribute)
                and isinstance(d.func.value, ast.Name)
                and d.func.value.id == "router"
                for d in node.decorator_list
            )
            body = node.body[1:] if ast.get_docstring(node) else node.body
            if routed and body:
                length = (body[-1].end_lineno or 0) - body[0].lineno + 1
                if length > MAX_HANDLER_LINES:
                    fat.add(f"{path.name}: {node.name}")
    assert not fat, sorted(fat)


def test_the_architecture_drawing_is_current() -> None:
    result = subprocess.run(
        [sys.executable, str(REPO / "docs" / "make_architecture.py"), "--check"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
