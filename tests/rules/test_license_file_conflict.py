"""OW205 with SPDX expressions: ``license:`` agrees with a LICENSE file that holds any license
the expression names (the same reading OW214 uses), and disagrees with one it does not name."""

from __future__ import annotations

from pathlib import Path

from openweights.check import check_bundle
from openweights.report import Report
from openweights.sources.local import LocalSource
from tests.support import CORPUS, requires_corpus

# A title alone names a license owcheck holds no reference text of (status "named").
GROK_TITLE = "Grok 2 Community License Agreement\n\n(the agreement's terms follow)\n"


def _grade(root: Path, license_value: str, license_text: str | None = None) -> Report:
    root.mkdir()
    (root / "README.md").write_text(f"---\nlicense: {license_value}\n---\n# A model\n",
                                    encoding="utf-8")
    if license_text is not None:
        (root / "LICENSE").write_text(license_text, encoding="utf-8")
    (root / "model.safetensors").write_bytes(b"weights\n")
    return check_bundle(LocalSource().fetch(str(root)))


def _ow205(report: Report) -> list[str]:
    return [f.message for f in report.active_findings if f.rule == "OW205"]


def test_an_expression_agrees_with_a_file_holding_any_license_it_names(tmp_path: Path) -> None:
    report = _grade(tmp_path / "a", "grok2-community OR apache-2.0", GROK_TITLE)
    assert _ow205(report) == []
    assert not [f for f in report.active_findings if f.rule == "OW214"]


def test_an_expression_that_does_not_name_the_files_license_conflicts(tmp_path: Path) -> None:
    report = _grade(tmp_path / "a", "MIT OR Apache-2.0", GROK_TITLE)
    [message] = _ow205(report)
    assert message.startswith("metadata says MIT OR Apache-2.0 but LICENSE is grok2-community")
    # A single id is named by its catalogue id, as before.
    [single] = _ow205(_grade(tmp_path / "b", "apache-2.0", GROK_TITLE))
    assert single.startswith("metadata says apache-2.0 but LICENSE is grok2-community")


@requires_corpus
def test_mit_or_apache_with_the_apache_text_is_no_conflict(tmp_path: Path) -> None:
    text = (CORPUS / "licenses" / "apache-2.0.txt").read_text(encoding="utf-8")
    report = _grade(tmp_path / "a", "MIT OR Apache-2.0", text)
    assert report.evidence.license_files[0].status == "match"
    assert _ow205(report) == []
    weights = report.evidence.weights.license
    assert weights.entry is not None and weights.entry.id == "apache-2.0"
