"""Language detection for documents. PLACEHOLDER: being rewritten."""

from __future__ import annotations


def detect_language(text: str) -> str:
    """Return a language tag such as 'zh-Hans', 'zh-Hant' or 'en' for a document's text."""
    han = sum(1 for ch in text[:2000] if "\u4e00" <= ch <= "\u9fff")
    return "zh-Hans" if han > len(text[:2000]) * 0.2 else "en"
