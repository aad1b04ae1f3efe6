from __future__ import annotations

import pytest

from matcher.ingest import IngestResult, load_suppliers
from matcher.schemas import Supplier
from tests.ingest.register import make_register


@pytest.fixture(scope="session")
def register(tmp_path_factory: pytest.TempPathFactory) -> IngestResult[Supplier]:
    """The hand-made register of tests/ingest/register.py, read once."""
    return load_suppliers(make_register(tmp_path_factory.mktemp("register") / "dn.xlsx"))
