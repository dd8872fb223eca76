# The two commands of the README:
#   make run   installs into .venv and starts the app on the bundled sample hospital
#   make test  installs into .venv and runs lint (ruff, import layers) and the whole test suite (unit, database, browser)
VENV ?= .venv
# The app listens on this machine only; set ADDRESS=0.0.0.0 behind a TLS reverse proxy to serve others.
ADDRESS ?= 127.0.0.1
PORT ?= 8501
PY := $(VENV)/bin/python

# Installs exactly what requirements.lock names, every file checked against its SHA-256 (pip --require-hashes), so
# a changed or substituted package on the index cannot get in. requirements*.txt list what we ask for; `make lock`
# resolves them into the lock (run it after changing them, and commit both; tests/test_lock.py checks they agree).
$(VENV)/.installed: requirements.lock
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --require-hashes --no-deps -r requirements.lock
	touch $@

.PHONY: run test lint lock
lock:
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet uv==0.13.9
	$(VENV)/bin/uv pip compile requirements-dev.txt --generate-hashes --python-version 3.11 \
		--python-platform x86_64-unknown-linux-gnu -o requirements.lock

run: $(VENV)/.installed
	$(PY) -m streamlit run app.py --server.address $(ADDRESS) --server.port $(PORT)

lint: $(VENV)/.installed
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(VENV)/bin/lint-imports

test: lint
	$(PY) -m pytest -n 2 --dist loadfile -p no:cacheprovider
