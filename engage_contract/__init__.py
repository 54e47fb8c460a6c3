"""engage-contract: a contract suite for the Pexip Engage REST API, and a reference server that honours it.

The packages are the layers, lowest first; a module imports only from its own layer and those below it
(tests/unit/test_layers.py holds every module to it):

    config, contract, tzdb, scrub, internals   the foundation: the target, the contract read from schema/,
                                                the tz database, credentials kept out of text, private APIs
    http/                                      a request out and its answer back: client, auth, pacing
    judging/                                   an exchange judged: checks, the judge, findings, the baseline
    probes/                                    hand-made requests, derived from the contract
    reporting/                                 what people read: summary, page, progress, readings
    running/                                   a run: its lanes, workers, journal, restore, schemathesis
    plugin                                     the pytest plugin that wires a run into a session

reference/ (the embedded reference server) imports the contract and the tz database only: it knows the contract,
not the suite.
"""

__version__ = "0.1.0"
