from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from pipeline import cli
from pipeline.extract import extract
from pipeline.model import Leaflet
from pipeline.normalize import normalize

ROOT = Path(__file__).resolve().parent.parent
TESTS = Path(__file__).resolve().parent


def leaflet_from_bytes(data: bytes, doc_id: str = "doc", source_path: str = "input/doc.txt") -> Leaflet:
    return extract(normalize(data), doc_id=doc_id, source_path=source_path, sha256=hashlib.sha256(data).hexdigest())


@pytest.fixture
def in_tmp_cwd(tmp_path, monkeypatch):
    """Run a test from an empty working folder (so default input/ and output/ are local)."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def sample_workdir(tmp_path, monkeypatch):
    """An operator's folder holding a copy of the sample input/, used as the working folder."""
    shutil.copytree(ROOT / "input", tmp_path / "input")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run_leaflets(capsys, *args: str) -> tuple[int, str, str]:
    """``leaflets ARGS`` in this process: (exit status, stdout, stderr)."""
    code = cli.run(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


# Hypothesis profiles: the default for CI and everyday runs; "long" for a
# by-hand fuzzing session (HYPOTHESIS_PROFILE=long python -m pytest tests/test_properties.py).
import os  # noqa: E402

from hypothesis import settings as _hypothesis_settings  # noqa: E402

_hypothesis_settings.register_profile("default", max_examples=150, deadline=None)
_hypothesis_settings.register_profile("long", max_examples=20_000, deadline=None)
# A by-hand fuzzing session: 34,000 examples for each of the three tests in tests/test_fuzz.py.
_hypothesis_settings.register_profile("fuzz", max_examples=34_000, deadline=None)
_hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


def pytest_unconfigure(config):
    """Free the renderers the tests made while the modules they need are still loaded: left to
    interpreter shutdown, WeasyPrint's font configurations fail in their finalizer and print noise."""
    import functools
    import gc

    for obj in gc.get_objects():
        if isinstance(obj, functools._lru_cache_wrapper) and getattr(obj, "__module__", "").startswith(("pipeline", "tests")):
            obj.cache_clear()
    gc.collect()
