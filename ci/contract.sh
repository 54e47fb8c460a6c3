#!/usr/bin/env bash
# Run the contract suite against ENGAGE_BASE_URL, or the embedded reference server when it is unset.
# Exit 0: the contract holds. 1: it is violated. 64-78: a configuration or connection problem (README).
# Extra arguments go to pytest.
source "$(dirname "$0")/_venv.sh"
# --assert=plain: the suite's checks raise their own failures, and rewriting schemathesis' modules costs seconds.
exec python -m pytest tests/contract --assert=plain --junitxml=reports/contract-junit.xml -o junit_suite_name=engage-contract "$@"
