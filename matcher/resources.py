"""Where the files that ship with the product are: the ranker weights, the lexicon, the taxonomy,
the alias tables and the sample register (the repository's top-level ``models/`` and ``data/``).

The wheel carries them as package data under ``matcher/_shipped/`` (pyproject.toml maps the two
folders there), found through importlib.resources, so an installed product runs from any
directory and never needs the checkout. In a source checkout (an editable install) the same
relative paths live at the repository root, the layout the project keeps for its people; that is
the only case the second branch serves. Nothing here ever points outside these two places.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

_PACKAGED = "_shipped"
_CHECKOUT_ROOT = Path(__file__).resolve().parent.parent


def shipped(relative: str) -> Path:
    """The path of a shipped file or folder, e.g. ``shipped("models/ranker_weights.json")``."""
    # An installed wheel is unpacked on disk, so the Traversable is a real path (Settings hold
    # Paths, and the readers open them with open()).
    packaged = Path(str(files("matcher").joinpath(_PACKAGED, *relative.split("/"))))
    if packaged.exists():
        return packaged
    return _CHECKOUT_ROOT / relative


def shipped_roots() -> tuple[Path, ...]:
    """Every folder shipped files may come from (what a test of "reads nothing else" allows)."""
    packaged = Path(str(files("matcher").joinpath(_PACKAGED)))
    roots = [packaged] if packaged.exists() else []
    roots += [_CHECKOUT_ROOT / "models", _CHECKOUT_ROOT / "data"]
    return tuple(roots)
