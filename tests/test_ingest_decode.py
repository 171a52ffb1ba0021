"""Encodings and bad files: every bad file is one IngestError line naming it and the reason."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from annotator.ingest.model import IngestError
from annotator.ingest.readers import read_file
from tests.support.ingest import assert_clean, bare

SIMPLIFIED = (
    "美国总统特朗普质疑大选对手的精神敏锐性，认为他没有能力当总统。"
    "他说，拜登不能把两句话放在一起说完。"
)
TRADITIONAL = (
    "美國總統川普質疑大選對手的精神敏銳性，認為他沒有能力當總統。"
    "他說，拜登不能把兩句話放在一起說完。"
)


@pytest.mark.parametrize(
    ("encoding", "text", "bom"),
    [
        ("utf-8", SIMPLIFIED, b""),
        ("utf-8", SIMPLIFIED, b"\xef\xbb\xbf"),
        ("utf-16", SIMPLIFIED, b""),  # Python's utf-16 codec writes a BOM
        ("utf-16-be", TRADITIONAL, b"\xfe\xff"),
        ("gb18030", SIMPLIFIED, b""),
        ("big5", TRADITIONAL, b""),
    ],
)
def test_encodings_decode(tmp_path: Path, encoding: str, text: str, bom: bytes) -> None:
    source = bare(f"<p>{text}</p>", title=text[:8])
    path = tmp_path / f"a-{encoding}.md"
    path.write_bytes(bom + source.encode(encoding))
    (doc,) = read_file(path)
    assert_clean(doc)
    assert doc.title == text[:8]
    assert "".join(u.text for u in doc.units[1:]) == text


@pytest.mark.parametrize("encoding", ["gb18030", "big5"])
def test_short_chinese_text_is_not_mistaken_for_korean(tmp_path: Path, encoding: str) -> None:
    text = "香港新聞" if encoding == "big5" else "香港新闻"
    path = tmp_path / "short.txt"
    path.write_bytes(f"{text}\n\n{text}。".encode(encoding))
    (doc,) = read_file(path)
    assert doc.title == text


def test_empty_and_whitespace_files(tmp_path: Path) -> None:
    for name, data in (("empty.md", b""), ("blank.txt", b" \n\t\n"), ("bom.md", b"\xef\xbb\xbf\n")):
        path = tmp_path / name
        path.write_bytes(data)
        with pytest.raises(IngestError, match=rf"{name}: file is empty"):
            read_file(path)


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4,
        b"PK\x03\x04\x14\x00\x06\x00" + bytes(range(256)),
        bytes([1, 2, 3, 4, 5, 6, 7, 8, 0x81, 0x82]) * 100,
    ],
)
def test_binary_files_are_refused(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "photo.md"
    path.write_bytes(data)
    with pytest.raises(IngestError, match=r"photo\.md: binary file"):
        read_file(path)


def test_unreadable_file(tmp_path: Path) -> None:
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        pytest.skip("root can read a chmod 000 file")
    path = tmp_path / "secret.md"
    path.write_text(bare("<p>正文。</p>"), encoding="utf-8")
    path.chmod(0)
    try:
        with pytest.raises(IngestError, match=r"secret\.md: permission denied"):
            read_file(path)
    finally:
        path.chmod(0o644)


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(IngestError, match="no such file"):
        read_file(tmp_path / "nope.md")
    with pytest.raises(IngestError, match="is a folder"):
        read_file(tmp_path)


def test_truncated_utf16_and_broken_utf8(tmp_path: Path) -> None:
    path = tmp_path / "cut.md"
    path.write_bytes("\ufeff".encode("utf-16-le") + bare("<p>正文。</p>").encode("utf-16-le")[:-1])
    with pytest.raises(IngestError, match=r"cut\.md: .*UTF-16"):
        read_file(path)
    # A UTF-8 file cut mid-character still imports what is there.
    path = tmp_path / "cut8.md"
    path.write_bytes(bare("<p>正文一。</p><p>正文二。</p>").encode("utf-8")[:-9])
    (doc,) = read_file(path)
    assert "正文一。" in [u.text for u in doc.units]


def test_only_ingest_errors_escape_for_garbage(tmp_path: Path) -> None:
    samples = {
        "a.md": "---\ntitle: [unclosed\n---\n<p>x</p>",
        "b.jsonl": "[1, 2, 3]",
        "c.csv": "\n\n\n",
        "d.html": "<html><head></head></html>",
        "e.xml": "<?xml version='1.0'?><rss",
        "f.md": "<!--123-->",
    }
    for name, text in samples.items():
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        with pytest.raises(IngestError) as info:
            read_file(path)
        message = str(info.value)
        assert name in message and "\n" not in message


def test_permission_error_is_one_line_even_as_root(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "locked.md"
    path.write_text(bare("<p>正文。</p>"), encoding="utf-8")

    def refuse(self: Path) -> bytes:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "read_bytes", refuse)
    with pytest.raises(IngestError, match=r"locked\.md: permission denied"):
        read_file(path)
