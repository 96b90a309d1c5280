# gosim: `make test` and `make book` set everything up on a fresh machine with python3 and make.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed

.PHONY: help install test nbval clean

help:
	@echo "make test      install (first time) and run unit, fidelity and notebook (nbval) tests"
	@echo "make install   create .venv with gosim and its tools; as root, apt-get gdb if missing"
	@echo "make clean     remove .venv and build outputs"

install: $(INSTALLED)
	@scripts/os-deps.sh

$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[book,test]'
	touch $@

test: install
	$(PY) -m pytest

nbval: install
	$(PY) -m pytest notebooks

clean:
	rm -rf $(VENV) _build .jupyter_cache .pytest_cache .hypothesis *.egg-info
