"""The GitHub Action (``action.yml``) in Python: ``python -m openweights.cli.action``.

action.yml hands every input over as an environment variable (never by interpolating it into
shell text): ``INPUT_TARGET``, ``INPUT_REVISION``, ``INPUT_FAIL_UNDER``, ``INPUT_FAIL_ON``,
``INPUT_SARIF``, ``INPUT_REPORT``, ``INPUT_CONFIG``, ``INPUT_TOKEN``, ``INPUT_FORGE``,
``INPUT_ONLINE``, ``INPUT_GITHUB_TOKEN``. This module grades the model (asking GitHub for the
license of the code the card links, with the workflow's token, unless ``forge`` is false) and
then, in order:

- writes the JSON report (``INPUT_REPORT``, default ``$RUNNER_TEMP/owcheck-report.json``) and,
  when ``INPUT_SARIF`` names a file, the SARIF log;
- appends the Markdown scorecard and the gate results to ``$GITHUB_STEP_SUMMARY``;
- prints the text scorecard in a collapsed group and the annotations (at most 10 per level,
  worst first);
- with ``INPUT_BASELINE`` (a report of the last release, or a ref: a git ref of the checkout
  for a path, a Hub revision for a Hub id), compares the model with it (``openweights.diff``),
  adds the diff to the summary and fails the step when the terms got less open;
- sets the outputs ``grade``, ``tier``, ``findings`` (active findings), ``report``, ``sarif``
  and ``tightened`` (``true``/``false`` against the baseline, empty without one) in
  ``$GITHUB_OUTPUT``.

It exits 1 only when a gate (``fail-under``, ``fail-on``, the same keys in the config file, or
the baseline) fails; 2 for unusable input or configuration, 3 when the Hub cannot be reached.
"""

from __future__ import annotations

import os
import secrets
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from openweights import session
from openweights.choices import DiffFormat, Format, Letter, Severity
from openweights.config import Settings
from openweights.formats.github import escape_data, escape_property

INPUTS = ("target", "revision", "fail-under", "fail-on", "sarif", "report", "config", "token",
          "baseline", "forge", "online", "github-token")
"""Every input action.yml passes (as ``INPUT_<NAME>`` with ``-`` as ``_``)."""
OUTPUTS = ("grade", "tier", "findings", "report", "sarif", "tightened")
"""Every output this module sets."""
MAX_SUMMARY = 1024 * 1024 - 4096
"""GitHub refuses a step summary over 1 MiB; leave room for what other steps add."""


class ActionError(Exception):
    """An input or environment problem: reported as an error annotation, exit 2."""

    exit_code = 2


def read_input(env: Mapping[str, str], name: str) -> str:
    """An input's value (stripped; empty when unset)."""
    return env.get("INPUT_" + name.upper().replace("-", "_"), "").strip()


def set_outputs(env: Mapping[str, str], values: Mapping[str, str]) -> None:
    """Append ``name=value`` lines to ``$GITHUB_OUTPUT`` (a heredoc for multi-line values)."""
    path = env.get("GITHUB_OUTPUT")
    if not path:
        return
    lines = []
    for name, value in values.items():
        if "\n" in value or "\r" in value:
            delimiter = f"ghadelimiter_{secrets.token_hex(8)}"
            lines.append(f"{name}<<{delimiter}\n{value}\n{delimiter}\n")
        else:
            lines.append(f"{name}={value}\n")
    with open(path, "a", encoding="utf-8") as fh:
        fh.write("".join(lines))


def append_summary(env: Mapping[str, str], text: str) -> None:
    """Append Markdown to ``$GITHUB_STEP_SUMMARY``, cut to GitHub's size limit."""
    path = env.get("GITHUB_STEP_SUMMARY")
    if not path:
        return
    data = text.encode("utf-8")
    if len(data) > MAX_SUMMARY:
        data = data[:MAX_SUMMARY].decode("utf-8", errors="ignore").encode("utf-8")
        data += b"\n\n(summary cut to GitHub's size limit; see the JSON report)\n"
    with open(path, "ab") as fh:
        fh.write(data)


def _overrides(env: Mapping[str, str]) -> session.Overrides:
    fail_under = read_input(env, "fail-under").upper() or None
    if fail_under is not None and fail_under not in Letter.values():
        raise ActionError(f"input fail-under must be {Letter.spelled()}, not {fail_under!r}")
    fail_on = read_input(env, "fail-on").lower() or None
    if fail_on is not None and fail_on not in Severity.values():
        raise ActionError(f"input fail-on must be {Severity.spelled()}, not {fail_on!r}")
    return session.Overrides(
        fail_under=Letter(fail_under) if fail_under else None,
        fail_on=Severity(fail_on) if fail_on else None,
        origin="input {key}",
    )


def _flag(env: Mapping[str, str], name: str, default: bool) -> bool:
    value = read_input(env, name).lower()
    if not value:
        return default
    if value not in ("true", "false"):
        raise ActionError(f"input {name} must be true or false, not {value!r}")
    return value == "true"


def _write(path: Path, text: str) -> None:
    if path.parent != Path(""):
        path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def baseline_reports(
    env: Mapping[str, str], target: session.Target, settings: Settings
) -> list[dict[str, Any]] | None:
    """The baseline to compare with: a report file, or the model at a ref graded with the same
    settings (``session.at_ref``); None when unset."""
    from openweights.cli.diff import REPORT_SUFFIXES, is_report_file, read_reports
    from openweights.cli.run import CommandError

    baseline = read_input(env, "baseline")
    if not baseline:
        return None
    path = Path(baseline)
    if is_report_file(path):
        try:
            return read_reports(path)
        except CommandError as exc:
            raise ActionError(f"input baseline: {exc}") from None
    if path.suffix.lower() in REPORT_SUFFIXES:
        raise ActionError(f"input baseline: no such report: {baseline}")
    return [session.check(session.at_ref(target, baseline), settings).report.to_dict()]


def gate_summary(settings: Settings, failures: Sequence[str], baseline: str = "") -> str:
    """The gates, as Markdown lines for the summary."""
    from openweights.formats.markdown import escape

    gates = []
    if settings.fail_under:
        gates.append(escape(settings.gate("fail-under", settings.fail_under)))
    if settings.fail_on:
        gates.append(escape(settings.gate("fail-on", settings.fail_on)))
    if baseline:
        gates.append(f"baseline {escape(baseline)}")
    if not gates:
        return "\n**Gates:** none set (the step does not fail on findings).\n"
    if failures:
        return "\n**Gates failed:** " + "; ".join(failures) + ".\n"
    return f"\n**Gates passed:** {', '.join(gates)}.\n"


def run(env: Mapping[str, str]) -> int:
    """Grade, report, annotate, set outputs; return the exit status."""
    from openweights.formats import renderer

    overrides = _overrides(env)
    config = read_input(env, "config")
    github_token = read_input(env, "github-token")
    if github_token and not github_token.startswith("${{"):
        # The forge lookups read GitHub's token from the environment, as in any other run.
        os.environ["GITHUB_TOKEN"] = github_token
    target = session.Target(
        read_input(env, "target") or ".",
        revision=read_input(env, "revision") or None,
        token=read_input(env, "token") or None,
        forge=_flag(env, "forge", True),
        online=_flag(env, "online", False),
    )
    outcome = session.run(target, Path(config) if config else None, overrides=overrides)
    report, settings, failures = outcome.report, outcome.settings, [*outcome.gate_failures]
    baseline = baseline_reports(env, target, settings)
    diff = None
    if baseline is not None:
        from openweights.diff import diff_snapshots

        diff = diff_snapshots(baseline, [report.to_dict()])
        if diff.less_open:
            failures.append("terms got less open than the baseline")

    default_report = Path(env.get("RUNNER_TEMP") or ".") / "owcheck-report.json"
    report_path = Path(read_input(env, "report") or default_report)
    _write(report_path, renderer(Format.JSON)(report))
    sarif = read_input(env, "sarif")
    if sarif:
        _write(Path(sarif), renderer(Format.SARIF)(report))

    summary = renderer(Format.MARKDOWN)(report)
    if diff is not None:
        from openweights.formats.diff import render_diff

        summary += "\n" + render_diff(diff, DiffFormat.MARKDOWN)
    append_summary(env, summary + gate_summary(settings, failures, read_input(env, "baseline")))

    from openweights.formats.text import render as render_text

    out = sys.stdout
    out.write(f"::group::owcheck scorecard for {escape_data(report.subject_id)}\n")
    # Card text must never be read as a workflow command: pause command processing.
    pause = secrets.token_hex(16)
    out.write(f"::stop-commands::{pause}\n")
    out.write(render_text(report, color=False))
    out.write(f"::{pause}::\n")
    out.write("::endgroup::\n")
    out.write(renderer(Format.GITHUB)(report))
    if diff is not None:
        from openweights.formats.diff import render_diff

        out.write(f"::stop-commands::{pause}\n")
        out.write(render_diff(diff, DiffFormat.TEXT))
        out.write(f"::{pause}::\n")
    for reason in failures:
        out.write(f"owcheck: gate failed: {reason}\n")
    out.flush()

    set_outputs(
        env,
        {
            "grade": report.grade.letter.value,
            "tier": report.grade.tier.value,
            "findings": str(len(report.active_findings)),
            "report": str(report_path),
            "sarif": sarif,
            "tightened": "" if diff is None else str(diff.less_open).lower(),
        },
    )
    return session.EXIT_GATE if failures else session.EXIT_OK


def main(env: Mapping[str, str] | None = None) -> int:
    """Entry point: never a traceback; errors become one error annotation."""
    env = os.environ if env is None else env
    try:
        return run(env)
    except (ActionError, *session.ERRORS) as exc:
        message, code = str(exc), exc.exit_code
    except Exception as exc:  # a bug: one line, never a token
        from openweights.secrets import scrub

        message = f"internal error: {type(exc).__name__}: {exc}"
        message, code = scrub(message, read_input(env, "token")), 2
    sys.stdout.write(f"::error title={escape_property('owcheck')}::{escape_data(message)}\n")
    from openweights.formats.markdown import escape

    append_summary(env, f"## owcheck\n\nowcheck could not grade the model: {escape(message)}\n")
    sys.stdout.flush()
    return code


if __name__ == "__main__":
    from openweights.streams import setup_streams

    setup_streams()
    raise SystemExit(main())
