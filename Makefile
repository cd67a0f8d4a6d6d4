# Set-up and entry points. `make demo` is the main job, `make test` runs every check.
# Both install what a fresh Debian machine lacks: Chromium, CJK fonts and npm if absent (apt),
# the project in .venv/ (pip), and the front-end libraries under fixtures/web (npm ci).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
APT_PACKAGES := chromium fonts-noto-cjk
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: setup system venv web demo test lint bench dist clean

setup: system venv web

system:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || missing="$$missing fonts-noto-cjk"; \
	command -v npm >/dev/null 2>&1 || missing="$$missing nodejs npm"; \
	if [ -n "$$missing" ]; then \
	  echo "Installing system packages:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi

venv: $(VENV)/.stamp-venv

$(VENV)/.stamp-venv: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

web: fixtures/web/node_modules/.stamp-web

fixtures/web/node_modules/.stamp-web: fixtures/web/package-lock.json
	cd fixtures/web && npm ci --no-audit --no-fund --loglevel=error
	touch $@

demo: setup
	$(BIN)/interceptor demo

lint: venv
	$(BIN)/ruff check interceptor tests benchmarks scripts fixtures/pages/make_recordings.py hatch_build.py
	$(BIN)/mypy

test: setup lint
	$(BIN)/pytest -q

bench: setup
	$(BIN)/python benchmarks/classify_throughput.py
	$(BIN)/python benchmarks/overlay_latency.py
	$(BIN)/python benchmarks/watcher_overhead.py
	$(BIN)/python benchmarks/shots_throughput.py

# The wheel and sdist a clerk installs (docs/install.md); the build hook copies the demo hall's
# front-end files from fixtures/web/node_modules, so `web` comes first.
dist: venv web
	rm -rf dist
	$(BIN)/python -m pip wheel -q --no-deps --no-build-isolation -w dist .
	$(BIN)/hatchling build -t sdist -d dist
	@ls -l dist

clean:
	rm -rf $(VENV) fixtures/web/node_modules out dist
