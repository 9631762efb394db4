#!/usr/bin/env bash
# Install framing with its test tools into .venv and run the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[dev,postgres,mysql,parquet]'
.venv/bin/ruff check framing tests benchmarks scripts
.venv/bin/mypy
.venv/bin/lint-imports
.venv/bin/python -m pytest "$@"
