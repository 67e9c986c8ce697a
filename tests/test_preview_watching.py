"""What a change on disk means to the preview (pipeline.preview.watching)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from watchfiles import Change

from pipeline.preview.watching import Affected, Watched, affected, concerns, watch

OUT = Path("/srv/out")
STYLES = Path("/srv/styles")
NAMED = Path("/home/reviewer/draft/x.yaml")
WATCHED = Watched(
    yaml_folders=frozenset({OUT / "yaml"}), yaml_files=frozenset({NAMED}), log=OUT / "review-log.jsonl", styles=(STYLES,),
)


def meaning(*changes: tuple[Change, Path]) -> Affected:
    return affected([(change, str(path)) for change, path in changes], WATCHED)


def test_a_saved_yaml_is_looked_at_again():
    assert meaning((Change.modified, OUT / "yaml/a.yaml")) == Affected(files=frozenset({OUT / "yaml/a.yaml"}))
    assert meaning((Change.modified, NAMED)) == Affected(files=frozenset({NAMED}))


def test_a_yaml_saved_by_renaming_or_a_new_one_changes_the_list_too():
    found = meaning((Change.added, OUT / "yaml/a.yaml"))
    assert found.files == {OUT / "yaml/a.yaml"} and found.listing
    assert meaning((Change.deleted, OUT / "yaml/b.yaml")).listing


def test_a_proposal_counts_for_the_file_it_would_update():
    assert meaning((Change.added, OUT / "yaml/a.proposed.yaml")) == Affected(files=frozenset({OUT / "yaml/a.yaml"}))
    assert meaning((Change.deleted, NAMED.with_name("x.proposed.yaml"))).files == {NAMED}


def test_styles_and_the_review_log():
    assert meaning((Change.modified, STYLES / "assets/fonts/a.ttf")) == Affected(styles=True)
    assert meaning((Change.modified, OUT / "review-log.jsonl")) == Affected(log=True)


def test_what_means_nothing_is_passed_over():
    for path in (
        OUT / "html/a.html", OUT / "pdf/a.pdf", OUT / ".leaflets/records/a.json", OUT / "yaml/.a.yaml.swp",
        OUT / "yaml/a.yaml~", OUT / "yaml/.a.yaml.x1y2.leaflets.tmp", OUT / "yaml/notes.txt", STYLES / ".theme.yaml.swp",
        NAMED.with_name("other.yaml"), OUT / "yaml/sub/a.yaml",
    ):
        assert not meaning((Change.modified, path)), path
        assert not concerns(str(path), WATCHED), path
    assert concerns(str(OUT / "yaml/a.yaml"), WATCHED) and concerns(str(STYLES / "leaflet.css"), WATCHED)


def test_the_watcher_reports_a_save_within_moments(tmp_path: Path):
    folder = tmp_path / "yaml"
    folder.mkdir()
    watched = Watched(yaml_folders=frozenset({folder}), yaml_files=frozenset(), log=None, styles=())
    seen: list[Affected] = []
    arrived = threading.Event()
    stop = threading.Event()

    def on_change(found: Affected) -> None:
        seen.append(found)
        arrived.set()

    threads = watch(watched, on_change, stop)
    try:
        time.sleep(0.3)  # the watch is set up in its thread
        (folder / "ignored.txt").write_text("x")
        (folder / "a.yaml").write_text("title: x\n")
        assert arrived.wait(5)
    finally:
        stop.set()
        for thread in threads:
            thread.join(5)
    assert all(not thread.is_alive() for thread in threads)
    assert seen[0].files == {folder / "a.yaml"} and seen[0].listing
