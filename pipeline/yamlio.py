"""Leaflet <-> YAML text, the form clinical reviewers read and edit.

Dumping writes the contract's key order in block style, with PyYAML, after a
``yaml-language-server`` comment pointing at the published JSON Schema.
Loading uses safe loading only, validates against the same schema and turns
the result back into :mod:`pipeline.model` objects.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import json
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import yaml

from pipeline.config import MAX_YAML_BYTES, SCHEMA_FILENAME, schema_text
from pipeline.errors import LeafletFileError, PipelineError
from pipeline.hidden import hidden_character
from pipeline.model import (
    CANONICAL_SECTIONS,
    SOURCE_FIELDS,
    Block,
    Code,
    Contact,
    ExtraSection,
    Item,
    Leaflet,
    RemovedLine,
    Review,
    Source,
    SourceHeading,
)
from pipeline.yaml_errors import explain as explain_yaml_error

# Where generated YAML finds the schema: output/yaml/<id>.yaml -> output/leaflet.schema.json
SCHEMA_REFERENCE = f"../{SCHEMA_FILENAME}"
LINE_WIDTH = 88

if TYPE_CHECKING:
    import jsonschema

_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@functools.cache
def _validator() -> jsonschema.Draft202012Validator:
    import jsonschema  # ~80 ms to load: only when a document is to be explained

    schema = json.loads(schema_text())
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


# -- dumping -----------------------------------------------------------------


def item_to_data(item: Item) -> str | dict[str, Any]:
    if item.label is None and not item.items:
        return item.text
    data: dict[str, Any] = {"label": item.label} if item.label is not None else {}
    data["text"] = item.text
    if item.items:
        data["items"] = [item_to_data(sub) for sub in item.items]
    return data


def block_to_data(block: Block) -> dict[str, Any]:
    if block.kind == "paragraph":
        return {"paragraph": block.text}
    if block.kind == "group":
        return {"heading": block.heading, "content": content_to_data(block.blocks)}
    return {block.kind: [item_to_data(item) for item in block.items]}


def content_to_data(blocks: tuple[Block, ...]) -> list[dict[str, Any]]:
    return [block_to_data(block) for block in blocks]


def leaflet_to_data(leaflet: Leaflet) -> dict[str, Any]:
    """The document as plain data, keys in contract order (``code`` only when the page has one)."""
    code = {"code": dataclasses.asdict(leaflet.code)} if leaflet.code is not None else {}  # keys as the schema's
    return {
        "schema_version": leaflet.schema_version,
        "id": leaflet.id,
        "title": leaflet.title,
        **code,
        "also_known_as": list(leaflet.also_known_as),
        "technical_term": leaflet.technical_term,
        "sections": {key: content_to_data(leaflet.section(key)) for key in CANONICAL_SECTIONS},
        "extra_sections": [
            {"heading": extra.heading, "content": content_to_data(extra.content)}
            for extra in leaflet.extra_sections
        ],
        "contact": dataclasses.asdict(leaflet.contact) if leaflet.contact is not None else None,
        "sources": list(leaflet.sources),
        "review": dataclasses.asdict(leaflet.review),
        "source": source_to_data(leaflet.source),
    }


def source_to_data(source: Source) -> dict[str, Any]:
    data: dict[str, Any] = {
        "path": source.path,
        "sha256": source.sha256,
        "encoding": source.encoding,
        "removed": [removed.text for removed in source.removed],
        **source.fields(),
    }
    if source.headings:
        data["headings"] = [{"heading": found.heading, "section": found.section} for found in source.headings]
    return data


def dump_leaflet(leaflet: Leaflet, schema_reference: str = SCHEMA_REFERENCE) -> str:
    return f"# yaml-language-server: $schema={schema_reference}\n{dump_yaml(leaflet_to_data(leaflet))}"


def dump_yaml(data: dict[str, Any]) -> str:
    """Block style, keys in the order given, every character as itself; libyaml where it can."""
    text = _dump_with(data, _Dumper)
    if "\\U" in text and _Dumper is not yaml.SafeDumper:
        # libyaml writes characters beyond U+FFFF (emoji, rare CJK) as \U0001F600
        # escapes, which a reviewer cannot read; PyYAML's own emitter writes them as
        # themselves. Slower, and only for the rare document that has them.
        text = _dump_with(data, yaml.SafeDumper)
    return text


def _dump_with(data: dict[str, Any], dumper: type[yaml.SafeDumper]) -> str:
    return yaml.dump(
        data,
        Dumper=dumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=LINE_WIDTH,
        indent=2,
    )


# -- loading -----------------------------------------------------------------


def _jsonable(value: Any) -> Any:
    """YAML dates become ISO strings so the JSON Schema can check them."""
    if isinstance(value, dict):
        return {key: _jsonable(inner) for key, inner in value.items()}
    if isinstance(value, list):
        return [_jsonable(inner) for inner in value]
    if isinstance(value, dt.date):  # a datetime too
        return value.isoformat()
    return value


def _mark_error(message: str, mark: yaml.Mark | None) -> LeafletFileError:
    if mark is None:
        return LeafletFileError(message)
    return LeafletFileError(message, mark.line + 1, mark.column + 1)


def _refuse_aliases(text: str) -> None:
    """Anchors and aliases have no use in a leaflet and enable "billion laughs" bombs."""
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise _mark_error("YAML anchors and aliases (&name, *name) are not allowed", event.start_mark)


def compose_yaml(text: str) -> yaml.Node | None:
    """Text -> YAML node tree (with line/column marks); syntax errors and text holding a
    control or text-direction character (:mod:`pipeline.hidden`) raise."""
    try:
        _refuse_aliases(text)
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        if mark is not None and text.splitlines()[mark.line:mark.line + 1] and "\t" in text.splitlines()[mark.line]:
            raise _mark_error("invalid YAML: a tab character; YAML indents with spaces only", mark) from None
        message, mark = explain_yaml_error(error, text)
        raise _mark_error(message, mark) from None
    except yaml.YAMLError as error:
        raise LeafletFileError(f"invalid YAML: {error}") from None
    _refuse_hidden_characters(root)
    return root


def _refuse_hidden_characters(root: yaml.Node | None) -> None:
    """The first text (key or value) holding a hidden character raises, at that text."""
    waiting = [root] if root is not None else []
    while waiting:
        node = waiting.pop()
        if isinstance(node, yaml.ScalarNode):
            if problem := hidden_character(node.value):
                raise _mark_error(problem, node.start_mark)
        elif isinstance(node, yaml.SequenceNode):
            waiting.extend(reversed(node.value))
        else:
            waiting.extend(child for pair in reversed(node.value) for child in reversed(pair))


def construct(node: yaml.Node | None) -> Any:
    """Node tree -> plain data with the safe constructor; unsafe tags and bad dates raise."""
    if node is None:
        return None
    constructor = yaml.constructor.SafeConstructor()
    try:
        return constructor.construct_document(node)
    except yaml.MarkedYAMLError as error:
        raise _mark_error(f"invalid YAML: {error.problem or error}", error.problem_mark or error.context_mark) from None
    except (ValueError, TypeError, OverflowError) as error:
        # e.g. a date such as 2026-13-45 that matches the date pattern but does not exist
        raise _mark_error(f"invalid value: {error}", _first_bad_scalar(node)) from None


def _first_bad_scalar(node: yaml.Node) -> yaml.Mark | None:
    """The mark of the first scalar the safe constructor cannot build."""
    if isinstance(node, yaml.ScalarNode):
        try:
            yaml.constructor.SafeConstructor().construct_object(node)
        except Exception:  # noqa: BLE001 - we only look for where it fails
            return node.start_mark
        return None
    children = node.value if isinstance(node, yaml.SequenceNode) else [v for pair in node.value for v in pair]
    for child in children:
        mark = _first_bad_scalar(child)
        if mark is not None:
            return mark
    return None


# A leaflet YAML nests about 6 levels; far deeper nesting is an attack on the
# parser (a C-stack overflow in libyaml's composer, a RecursionError after it).
MAX_YAML_DEPTH = 100


def check_yaml_nesting(text: str, limit: int = MAX_YAML_DEPTH) -> None:
    """Refuse YAML nested deeper than ``limit``, from the parser's events (which need no recursion)."""
    try:
        _check_nesting_with(getattr(yaml, "CSafeLoader", yaml.SafeLoader), text, limit)
    except yaml.MarkedYAMLError as error:
        if "nesting depth" not in str(error.problem):
            return  # a syntax error: the full check reports it with its place
        # libyaml (0.2.6 on) stops at 1,000 levels while it scans ahead, before its
        # events reach ``limit``; PyYAML's own parser finds the level that passes it.
        try:
            _check_nesting_with(yaml.SafeLoader, text, limit)
        except yaml.YAMLError:
            return
    except yaml.YAMLError:
        return


def _check_nesting_with(loader: type, text: str, limit: int) -> None:
    depth = 0
    for event in yaml.parse(text, Loader=loader):
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > limit:
                mark = event.start_mark
                message = f"YAML nested more than {limit} levels deep; a leaflet needs fewer than 10"
                raise LeafletFileError(message, mark.line + 1, mark.column + 1)
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1


def parse_yaml(text: str) -> Any:
    """Safe-load YAML text; problems become :class:`LeafletFileError` with line and column."""
    return construct(compose_yaml(text))


def schema_errors(data: Any) -> list[jsonschema.ValidationError]:
    """Every way ``data`` breaks the schema, in document order; none for a valid leaflet."""
    instance = _jsonable(data)
    if _is_valid(instance):
        return []  # nearly every document: jsonschema is only needed to explain a failure
    return sorted(_validator().iter_errors(instance), key=lambda e: list(e.absolute_path))


def _is_valid(instance: Any) -> bool:
    """The schema compiled to Python code by fastjsonschema says only valid or not, about
    six times faster than jsonschema. Dates are checked as jsonschema checks them."""
    import fastjsonschema  # ~50 ms to load: only when a document is validated

    try:
        _compiled_schema()(instance)
    except fastjsonschema.JsonSchemaValueException:
        return False
    return True


@functools.cache
def _compiled_schema() -> Callable[[Any], Any]:
    import fastjsonschema

    return fastjsonschema.compile(json.loads(schema_text()), formats={"date": _is_date}, use_default=False)


def _is_date(value: str) -> bool:
    """What jsonschema's FormatChecker accepts as a "date": YYYY-MM-DD, a real day."""
    if not _DATE.fullmatch(value):
        return False
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)


def _item_from_data(data: str | dict[str, Any]) -> Item:
    if isinstance(data, str):
        return Item(text=data)
    return Item(
        text=data["text"], label=data.get("label"), items=tuple(_item_from_data(sub) for sub in data.get("items", ()))
    )


def _block_from_data(data: dict[str, Any]) -> Block:
    if "paragraph" in data:
        return Block(kind="paragraph", text=data["paragraph"])
    if "heading" in data:
        return Block(kind="group", heading=data["heading"], blocks=_content_from_data(data["content"]))
    kind = "bullets" if "bullets" in data else "steps"
    return Block(kind=kind, items=tuple(_item_from_data(item) for item in data[kind]))


def _content_from_data(data: list[dict[str, Any]]) -> tuple[Block, ...]:
    return tuple(_block_from_data(block) for block in data)


def _date(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(value)


def leaflet_from_data(data: dict[str, Any]) -> Leaflet:
    """Build a :class:`Leaflet` from data that already passed the schema."""
    review = data["review"]
    source = data["source"]
    return Leaflet(
        schema_version=data["schema_version"],
        id=data["id"],
        title=data["title"],
        code=Code(**data["code"]) if "code" in data else None,
        also_known_as=tuple(data["also_known_as"]),
        technical_term=data["technical_term"],
        sections={key: _content_from_data(data["sections"].get(key) or []) for key in CANONICAL_SECTIONS},
        extra_sections=tuple(
            ExtraSection(heading=extra["heading"], content=_content_from_data(extra["content"]))
            for extra in data["extra_sections"]
        ),
        review=Review(**{**review, **{key: _date(review[key]) for key in ("reviewed_on", "next_review_due")}}),
        contact=Contact(**data["contact"]) if data.get("contact") is not None else None,
        sources=tuple(data.get("sources") or ()),  # both missing in files of versions 1 to 3
        source=Source(
            path=source["path"],
            sha256=source["sha256"],
            encoding=source["encoding"],
            removed=tuple(RemovedLine(line=0, text=text) for text in source["removed"]),
            **{name: source[name] for name in SOURCE_FIELDS if name in source},
            headings=tuple(SourceHeading(found["heading"], found["section"]) for found in source.get("headings", ())),
        ),
    )


def load_leaflet(text: str) -> Leaflet:
    """Parse, validate and convert; the first schema problem is raised."""
    data = parse_yaml(text)
    errors = schema_errors(data)
    if errors:
        first = errors[0]
        where = "/".join(str(part) for part in first.absolute_path) or "document"
        raise LeafletFileError(f"{where}: {first.message}")
    return leaflet_from_data(data)


# -- reading a YAML file's bytes ---------------------------------------------------


def decode_yaml(data: bytes) -> str:
    """A leaflet YAML's text: UTF-8, nested at most ``yamlio.MAX_YAML_DEPTH`` levels."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise PipelineError(f"not UTF-8 text: {error.reason} at byte {error.start}") from None
    check_yaml_nesting(text)
    return text


def peek_yaml(data: bytes | str, limit: int = MAX_YAML_BYTES) -> Any:
    """Plain data of a YAML file the pipeline only peeks into (status, title), without the schema.

    As guarded as a full load: size, nesting, anchors and aliases (a "billion
    laughs" bomb expands when the data is printed) and unsafe tags are refused
    with :class:`LeafletFileError`.
    """
    from pipeline.yamlio import check_yaml_nesting, parse_yaml

    if len(data) > limit:
        raise LeafletFileError(f"larger than {limit:,} bytes")
    text = data.decode("utf-8") if isinstance(data, bytes) else data
    check_yaml_nesting(text)
    return parse_yaml(text)
