#!/usr/bin/env bash
# Re-pin every dependency from pyproject.toml (needs pip-tools in the venv).
set -euo pipefail
cd "$(dirname "$0")/.."
flags=(--quiet --strip-extras --no-emit-index-url --no-emit-find-links --no-emit-trusted-host)
.venv/bin/pip-compile "${flags[@]}" --output-file requirements.lock pyproject.toml
.venv/bin/pip-compile "${flags[@]}" --extra test --output-file requirements-test.lock pyproject.toml
