"""The pytest plugin (registered by the project's conftest.py): starts the run before pytest collects anything,
shares the generated cases and probes out among the lanes, turns a broken clause into one readable failure, stops
on a signal, restores the test customers at the end, and writes what the run leaves (summary, readings, page,
step summary), every credential scrubbed. The run itself is held by running.suite, and only there."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import sys
import threading
from pathlib import Path

import hypothesis
import pytest
import schemathesis
from hypothesis.database import DirectoryBasedExampleDatabase

from engage_contract import config as config_module
from engage_contract import internals, scrub
from engage_contract.config import ConfigError, ExitCode
from engage_contract.judging import baseline, checks
from engage_contract.judging.failures import CURL_DIR, Finding, Report, findings_in
from engage_contract.probes.probe import Family
from engage_contract.probes.realistic import realistic_bodies
from engage_contract.reporting import page, progress
from engage_contract.reporting import readings as readings_module
from engage_contract.reporting import summary as summary_module
from engage_contract.running import lanes, probing, suite, verdict, workers
from engage_contract.running.contract_run import ContractRun, readings_target
from engage_contract.running.restore import STOP_SIGNALS

# Loaded even when CI=true (hypothesis' own ci profile has no database): a failure found once is tried
# first next time, in CI too, where .hypothesis/ is cached.
hypothesis.settings.register_profile(
    "engage-contract",
    deadline=None,
    derandomize=False,  # CI=true would make hypothesis' parent profile derandomised, which forbids a database
    database=DirectoryBasedExampleDatabase(".hypothesis/examples"),
    suppress_health_check=list(hypothesis.HealthCheck),
    print_blob=True,
)
hypothesis.settings.load_profile("engage-contract")

_SESSION: pytest.Session | None = None
_STOPPED_BY: str | None = None  # the signal that stopped the run, if one did
_TARGET: config_module.Target | None = None
# The credentials of the run, as they are known (tokens are issued during it): kept out of every report.
_SCRUBBER = scrub.Scrubber(lambda: _run().secrets() if _run() is not None else _TARGET.secrets() if _TARGET else ())


def _run() -> ContractRun | None:
    """The run, once started (running.suite holds it)."""
    return suite.started()


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


@schemathesis.hook
def flatmap_body(context, body):
    """Fuzzed valid bodies get realistic time zones and places (the fuzzing phase only)."""
    return realistic_bodies(suite.generated_for(), body)


# The tests that run against a target, under the project's root: the contract suite, and the benchmark's bare loop.
TARGETED = (Path("tests") / "contract", Path("bench"))


def _runs_the_contract(config: pytest.Config) -> bool:
    """Whether tests that need a target are among those asked for (a path in them, or one above them)."""
    asked = [arg.split("::")[0] for arg in config.args] or config.getini("testpaths") or ["."]
    for arg in asked:
        path = (Path(config.invocation_params.dir) / arg).resolve()
        for folder in (config.rootpath.resolve() / target for target in TARGETED):
            if path == folder or folder in path.parents or (path in folder.parents and folder.name != "bench"):
                return True
    return False


@pytest.hookimpl(tryfirst=True)
def pytest_cmdline_main(config: pytest.Config) -> int | None:
    """Start the run before pytest does anything else, so that a configuration problem is one line and its
    own exit code, and nothing more."""
    if not _runs_the_contract(config) or suite.started() is not None or config.option.help or config.option.version:
        return None
    global _TARGET
    try:
        # Before the configuration is read: a run that stops on it must not leave an earlier run's verdict behind.
        _clear_earlier_reports(config)
        _TARGET = config_module.from_environment()
        scrub.Console(_SCRUBBER).start()
        _behind_pytests_capture(config)
        suite.begin(ContractRun.start(_TARGET, say=_say))
    except ConfigError as exc:
        decided = verdict.decide(verdict.Facts(did_not_start=(int(exc.exit_code), str(exc))))
        _say(f"engage-contract: {decided.says}")
        _junit_of_a_run_that_did_not_start(config, decided)
        return decided.exit_code
    if len(_run().lanes) > 1:
        workers.prepare()
    for judge in [lane.judge for lane in _run().lanes] + [_run().customerless_judge]:
        judge.give_up = _give_up
    for signum in STOP_SIGNALS:
        signal.signal(signum, _stop)
    return None


def _clear_earlier_reports(config: pytest.Config) -> None:
    """A page, a recording, a summary, readings, curl scripts or a JUnit file left by an earlier run are not this
    one's; a reports/ that cannot be written stops the run before its first request (73)."""
    junit = getattr(config.option, "xmlpath", None)
    try:
        for left in (suite.REPORT_DIR / "index.html", suite.RECORDING, summary_module.PATH, readings_module.PATH,
                     *([Path(junit)] if junit else [])):
            left.unlink(missing_ok=True)
        shutil.rmtree(CURL_DIR, ignore_errors=True)
        summary_module.PATH.parent.mkdir(parents=True, exist_ok=True)
        probe = summary_module.PATH.parent / ".engage-contract-writable"
        probe.write_text("")
        probe.unlink()
    except OSError as exc:
        raise ConfigError(f"the reports cannot be written in {summary_module.PATH.parent}/ ({exc.strerror or exc}): "
                          "make it writable, or run from a directory that is", ExitCode.REPORTS_UNWRITABLE) from None


def _junit_of_a_run_that_did_not_start(config: pytest.Config, decided: verdict.Verdict) -> None:
    """A JUnit file whose one error case says why the run stopped before its first case, and a summary with that
    outcome: a CI job that publishes them whatever happened shows the stop, not an empty green report."""
    with contextlib.suppress(OSError):  # reports/ may be what stopped it
        summary_module.write(summary_module.stopped_early(decided.outcome, decided.exit_code,
                                                          _SCRUBBER.text(decided.says)))
    junit = getattr(config.option, "xmlpath", None)
    if not junit:
        return
    from xml.sax.saxutils import quoteattr

    message = quoteattr(f"engage-contract did not start (exit {decided.exit_code}): {_SCRUBBER.text(decided.says)}")
    try:
        Path(junit).parent.mkdir(parents=True, exist_ok=True)
        Path(junit).write_text(
            '<?xml version="1.0" encoding="utf-8"?>\n<testsuites><testsuite name="engage-contract" tests="1" '
            f'errors="1" failures="0" skipped="0"><testcase classname="engage-contract" name="the run started">'
            f"<error message={message} /></testcase></testsuite></testsuites>\n", encoding="utf-8")
    except OSError:
        pass  # the line said why already; a JUnit nowhere to go is the CI's to notice


def _behind_pytests_capture(config: pytest.Config) -> None:
    # pytest's fd capture puts back the descriptors it saved before this run began (the terminal itself) after
    # every test, and writes captured output to them: they must lead into the scrubbed console too.
    for fd, saved in internals.saved_descriptors(config):
        os.dup2(fd, saved)


def _stop(signum: int, frame) -> None:
    # The request in flight finishes (or times out); then no case starts and the session ends, restoring the
    # customer. Raising KeyboardInterrupt here would not do: schemathesis' subtests swallow it into a failure
    # with a long traceback. A second signal stops harder, and the restore still runs.
    if _STOPPED_BY is not None:
        signal.default_int_handler(signum, frame)
    _stop_run(signal.Signals(signum).name)
    _say(f"engage-contract: {_STOPPED_BY} received: stopping after the requests in flight, then restoring")


def _stop_run(reason: str) -> None:
    global _STOPPED_BY
    _STOPPED_BY = _STOPPED_BY or reason
    _run().stop(_STOPPED_BY)
    if _SESSION is not None:
        _SESSION.shouldstop = f"interrupted ({_STOPPED_BY})"


_GIVING_UP = threading.Lock()  # lanes give up from their own threads


def _give_up(reason: str) -> None:
    # The environment does not let the run judge (a locked customer, a target that stopped answering): no case
    # starts any more, and the run ends with its own exit code unless something failed before.
    with _GIVING_UP:
        first = _run().gave_up is None
        _run().give_up(reason)
    if first:
        _say(f"engage-contract: {reason}: stopping, then restoring")
    if _SESSION is not None:
        _SESSION.shouldstop = f"could not judge: {reason}"


def pytest_pycollect_makeitem(collector: pytest.Collector, name: str, obj: object) -> list | None:
    """A module's declared probes (probes.probe) are items of their own, one a variant."""
    if isinstance(obj, Family):
        return probing.collected(collector, obj)
    return None


def pytest_deselected(items: list[pytest.Item]) -> None:
    # -k, -m and --deselect: a narrowed run may send no update at all, which proves nothing but breaks nothing.
    if _run() is not None and items:
        _run().narrowed = True


def pytest_collection_finish(session: pytest.Session) -> None:
    # The items that will run: after -k, --deselect and --lf.
    session.config.stash[probing.SENDER] = probing.Probes(session.items if _run() is not None else [])


def _probes() -> probing.Probes:
    found = _SESSION.config.stash.get(probing.SENDER, None) if _SESSION is not None else None
    return found if found is not None else probing.Probes([])


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    """The generated cases, shared out among the lanes, with the probes beside them."""
    if _run() is None or not probing.is_shared_out(pyfuncitem):
        return None
    if _run().judge.stopped_by is not None:
        pytest.skip(f"the run was stopped ({_run().judge.stopped_by})")
    lanes.send_shared_out(pyfuncitem, _run(), _probes(), stop=_stop_run)
    return True


@pytest.fixture(scope="session")
def contract_run() -> ContractRun:
    """The run, started before the session; restored and closed at its end."""
    if _run() is None:
        pytest.fail("engage-contract: the contract tests need the run the plugin starts (engage_contract/plugin.py)",
                    pytrace=False)
    return _run()


@pytest.fixture
def judge(contract_run: ContractRun):
    """The first lane's judge (the generated cases are shared out among every lane's)."""
    if contract_run.judge.stopped_by is not None:
        pytest.skip(f"the run was stopped ({contract_run.judge.stopped_by})")
    return contract_run.judge


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """A broken clause reads as the clause, what differed, the exchange and a curl line: once, without
    tracebacks; and the report carries no multi-KB hypothesis statistics."""
    report = yield
    item.user_properties[:] = [(name, value) for name, value in item.user_properties
                               if not name.startswith("hypothesis-statistics")]
    report.user_properties = list(item.user_properties)
    _as_findings(report, call)
    if report.skipped and isinstance(report.longrepr, tuple) and len(report.longrepr) == 3:
        # A skip raised in the suite's own machinery (a hook, the judge) is the test's, not a pluggy frame's.
        path, line, reason = report.longrepr
        report.longrepr = (item.location[0], (item.location[1] or 0) + 1, reason)
    return report


@pytest.hookimpl(trylast=True)
def pytest_exception_interact(node: pytest.Item, call: pytest.CallInfo, report: pytest.TestReport) -> None:
    # schemathesis' plugin rewrites a failed report's text here, after JUnit has read it; put ours back.
    _as_findings(report, call)


def _as_findings(report: pytest.TestReport, call: pytest.CallInfo) -> None:
    if report.failed and call.excinfo is not None:
        findings = findings_in(call.excinfo.value)
        if findings:
            report.longrepr = Report(findings)
            _FAILURES[report.nodeid] = report.longrepr
        else:
            test = report.nodeid.split("::")[-1]
            text = str(call.excinfo.value) if call.excinfo.value.args else ""
            if text.startswith(f"{checks.CONTRACT_EXERCISED}: "):  # a run-level verdict: nothing was exercised
                if checks.NOTHING_JUDGED in text:  # a run that could not judge, not a clause broken
                    _NO_VERDICT.add(report.nodeid)
                finding = Finding(checks.CONTRACT_EXERCISED, checks.CONTRACT_EXERCISED_CLAUSE,
                                  text.removeprefix(f"{checks.CONTRACT_EXERCISED}: {checks.CONTRACT_EXERCISED_CLAUSE}")
                                  .strip())
            else:  # the suite's own fault, not the API's: no clause, and no verdict
                finding = Finding(SUITE_ERROR, test, f"{call.excinfo.type.__name__}: {text}".strip().splitlines()[0])
            _FAILURES[report.nodeid] = Report([finding])


# What a failure that is no clause's is filed under: an error of the suite itself (a bug, a broken fixture).
SUITE_ERROR = "suite_error"
# ... and a run that the environment did not let judge.
NOT_JUDGED = "judged"
_NO_VERDICT: set[str] = set()  # the tests whose failure says that nothing was judged
_JUDGED = [0]  # the tests that gave a verdict: passed, or failed


# Failures by test, for the HTML page and the CI summary.
_FAILURES: dict[str, Report] = {}


def pytest_sessionstart(session: pytest.Session) -> None:
    global _SESSION
    _SESSION = session
    if _run() is not None:  # the terminal exists from here on
        live = session.config.stash[_PROGRESS] = progress.for_pytest(session.config)
        tallies = [lane.judge.tally for lane in _run().lanes]
        for lane in _run().lanes:  # lanes run side by side: the line counts them all
            lane.judge.on_case = lambda: live.update(_run().client.sent, sum(tally.cases for tally in tallies),
                                                     sum(tally.failing_cases for tally in tallies),
                                                     sum(tally.inconclusive_cases for tally in tallies))


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_logstart(nodeid: str, location) -> None:
    _progress_away()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    _progress_away()
    if report.when == "call" and not report.skipped:
        _JUDGED[0] += 1


def _progress_away() -> None:
    """pytest is about to write: the progress line makes way (it comes back with the next case)."""
    if _SESSION is not None and _PROGRESS in _SESSION.config.stash:
        _SESSION.config.stash[_PROGRESS].done()


def pytest_report_header(config: pytest.Config) -> list[str]:
    if _run() is None:
        return []
    where = _run().target.base_url or _run().client.base_url + " (embedded reference server)"
    customers = (f"customer {_run().customer_id}" if len(_run().lanes) == 1 else
                 f"customers {', '.join(_run().customer_ids)} in {len(_run().lanes)} lanes")
    return [f"engage-contract: target {where}, {customers}, profile {_run().target.profile.name}, "
            f"seed {_run().target.seed} (repeat with ENGAGE_SEED={_run().target.seed})"]


_PROGRESS = pytest.StashKey[progress.Progress]()


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _run() is None:
        return
    pytest_status = int(exitstatus)  # pytest's own, before the run's cases of its own count
    if _PROGRESS in session.config.stash:
        session.config.stash[_PROGRESS].done()
    problem = _run().restore(urgent=_STOPPED_BY is not None, say=_say)
    # Test cases of their own, so that JUnit and the counts say so too, not only the console.
    if problem:
        _report(session, "restore the test customer", "failed", problem)
    known = _run().judge.deviations
    for entry, finding in known.seen.values():
        _report(session, f"known deviation {entry.id}: {entry.check}", "skipped",
                (str(known.path), 1, f"{baseline.reason(entry)}: {finding.summary}"))
    for entry in known.expired():
        text = (f"the baseline entry {entry.id} ({entry.check}, {entry.signature}) expired on {entry.expires}: "
                f"fix the deviation, or give the entry a new date in {known.path}")
        _FAILURES[f"engage-contract::expired {entry.id}"] = Report([Finding(
            "known_deviation_expired", "A known deviation is accepted until its baseline entry's date.", text)])
        _report(session, f"known deviation {entry.id}: {entry.check}", "failed", text)
    _writing(f"the baseline {known.path}", known.save)
    for judge in [lane.judge for lane in _run().lanes] + [_run().customerless_judge]:
        for signature, finding in judge.read_back_findings.items():
            name = f"{finding.check}: {signature} (customer {judge.customer_id})"
            _FAILURES[f"engage-contract::{name}"] = Report([finding])
            _report(session, name, "failed", Report([finding]))
    _compare_readings(session)
    unjudged = _run().cannot_judge() if _STOPPED_BY is None else None
    if unjudged:
        text = f"the environment did not let the suite judge: {unjudged}"
        _FAILURES["engage-contract::judged"] = Report([Finding(NOT_JUDGED, "", text)])
        _report(session, "the environment lets the suite judge", "failed", text)
    if known.update:
        _say(f"engage-contract: wrote this run's failures into the baseline {known.path}")
    decided = verdict.decide(_facts(pytest_status, problem, unjudged))
    session.exitstatus = decided.exit_code
    global _SUMMARY
    _SUMMARY = _build_summary(decided, problem)
    # hypothesis' statistics are one lane's, and wrong for the run: the summary's counts are the run's.
    internals.junit_global_properties(session.config, summary_module.junit_properties(_SUMMARY),
                                      dropping="hypothesis-statistics")


_SUMMARY: dict | None = None  # the run's summary, once the session is over
_READINGS: dict | None = None  # what the target chose at the page's silences, once the session is over
_CHANGES: list[readings_module.Change] = []  # ... and what of it changed since ENGAGE_READINGS
READINGS_UNCHANGED = "readings_unchanged"
READINGS_UNCHANGED_CLAUSE = ("What the target chose where the page is silent is what it chose before "
                             "(ENGAGE_READINGS_STRICT=1).")


def _compare_readings(session: pytest.Session) -> None:
    """This run's readings, and what changed since the earlier ones: a warning, or (strict) a failure of its own."""
    global _READINGS, _CHANGES
    _READINGS = _run().readings.result()
    if _run().earlier_readings is None:
        return
    _CHANGES = readings_module.changes(_run().earlier_readings, _READINGS)
    if not (_CHANGES and _run().target.readings_strict):
        return
    text = f"{readings_module.in_words(_CHANGES)} since {_run().target.readings}: " + "; ".join(map(str, _CHANGES))
    _FAILURES["engage-contract::readings"] = Report([Finding(READINGS_UNCHANGED, READINGS_UNCHANGED_CLAUSE, text)])
    _report(session, "readings unchanged", "failed", text)


def _readings_summary() -> dict:
    return {"path": str(readings_module.PATH), "compared_with": _run().target.readings if _run().earlier_readings else None,
            "changed": [change.as_json() for change in _CHANGES],
            "not_reached": [name for name, row in (_READINGS or {}).items() if row["reading"] == readings_module.NOT_REACHED]}


def _facts(pytest_status: int, restore_problem: str | None, unjudged: str | None) -> verdict.Facts:
    """What the run found, gathered for the decision."""
    findings = [(test, finding) for test, report in _FAILURES.items() for finding in report.findings]
    return verdict.Facts(
        customers=tuple(_run().customer_ids), pytest_status=pytest_status, judged=_JUDGED[0],
        violated=tuple(sorted({finding.check for test, finding in findings if test not in _NO_VERDICT
                               and finding.check not in (NOT_JUDGED, SUITE_ERROR, READINGS_UNCHANGED)})),
        suite_errors=tuple(f"{finding.clause}: {(finding.message.splitlines() or [''])[0]}"
                           for _, finding in findings if finding.check == SUITE_ERROR),
        cannot_judge=unjudged, stopped_by=_STOPPED_BY, restore_problem=restore_problem,
        unrestored=tuple(_run().unrestored), narrowed=_run().narrowed,
        known_deviations=len(_run().judge.deviations.seen),
        readings_changed=f"{readings_module.in_words(_CHANGES)} since {_run().target.readings}" if _CHANGES else "",
        readings_strict=_run().target.readings_strict)


def _build_summary(decided: verdict.Verdict, restore_problem: str | None) -> dict:
    failures = [{"test": test.split("::")[-1], "check": finding.check, "clause": finding.clause,
                 "message": (finding.message.splitlines() or [""])[0]}
                for test, report in _FAILURES.items() for finding in report.findings]
    return summary_module.build(
        _run().summary(), outcome=decided.outcome, exit_code=decided.exit_code, says=decided.says, failures=failures,
        known=_run().judge.deviations, restore_problem=restore_problem, interrupted_by=_STOPPED_BY,
        embedded=_run().target.embedded, probes_sent_ahead=_probes().count, readings=_readings_summary())


def _report(session: pytest.Session, name: str, outcome: str, longrepr) -> None:
    """A test case of the run's own (a failed restore, a known deviation) in JUnit and in the final counts; not
    in the progress letters, which ended with the session."""
    report = pytest.TestReport(nodeid=f"engage-contract::{name}", location=("engage-contract", 0, name), keywords={},
                               outcome=outcome, longrepr=longrepr, when="call")
    internals.junit_add_case(session.config, report)
    terminal = session.config.pluginmanager.get_plugin("terminalreporter")
    if terminal is not None:
        terminal.stats.setdefault(outcome, []).append(report)
    if outcome == "failed":
        session.testsfailed += 1  # as pytest counts a failed test: a verdict that a run that could not judge keeps
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    if _run() is None or _SUMMARY is None:
        return
    write = terminalreporter.write_line
    terminalreporter.section("engage-contract coverage")
    for name, value in summary_module.coverage(_SUMMARY):
        write(f"{name:>23}: {value}")
    if _run().restore_problem:
        terminalreporter.section("RESTORE FAILED", red=True, bold=True)
        write(_run().restore_problem, red=True, bold=True)
    else:
        write(f"{'restored':>23}: {_customers()} "
              f"{'has its' if len(_run().lanes) == 1 else 'have their'} original values again")
    if _READINGS is not None:
        terminalreporter.section("engage-contract readings: what the target chose where the page is silent")
        for line in readings_module.console(_READINGS):
            write(line)
        if _run().earlier_readings is not None:
            if _run().earlier_target != readings_target(_run().target):
                write(f"compared with the readings of another target, {_run().earlier_target}", yellow=True)
            if _CHANGES:
                write(f"{readings_module.in_words(_CHANGES)} since {_run().target.readings}:", yellow=True, bold=True)
                for change in _CHANGES:
                    write(f"  {change}", yellow=True)
            else:
                write(f"nothing changed since {_run().target.readings}")


def pytest_unconfigure(config: pytest.Config) -> None:
    """Everything the run leaves, written from its summary; its last line says the verdict, where and how much."""
    if _run() is None:
        return
    index = suite.REPORT_DIR / "index.html"
    try:
        _run().close()
        if _SUMMARY is None:  # the session never finished (a usage error): nothing was judged
            return
        _writing("the summary", lambda: summary_module.write(_SUMMARY))
        _writing("the readings", _write_readings)
        if index.is_file():
            # schemathesis renders the generated cases' failures itself
            probes = [(test, str(text)) for test, text in _FAILURES.items() if "test_update_customer[" not in test]
            _writing("the page", lambda: page.annotate(index, _SUMMARY, probes, _run().client.timings.milliseconds(),
                                                       readings_module.html_table(_READINGS, _CHANGES)))
        if _run().target.step_summary:
            _writing(f"the step summary {_run().target.step_summary}",
                     lambda: summary_module.append_markdown(_run().target.step_summary, _SUMMARY,
                                                            readings_module.markdown(_READINGS, _CHANGES,
                                                                                     _SUMMARY["readings"]["compared_with"])))
    finally:  # whatever went wrong above, nothing the run wrote keeps a credential, and the verdict is said
        _writing("the scrubbed reports", _scrub_artefacts)
        if _SUMMARY is not None:
            print(summary_module.last_line(_SUMMARY, index if index.is_file() else None))


def _write_readings() -> None:
    """reports/readings.json; with ENGAGE_READINGS_UPDATE=1, this run's readings into ENGAGE_READINGS as well, where
    the run ended as it should (an interrupted one saw part of what it would have)."""
    target = _run().target

    def document(carried: dict | None = None) -> dict:
        return readings_module.document(_READINGS, readings_target(target), target.profile.name, target.seed, carried)

    readings_module.write(document())
    if not target.readings_update:
        return
    if _CHANGES and target.readings_strict:
        _say(f"engage-contract: {target.readings} is left as it was: with ENGAGE_READINGS_STRICT=1 a change is "
             "written only by a run that means to (without ENGAGE_READINGS_STRICT)")
    elif _SUMMARY["verdict"]["outcome"] not in ("interrupted", "error", "restore-failed"):
        readings_module.write(document(_run().earlier_readings), target.readings)
        _SCRUBBER.file(Path(target.readings))
        _say(f"engage-contract: wrote this run's readings into {target.readings}")


def _writing(what: str, write) -> None:
    """One artefact written; one that cannot be leaves a line, not a traceback, and the verdict stands."""
    try:
        write()
    except OSError as exc:
        _say(f"engage-contract: could not write {what}: {exc.strerror or exc}")


def _scrub_artefacts() -> None:
    """Every file the run wrote, bodies included: a server may have echoed a credential into them."""
    scrubbed = _SCRUBBER.files("reports")
    scrubbed += [Path(path) for path in (_run().target.step_summary, _run().judge.deviations.path)
                 if path and _SCRUBBER.file(Path(path))]
    if scrubbed:
        print(f"engage-contract: a credential of the run was found in {', '.join(map(str, scrubbed))} "
              f"(the target echoed it): replaced with {scrub.MASK}")


def _customers(ids: list[str] | None = None) -> str:
    ids = _run().customer_ids if ids is None else ids
    return f"customer{'s' if len(ids) > 1 else ''} {', '.join(ids)}"

