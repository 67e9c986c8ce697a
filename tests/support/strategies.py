"""Hypothesis strategies for plausible raw procedure pages (and plain junk)."""

from __future__ import annotations

from hypothesis import strategies as st

from pipeline.config.headings import default_table

KNOWN_HEADINGS = sorted(default_table().exact)  # simplified forms, e.g. "risks and complications"
VOCABULARY = (
    "the patient procedure may pain swelling doctor nurse hours days weeks anesthesia local general "
    "duct sphincter relief risk infection bleeding recovery rest follow-up ice fasting CT MRI ENT "
    "minutes is are with and or of to in for on after before during under less more most some "
    "Summary Risks Aftercare Goals Symptoms Surgeon Hospital Clinic Café naïve 20-30 6-8 1 2 3"
).split()
BULLETS = ["-", "•", "*", "–", "●", "▪", "\u2043"]

words = st.lists(
    st.one_of(st.sampled_from(VOCABULARY), st.text(alphabet="abcdefghijklmnopqrstuvwxyzé", min_size=1, max_size=9)),
    min_size=1,
    max_size=18,
).map(" ".join)
sentence = words.map(lambda text: text[:1].upper() + text[1:] + ".")
paragraph = st.lists(sentence, min_size=1, max_size=4).map(" ".join)


@st.composite
def heading(draw) -> str:
    text = draw(st.one_of(st.sampled_from(KNOWN_HEADINGS), words.map(str.title)))
    text = draw(st.sampled_from([text, text.upper(), text.title(), text.lower()]))
    prefix = draw(st.sampled_from(["", "", "## ", "# ", "**"]))
    suffix = draw(st.sampled_from(["", ":", "?", ""]))
    return prefix + text + suffix + ("**" if prefix == "**" else "")


@st.composite
def list_item(draw) -> str:
    marker = draw(st.one_of(st.sampled_from(BULLETS), st.integers(1, 12).map(lambda n: f"{n}.")))
    indent = draw(st.sampled_from(["", "  ", "\t"]))
    label = draw(st.one_of(st.none(), words.map(lambda w: " ".join(w.split()[:3]).title())))
    body = draw(sentence)
    return f"{indent}{marker} {label + ': ' if label else ''}{body}"


@st.composite
def wrapped(draw, text_strategy) -> str:
    """A paragraph, sometimes hard-wrapped at a random width."""
    text = draw(text_strategy)
    width = draw(st.one_of(st.none(), st.integers(20, 90)))
    if width is None:
        return text
    import textwrap

    return "\n".join(textwrap.wrap(text, width=width, break_long_words=False, break_on_hyphens=False)) or text


site_line = st.sampled_from(
    ["Search all medical codes", "CPT4 code", "Advertisement", "Back to top", "Similar Codes", "Share this page"]
)
name_block = st.builds(
    lambda title, names, term, paren: (
        f"Name of the Procedure:\n{title}\n(Common names: {names}; Medical term: {term})"
        if paren
        else f"Name of the Procedure:\n{title}\n- Common Name(s): {names}\n- Technical Term: {term}"
    ),
    words.map(str.title),
    words,
    words,
    st.booleans(),
)

section = st.builds(
    lambda head, body, blank: head + ("\n\n" if blank else "\n") + "\n".join(body),
    heading(),
    st.lists(st.one_of(wrapped(paragraph), list_item(), list_item(), site_line), min_size=0, max_size=6),
    st.booleans(),
)


@st.composite
def document_text(draw) -> str:
    parts = draw(st.lists(st.one_of(st.just(""), site_line, sentence), max_size=3))
    if draw(st.booleans()):
        parts.append(draw(name_block))
    parts += draw(st.lists(section, min_size=0, max_size=8))
    separator = draw(st.sampled_from(["\n", "\n\n", "\r\n", "\n \n"]))
    return separator.join(parts)


@st.composite
def document_bytes(draw) -> bytes:
    text = draw(document_text())
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "cp1252"]))
    try:
        return text.encode(encoding)
    except UnicodeEncodeError:
        return text.encode("utf-8")
