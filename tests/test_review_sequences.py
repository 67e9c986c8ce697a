"""Random sequences of what reviewers and sources do, through the command line: nothing a reviewer
wrote is ever lost, and every sentence the source adds reaches the reviewed file or is reported."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline import cli

from .conftest import ROOT

pytestmark = pytest.mark.slow  # many runs of the pipeline per example

SEED = "003_4a4ee41c62ba9be6"
STEPS = ("edit", "approve", "source", "extract", "accept", "accept --keep-mine", "dismiss")


def run(*args: str) -> int:
    return cli.run([*args, "-q"] if args[0] == "extract" else list(args))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(STEPS), min_size=3, max_size=10))
def test_nothing_a_reviewer_wrote_is_lost(tmp_path_factory, monkeypatch, capsys, steps):
    work = tmp_path_factory.mktemp("sequence")
    monkeypatch.chdir(work)
    (work / "input").mkdir()
    source = work / "input" / f"{SEED}.txt"
    shutil.copyfile(ROOT / "input" / f"{SEED}.txt", source)
    yaml_path, proposed = Path("output/yaml") / f"{SEED}.yaml", Path("output/yaml") / f"{SEED}.proposed.yaml"
    assert run("extract") == 0
    mine: list[str] = []  # sentences the reviewer wrote
    theirs: list[str] = []  # sentences the source added that have not reached the reviewed file
    for number, step in enumerate(steps):
        if step == "edit":
            sentence = f"Reviewer sentence {number}."
            text = yaml_path.read_text("utf-8")
            yaml_path.write_text(text.replace("  summary:\n", f"  summary:\n  - paragraph: {sentence}\n", 1), "utf-8")
            mine.append(sentence)
        elif step == "approve":
            text = yaml_path.read_text("utf-8").replace("status: draft", "status: approved")
            yaml_path.write_text(text.replace("status: reviewed", "status: approved"), "utf-8")
        elif step == "source":
            sentence = f"Source sentence {number}"
            text = source.read_text("utf-8").replace("Indications:\n\n", f"Indications:\n\n  • {sentence}\n", 1)
            source.write_text(text, "utf-8")
            theirs.append(sentence)
        elif step == "extract":
            assert run("extract") == 0
        elif step.startswith("accept"):
            offered = proposed.read_text("utf-8") if proposed.exists() else ""
            code = run("accept", SEED, *step.split()[1:])
            out = capsys.readouterr().out
            # The reviewer edits the summary, the source the indications: they never meet.
            assert "conflict" not in out
            if offered:
                assert code == 0 and not proposed.exists()
                arrived = yaml_path.read_text("utf-8")
                assert all(sentence in arrived for sentence in theirs if sentence in offered), (steps, number)
        else:
            run("dismiss", SEED)
            if not proposed.exists():
                theirs.clear()  # set aside on purpose
        capsys.readouterr()
        reviewed = yaml_path.read_text("utf-8")
        for sentence in mine:
            assert sentence in reviewed, (steps, number, sentence)
        theirs = [sentence for sentence in theirs if sentence not in reviewed]
