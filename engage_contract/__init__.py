"""engage-contract: a contract suite for the Pexip Engage REST API, and a reference server that honours it."""

__version__ = "0.1.0"
