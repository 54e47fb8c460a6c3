"""The project's pytest plugin: engage_contract/plugin.py."""

pytest_plugins = ["engage_contract.plugin"]
