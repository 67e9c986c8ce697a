"""The YAML parser's errors said as a reviewer's mistake and its fix. Pure.

The usual ways an edit breaks a leaflet YAML, each at the line where the
mistake is (not where the parser gave up) with what to do about it:

- a colon and a space inside text that is not in quotes (``Important: call the ward``);
- a quote that is opened and never closed;
- text after a closing quote (``'Anal stricture' or stenosis``);
- a list entry without its dash, or a line that is neither an entry nor ``key: value``;
- a tab (handled where the parser is called).

Anything else keeps the parser's own words.
"""

from __future__ import annotations

import yaml

_KEY_VALUE = ": "


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _colon_fix(line: str) -> str:
    """``  - paragraph: Important: call`` -> ``  - paragraph: "Important: call"``."""
    stripped = line.lstrip()
    indent = line[: len(line) - len(stripped)]
    dash = "- " if stripped.startswith("- ") else ""
    body = stripped[len(dash):]
    key, _, value = body.partition(_KEY_VALUE)
    return f"{indent}{dash}{key}: {_quoted(value.strip())}"


def explain(error: yaml.MarkedYAMLError, text: str) -> tuple[str, yaml.Mark | None]:
    """(message, where) for a YAML syntax error in ``text``."""
    lines = text.splitlines()
    problem = error.problem or str(error)
    context = error.context or ""
    mark = error.problem_mark or error.context_mark

    def line_at(where: yaml.Mark | None) -> str:
        return lines[where.line] if where is not None and where.line < len(lines) else ""

    if "mapping values are not allowed" in problem:
        line = line_at(mark)
        following = lines[mark.line + 1] if mark is not None and mark.line + 1 < len(lines) else ""
        goes_on = following.strip() and len(following) - len(following.lstrip()) > len(line) - len(line.lstrip())
        fix = _colon_fix(line).strip() if line.count(_KEY_VALUE) >= 2 else ""
        if fix and goes_on:  # text that runs over more lines: its quotes go around all of them
            fix = fix[:-1] + ' ... (to the end of the text)"'
        return (
            "a colon followed by a space inside text that is not in quotes reads as a new 'key: value'; "
            "put the whole text in double quotes" + (f": {fix}" if fix else ""),
            mark,
        )
    if "quoted scalar" in context and "end of stream" in problem:
        return (
            "a quote opened here is never closed; end the text with the same quote mark "
            "(inside double quotes write \\\" for a quote, inside single quotes write '')",
            error.context_mark or mark,
        )
    if "did not find expected key" in problem or "expected <block end>" in problem:
        line = line_at(mark).strip()
        value = line.removeprefix("- ").partition(_KEY_VALUE)[2] or line.removeprefix("- ")
        if value[:1] in "'\"" and value.rstrip()[-1:] != value[:1]:
            return (
                "text goes on after its closing quote; when text starts with a quote, all of it must be "
                f"inside the quotes: {_quoted(value)}",
                mark,
            )
    if "could not find expected ':'" in problem and "simple key" in context:
        where = error.context_mark or mark
        return (
            "this line is neither a list entry nor 'key: value': a list entry starts with '- ' "
            "(is its dash missing?), and text that goes on from the line above must be indented like it",
            where,
        )
    return f"invalid YAML: {problem}", mark
