"""What the service tests share: the API over the 3-supplier, 3-requirement register with a key
for every role (the module-scoped ``service`` fixture in conftest.py starts one per test module),
the event those tests plan, and waiting for a real server process to be ready."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.config import ApiSettings
from matcher.config import Settings
from matcher.jobs import ingest_file
from matcher.store import Workspace
from tests.conftest import DATA, hashing

BUYER_A = "honda-vietnam"  # owns R1 of requirements_3.csv
BUYER_B = "canon-vietnam"  # owns R2
EVENT: dict[str, Any] = {
    "name": "API fair",
    "date": "2025-11-20",
    "slots": [{"start": "09:00", "minutes": 20, "count": 4, "gap": 5}],
    "tables": 2,
    "floor": 1,
    "time_limit_s": 5,
    "participants": [
        {"id": BUYER_A, "role": "buyer"},
        {"id": BUYER_B, "role": "buyer"},
        {"id": "S1", "role": "supplier"},
        {"id": "S2", "role": "supplier"},
        {"id": "S3", "role": "supplier"},
    ],
}
# A server process gets this long to answer /readyz: a guard against a hang, not a speed test.
READY_WITHIN_S = 300.0


@dataclass
class Service:
    client: TestClient
    workspace: Path
    keys: dict[str, str]  # role name → secret

    def as_(self, who: str) -> dict[str, str]:
        return {"X-API-Key": self.keys[who]}


def make_service(
    root: Path,
    api_settings: ApiSettings | None = None,
    settings: Settings | None = None,
) -> Service:
    """A workspace with the 3-supplier, 3-requirement register and a key for every role."""
    ingest_file(root, "suppliers", DATA / "suppliers_3.csv")
    ingest_file(root, "requirements", DATA / "requirements_3.csv")
    ws = Workspace(root)
    keys = {
        "admin": ws.create_api_key("admin")[1],
        "organiser": ws.create_api_key("organiser")[1],
        "buyer": ws.create_api_key("buyer", buyer_id=BUYER_A)[1],
        "buyer_b": ws.create_api_key("buyer", buyer_id=BUYER_B)[1],
        "supplier": ws.create_api_key("supplier", supplier_id="S1")[1],
        "supplier_s2": ws.create_api_key("supplier", supplier_id="S2")[1],
    }
    app = create_app(
        root,
        settings or hashing(),
        api_settings or ApiSettings(rate_per_minute=1e9, rate_burst=10**9),
    )
    return Service(TestClient(app), root, keys)


@contextmanager
def served(
    tmp_path_factory: pytest.TempPathFactory, name: str, api_settings: ApiSettings | None = None
) -> Iterator[Service]:
    """``make_service`` in a fresh folder, its client started, for a module-scoped fixture
    (which the function-scoped cache isolation of conftest.py does not reach)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MATCHER_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "cache"))
        svc = make_service(tmp_path_factory.mktemp(name), api_settings)
        with svc.client:
            yield svc


def wait_until_ready(base: str, server: subprocess.Popen[bytes]) -> None:
    """Return once the server at ``base`` answers /readyz with 200; fail if it exits first."""
    deadline = time.monotonic() + READY_WITHIN_S
    while server.poll() is None and time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/readyz", timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.25)
    code = server.poll()
    pytest.fail(
        f"the server exited with {code} before it was ready"
        if code is not None
        else f"the server was not ready within {READY_WITHIN_S:.0f} s"
    )
