"""Hostile YAML: unsafe tags, alias bombs, absurd nesting and oversize files are refused, quickly and clearly.

Reviewers edit YAML by hand, so ``render`` and ``check`` (and the index and
review page, which peek into every YAML) meet whatever a file holds. Each
refusal is one line with the file and, where there is one, the line and column.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline import cli
from pipeline.review.check import check_text
from pipeline.yamlio import dump_leaflet

from .conftest import ROOT, leaflet_from_bytes

pytestmark = pytest.mark.slow  # processes, PDFs, a browser or many examples: CI runs it, the quick subset does not

GOOD_INPUT = sorted((ROOT / "input").glob("*.txt"))[0]
ALIASES = "YAML anchors and aliases (&name, *name) are not allowed"


def good_yaml(doc_id: str = "doc") -> str:
    data = GOOD_INPUT.read_bytes()
    return dump_leaflet(leaflet_from_bytes(data, doc_id=doc_id, source_path=f"input/{doc_id}.txt"))


def billion_laughs(levels: int = 9) -> str:
    """The classic bomb: nine levels of nine aliases, 9**9 (387 million) strings once expanded."""
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    names = "abcdefghijklmnopqrstuvwxyz"
    for level in range(1, levels):
        previous, name = names[level - 1], names[level]
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]")
    lines.append(f"title: *{names[levels - 1]}")
    return "\n".join(lines) + "\n"


@pytest.fixture
def yaml_dir(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "output" / "yaml"
    folder.mkdir(parents=True)
    return folder


def run(capsys, *args: str) -> tuple[int, list[str]]:
    code = cli.run(list(args))
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return code, (captured.out + captured.err).splitlines()


UNSAFE_TAGS = [
    ('!!python/object/apply:os.system ["touch pwned"]', "tag:yaml.org,2002:python/object/apply:os.system"),
    ('!!python/object/new:os.system ["touch pwned"]', "tag:yaml.org,2002:python/object/new:os.system"),
    ("!!python/name:os.system", "tag:yaml.org,2002:python/name:os.system"),
    ("!!python/module:os", "tag:yaml.org,2002:python/module:os"),
    ("!!python/object:pipeline.model.Leaflet {}", "tag:yaml.org,2002:python/object:pipeline.model.Leaflet"),
    ("!local-tag value", "!local-tag"),
]


@pytest.mark.parametrize(("value", "tag"), UNSAFE_TAGS, ids=[tag.rsplit(":", 1)[-1] for _, tag in UNSAFE_TAGS])
def test_unsafe_tags_are_refused_by_check_and_render_with_line_and_column(yaml_dir, capsys, value, tag):
    text = good_yaml()
    assert text.splitlines()[3].startswith("title: ")
    (yaml_dir / "doc.yaml").write_text(text.replace(text.splitlines()[3], f"title: {value}", 1), "utf-8")
    message = f"invalid YAML: could not determine a constructor for the tag '{tag}'"

    code, lines = run(capsys, "check")
    assert code == 1
    assert f"output/yaml/doc.yaml:4:8: error: {message}" in lines

    code, lines = run(capsys, "render", "-j", "1")
    assert code == 1
    assert f"output/yaml/doc.yaml: error: line 4, column 8: {message}" in lines
    assert not Path("pwned").exists()


def test_an_alias_bomb_is_refused_at_once(yaml_dir, capsys):
    (yaml_dir / "bomb.yaml").write_text(billion_laughs(), "utf-8")
    message = ALIASES

    started = time.perf_counter()
    assert check_text(billion_laughs(), dt_today())[0].message == message
    in_process = time.perf_counter() - started

    started = time.perf_counter()
    code, lines = run(capsys, "check")
    check_seconds = time.perf_counter() - started
    assert (code, lines[0]) == (1, f"output/yaml/bomb.yaml:1:4: error: {message}")

    started = time.perf_counter()
    code, lines = run(capsys, "render", "-j", "1")
    render_seconds = time.perf_counter() - started
    assert code == 1
    assert f"output/yaml/bomb.yaml: error: line 1, column 4: {message}" in lines
    # The refusal itself takes about a millisecond; the bounds leave room for a busy shared machine
    # (the render command also sets up the renderer and a worker).
    assert in_process < 1.0, in_process
    assert check_seconds < 5.0 and render_seconds < 5.0, (check_seconds, render_seconds)


def test_a_bomb_in_a_leaflet_field_is_refused_too(yaml_dir, capsys):
    text = good_yaml().replace("  notes: null", "  notes: &n [x, x, x, x, x, x, x, x, x]\n  reviewer_notes: *n")
    (yaml_dir / "doc.yaml").write_text(text, "utf-8")
    line = next(number for number, content in enumerate(text.splitlines(), 1) if "&n" in content)
    code, lines = run(capsys, "check")
    assert (code, lines[0]) == (1, f"output/yaml/doc.yaml:{line}:10: error: {ALIASES}")


def test_the_index_and_approved_only_never_expand_a_bomb(yaml_dir, capsys):
    """The main process peeks into YAML for --approved-only and to rebuild index.html: no expansion there either."""
    (yaml_dir / "doc.yaml").write_text(good_yaml(), "utf-8")
    assert run(capsys, "render", "-j", "1")[0] == 0
    bomb = billion_laughs().replace("title:", "review: {status: approved}\ntitle:")
    (yaml_dir / "bomb.yaml").write_text(bomb, "utf-8")
    (yaml_dir.parent / ".leaflets" / "rendered.json").unlink()  # index.html is then rebuilt from the YAML

    started = time.perf_counter()
    code, lines = run(capsys, "render", "-j", "1", "--approved-only")
    assert code == 1 and time.perf_counter() - started < 10
    assert f"output/yaml/bomb.yaml: error: line 1, column 4: {ALIASES}" in lines
    code, lines = run(capsys, "render", "-j", "1")
    assert code == 1 and time.perf_counter() - started < 20
    assert "doc.html" in (yaml_dir.parent / "index.html").read_text("utf-8")


def test_oversize_yaml_is_refused_by_check_and_render(yaml_dir, capsys):
    text = good_yaml()
    padding = "# " + "x" * 78 + "\n"
    text += padding * (1024 * 1024 // len(padding) + 1)
    (yaml_dir / "big.yaml").write_text(text, "utf-8")
    size = len(text.encode("utf-8"))
    message = f"file is {size:,} bytes; the limit for a leaflet YAML is 1,048,576"

    code, lines = run(capsys, "check")
    assert (code, lines[0]) == (1, f"output/yaml/big.yaml: error: {message}")
    code, lines = run(capsys, "render", "-j", "1")
    assert code == 1
    assert f"output/yaml/big.yaml: error: {message}" in lines


def leaflets(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "pipeline", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("title: " + "[" * 50_000 + "]" * 50_000 + "\n", "1:107"),  # crashed libyaml's composer (SIGSEGV)
        ("".join(" " * level + "a:\n" for level in range(1200)), "101:101"),  # RecursionError in Python
    ],
    ids=["flow", "block"],
)
def test_absurd_nesting_is_refused_without_crashing_any_command(tmp_path, text, where):
    """In a separate process: a regression here kills the process outright."""
    (tmp_path / "output" / "yaml").mkdir(parents=True)
    (tmp_path / "output" / "yaml" / "deep.yaml").write_text(text, "utf-8")
    line, column = where.split(":")
    message = "YAML nested more than 100 levels deep; a leaflet needs fewer than 10"

    check = leaflets("check", cwd=tmp_path)
    assert check.returncode == 1, check.stderr[-2000:]
    assert check.stdout.splitlines() == [f"output/yaml/deep.yaml:{where}: error: {message}"]

    render = leaflets("render", "-j", "1", cwd=tmp_path)
    assert render.returncode == 1, render.stderr[-2000:]
    assert "Traceback" not in render.stderr
    errors = [line for line in render.stderr.splitlines() if "error:" in line]
    assert errors == [f"output/yaml/deep.yaml: error: line {line}, column {column}: {message}"]
    assert (tmp_path / "output" / "report.json").is_file()
    # The review page is still written, the file shown there as broken.
    page = (tmp_path / "output" / "review.html").read_text("utf-8")
    assert f"line {line}, column {column}: {message}" in page


def dt_today():
    import datetime as dt

    return dt.date.today()


HIDDEN = [
    ("\\u202e", "a text-direction character (U+202E RIGHT-TO-LEFT OVERRIDE)"),
    ("\\u2067", "a text-direction character (U+2067 RIGHT-TO-LEFT ISOLATE)"),
    ("\\u200f", "a text-direction character (U+200F RIGHT-TO-LEFT MARK)"),
    ("\\x07", "a control character (U+0007)"),
    ("\\x1b", "a control character (U+001B)"),
]


@pytest.mark.parametrize(("escape", "what"), HIDDEN, ids=[escape for escape, _ in HIDDEN])
def test_hidden_characters_in_a_reviewers_text_are_refused_at_their_line(yaml_dir, capsys, escape, what):
    """A YAML escape can put a character in the text that the page shows differently from the file
    (a right-to-left override turns the words after it around): check and render refuse it at its line."""
    text = good_yaml()
    lines = text.splitlines()
    number, line = next((n, content) for n, content in enumerate(lines, 1) if content.strip().startswith("- paragraph: "))
    indent, sentence = line.split("- paragraph: ", 1)
    lines[number - 1] = f'{indent}- paragraph: "Take 2 tablets, {escape}then 10 more."'
    while lines[number].startswith(indent + "  ") and not lines[number].strip().startswith("- "):
        del lines[number]  # the rest of the paragraph, folded onto more lines
    (yaml_dir / "doc.yaml").write_text("\n".join(lines) + "\n", "utf-8")
    column = len(indent) + len("- paragraph: ") + 1

    code, out = run(capsys, "check")
    assert code == 1
    assert out[0].startswith(f"output/yaml/doc.yaml:{number}:{column}: error: {what}"), out

    code, out = run(capsys, "render", "-j", "1")
    assert code == 1
    assert any(entry.startswith(f"output/yaml/doc.yaml: error: line {number}, column {column}: {what}") for entry in out), out
    assert not list(Path("output").glob("pdf/*.pdf"))
