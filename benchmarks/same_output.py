"""One sha256 over everything extraction makes, to show a refactoring changed no output.

For every fixture input (tests/golden/*/input.txt, tests/fixtures/variants/*.txt,
input/*.txt, a few inputs that are refused), a generated corpus (``--seeds`` x ``--docs``) and the same
corpus with awkward characters sprinkled in (``--mutated`` documents: odd
spaces, line breaks, bullets, quotes, mojibake, emoji, control characters),
it runs the steps of ``pipeline.run.document.extract_document`` in this process
(decode, line-length check, normalize, extract, YAML dump) and hashes the
normalized text, the YAML and the formatted warnings of each document, or
the message of the InputError it raised.

    python -m benchmarks.same_output            # prints the hash and the counts
"""

from __future__ import annotations

import argparse
import hashlib
import random
import sys
from pathlib import Path

from pipeline.errors import InputError
from pipeline.extract import extract
from pipeline.normalize import decode, normalize_text
from pipeline.run.document import check_line_lengths
from pipeline.yamlio import dump_leaflet
from tests.support.corpus import generate

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ("tests/golden/*/input.txt", "tests/fixtures/variants/*.txt", "input/*.txt")
# What breaks shortcuts: characters each rule treats specially, YAML indicators, and the odd surrogate-pair character.
AWKWARD = [
    " ", "  ", "\t", "\r", "\r\n", "\n", "\n\n", "\u00a0", "\u2009", "\u2028", "\x85", "\x0b", "\x0c", "\u200b",
    "\u00ad", "\ufeff", "\ufffe", "\x00", "\x07", "\x9f", "- ", "• ", "* ", "– ", "●", "\uf0b7", "→ ", "1) ",
    "(2) ", "a) ", "Step 3: ", "**", "__", ":", ": ", " #", "'", '"', "’", "â€™", "Ã©", "&amp;", "&#8217;",
    "&para;", "😀", "e\u0301", "?", "!", "...", "---", "yes", "null", "~", "%", "@", "`", "|", ">", "[", "{",
]


# Inputs extraction refuses, so the error messages are compared too.
REFUSED = [b"", b" \n\t\r\n", bytes(range(256)) * 4, b"x" * 25_000, b"Just a sentence.\n", b"\xff\xfeo\x00k\x00\x00\xd8"]


def fixture_documents() -> list[tuple[str, bytes]]:
    paths = sorted(path for pattern in FIXTURES for path in ROOT.glob(pattern))
    refused = [(f"refused-{index}.txt", data) for index, data in enumerate(REFUSED)]
    return [(str(path.relative_to(ROOT)), path.read_bytes()) for path in paths] + refused


def mutated(documents: list[tuple[str, bytes]], seed: int) -> list[tuple[str, bytes]]:
    """Each document decoded, a few awkward pieces put in at random places, written as UTF-8."""
    rng = random.Random(seed)
    result = []
    for name, data in documents:
        text = decode(data)[0]
        for _ in range(rng.randint(1, 12)):
            at = rng.randrange(len(text) + 1)
            text = text[:at] + rng.choice(AWKWARD) + text[at:]
        result.append((f"mutated-{name}", text.encode("utf-8", "surrogatepass")))
    return result


def outcome(name: str, data: bytes) -> str:
    """What extraction makes of one document, as text: normalized text, YAML and warnings, or the error."""
    try:
        text, encoding = decode(data)
        check_line_lengths(text)
        normalized = normalize_text(text, encoding)
        sha256 = hashlib.sha256(data).hexdigest()
        leaflet = extract(normalized, doc_id=Path(name).stem, source_path=name, sha256=sha256)
        warnings = "\n".join(warning.format(name) for warning in leaflet.warnings)
        return f"{normalized.text}\x00{dump_leaflet(leaflet)}\x00{warnings}"
    except InputError as error:
        return f"InputError: {error}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.same_output", description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=3, help="corpus seeds 0..N-1 (default: 3)")
    parser.add_argument("--docs", type=int, default=4000, help="documents per seed (default: 4000)")
    parser.add_argument("--mutated", type=int, default=4000, help="mutated corpus documents (default: 4000)")
    args = parser.parse_args(argv)

    fixtures = fixture_documents()
    corpus = [document for seed in range(args.seeds) for document in generate(args.docs, seed)]
    documents = fixtures + corpus + mutated(corpus[: args.mutated], seed=0)
    digest = hashlib.sha256()
    errors = 0
    for name, data in documents:
        result = outcome(name, data)
        errors += result.startswith("InputError: ")
        digest.update(f"{name}\x00{result}\x01".encode("utf-8", "surrogatepass"))
    print(f"{len(fixtures)} fixtures, {len(corpus)} generated, {len(documents) - len(fixtures) - len(corpus)} mutated")
    print(f"{errors} refused with InputError")
    print(f"sha256 {digest.hexdigest()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
