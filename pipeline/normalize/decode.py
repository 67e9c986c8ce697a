"""Bytes -> text: which encoding a file is in, and whether it is text at all.

A byte-order mark decides; then UTF-16 without one (NUL in every other byte);
then UTF-8; then Windows-1252; and only when that cannot decode the bytes,
charset-normalizer's guess. Empty, whitespace-only and binary files are refused.
"""

from __future__ import annotations

import codecs

import charset_normalizer

from pipeline.errors import InputError
from pipeline.normalize.rules import CONTROL

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le", "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "utf-32"),
    (codecs.BOM_UTF8, "utf-8", "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16"),
)


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 shows as NUL in every other byte of mostly-ASCII text."""
    sample = data[:4096]
    if len(sample) < 4:
        return None
    even_nuls = sample[0::2].count(0)
    odd_nuls = sample[1::2].count(0)
    half = len(sample) // 2
    if odd_nuls > 0.4 * half and even_nuls < 0.05 * half:
        return "utf-16-le"
    if even_nuls > 0.4 * half and odd_nuls < 0.05 * half:
        return "utf-16-be"
    return None


def decode(data: bytes) -> tuple[str, str]:
    """Bytes -> (text, name of the encoding they were in)."""
    for bom, codec, name in _BOMS:
        if data.startswith(bom):
            return _strict(data[len(bom) :], codec, name), name
    utf16 = _utf16_without_bom(data)
    if utf16:
        return _strict(data, utf16, utf16), utf16
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "windows-1252"
    except UnicodeDecodeError:
        pass
    best = charset_normalizer.from_bytes(data).best()
    if best is None:
        raise InputError("not text in any known encoding (binary data?)")
    return str(best), best.encoding


def _strict(data: bytes, codec: str, name: str) -> str:
    try:
        return data.decode(codec)
    except UnicodeDecodeError as error:
        raise InputError(f"not valid {name} text: {error.reason} at byte {error.start}") from None


# Share of control characters above which a file is binary data, not text.
_BINARY_CONTROL_SHARE = 0.05
_SAMPLE = 65_536  # characters looked at for control characters


def check_is_text(text: str) -> None:
    if not text.strip():
        raise InputError("empty file" if not text else "file holds only whitespace")
    controls = len(CONTROL.findall(text[:_SAMPLE]))
    if controls > _BINARY_CONTROL_SHARE * min(len(text), _SAMPLE):
        raise InputError("binary data, not text")
