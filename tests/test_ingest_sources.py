"""PATH arguments -> files: folders, globs, literal names with glob characters, misses."""

from __future__ import annotations

from pathlib import Path

from annotator.ingest.model import IngestError
from annotator.ingest.readers import read_file
from annotator.ingest.sources import iter_sources
from tests.support.ingest import bare


def make(root: Path, *names: str) -> None:
    for name in names:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(bare("<p>正文。</p>", title=Path(name).stem), encoding="utf-8")


def test_folders_recursive_sorted_skipping_hidden_and_notes(tmp_path: Path) -> None:
    make(tmp_path, "b.md", "a.md", "sub/c.md", ".hidden.md", ".git/d.md", "README.md", "x.jpg")
    found = list(iter_sources([tmp_path]))
    assert found == [tmp_path / "a.md", tmp_path / "b.md", tmp_path / "sub" / "c.md"]


def test_globs_and_duplicates(tmp_path: Path) -> None:
    make(tmp_path, "2020-a.md", "2021-b.md", "sub/2020-c.md")
    found = list(
        iter_sources([f"{tmp_path}/2020-*.md", f"{tmp_path}/**/2020-*.md", tmp_path / "2020-a.md"])
    )
    assert found == [tmp_path / "2020-a.md", tmp_path / "sub" / "2020-c.md"]


def test_names_with_glob_and_odd_characters_are_taken_literally(tmp_path: Path) -> None:
    names = ["[生活] 标题.md", "为什么?.md", "时事大家谈: 标题.md", "黑羊 | 解剖室.md", "a b.md"]
    make(tmp_path, *names)
    for name in names:
        (found,) = iter_sources([str(tmp_path / name)])
        assert found == tmp_path / name
        (doc,) = read_file(found)
        assert doc.title == Path(name).stem and doc.source_path == str(tmp_path / name)


def test_a_path_matching_nothing_is_reported_not_raised(tmp_path: Path) -> None:
    make(tmp_path, "a.md")
    items = list(iter_sources([tmp_path / "missing.md", f"{tmp_path}/*.txt", tmp_path / "a.md"]))
    assert isinstance(items[0], IngestError) and "missing.md" in str(items[0])
    assert isinstance(items[1], IngestError)
    assert items[2] == tmp_path / "a.md"


def test_explicit_hidden_file_is_imported(tmp_path: Path) -> None:
    make(tmp_path, ".draft.md")
    assert list(iter_sources([tmp_path / ".draft.md"])) == [tmp_path / ".draft.md"]
