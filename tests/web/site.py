"""The workspace the buyer and supplier page tests run on: the whole sample register (398
suppliers), the requirements of two buyers, a key for each role, and one event whose
suppliers are the best matches of the two test searches (one in Vietnamese, one in Japanese).
The hashing encoder: ranked by words and the lexicon, fast and deterministic."""

from __future__ import annotations

import csv
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi import FastAPI

from api.app import create_app
from api.config import ApiSettings
from matcher.jobs import build_workspace_index, ingest_file
from matcher.services import search
from matcher.store import Workspace
from tests.conftest import SAMPLE, hashing

BUYER_A = "honda-vietnam"
BUYER_B = "canon-vietnam"
VI_QUERY = "dập liên hoàn giá đỡ thép"  # progressive die stamping of steel brackets
JA_QUERY = "射出成形"  # injection moulding
EVENT_SUPPLIERS = 5  # of each search's best


@dataclass
class Site:
    app: FastAPI
    workspace: Workspace
    keys: dict[str, str]  # "organiser", "buyer_a", "buyer_b", "supplier" → secret
    event_id: str
    supplier_id: str  # the firm the supplier key acts for: the Vietnamese search's best
    ja_supplier_id: str  # the Japanese search's best
    requirement_a: str  # a requirement of buyer A


def write_requirements(path: Path, buyers: tuple[str, ...]) -> Path:
    with (SAMPLE / "requirements.csv").open(encoding="utf-8", newline="") as src:
        rows = list(csv.reader(src))
    kept = [rows[0]] + [r for r in rows[1:] if r[1] in buyers]
    with path.open("w", encoding="utf-8", newline="") as out:
        csv.writer(out).writerows(kept)
    return path


_TEMPLATES: dict[str, Path] = {}


def template(factory: pytest.TempPathFactory) -> Path:
    """The register and its index, built once a test session; each site starts from a copy
    (opening built artifacts is a third of the time of building them)."""
    if "ws" not in _TEMPLATES:
        root = factory.mktemp("web-template")
        folder = root / "ws"
        ingest_file(folder, "suppliers", SAMPLE / "suppliers.csv")
        names = ("Honda Vietnam", "Canon Vietnam")
        ingest_file(folder, "requirements", write_requirements(root / "requirements.csv", names))
        build_workspace_index(folder, hashing())
        _TEMPLATES["ws"] = folder
    return _TEMPLATES["ws"]


def build_site(factory: pytest.TempPathFactory, name: str) -> Site:
    folder = factory.mktemp(name) / "ws"
    shutil.copytree(template(factory), folder)
    workspace = Workspace(folder)
    app = create_app(folder, hashing(), ApiSettings(rate_per_minute=1e9, rate_burst=10**9))
    context = app.state.context
    vi = [m.supplier_id for m in search(context.index, VI_QUERY, EVENT_SUPPLIERS).matches]
    ja = [m.supplier_id for m in search(context.index, JA_QUERY, EVENT_SUPPLIERS).matches]
    assert vi[0] != ja[0]
    event = context.events.create(
        {
            "name": "CNHT Hà Nội 2025",
            "date": "2025-11-20",
            "timezone": "Asia/Ho_Chi_Minh",
            "slots": [{"start": "09:00", "minutes": 20, "count": 6, "gap": 5}],
            "tables": 4,
            "floor": 0,
            "time_limit_s": 5,
            "interpreters": [
                {"id": "tv-1", "name": "Phiên dịch 1", "languages": ["vi", "en", "ja"]}
            ],
            "participants": [
                {"id": BUYER_A, "role": "buyer"},
                {"id": BUYER_B, "role": "buyer"},
                *({"id": s, "role": "supplier"} for s in dict.fromkeys(vi + ja)),
            ],
        }
    )
    keys = {
        "organiser": workspace.create_api_key("organiser")[1],
        "buyer_a": workspace.create_api_key("buyer", buyer_id=BUYER_A)[1],
        "buyer_b": workspace.create_api_key("buyer", buyer_id=BUYER_B)[1],
        "supplier": workspace.create_api_key("supplier", supplier_id=vi[0])[1],
    }
    requirements, _ = workspace.page_requirements(0, 1, BUYER_A)
    return Site(app, workspace, keys, event.event_id, vi[0], ja[0], requirements[0].requirement_id)
