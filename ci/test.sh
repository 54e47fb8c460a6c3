#!/usr/bin/env bash
# The project's own tests: the schema, the checks, the reference server, and the suite against each
# of the project's faulty servers. Extra arguments go to pytest.
source "$(dirname "$0")/_venv.sh"
exec python -m pytest tests/unit tests/selftest --junitxml=reports/test-junit.xml "$@"
