#!/usr/bin/env bash
# The project's own tests: the schema, the checks, the reference server, and the suite against each
# of the project's faulty servers. Extra arguments go to pytest.
source "$(dirname "$0")/_venv.sh"
# -n: one worker a core; each self-test runs the suite in a subprocess against a variant of the server.
exec python -m pytest tests/unit tests/selftest -n auto --junitxml=reports/test-junit.xml "$@"
