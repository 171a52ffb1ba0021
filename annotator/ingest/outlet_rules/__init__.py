"""What each outlet's pages hold besides the article, one small YAML file per outlet.

A rule file (``cna.yaml``, ``rfa.yaml``, ...) names the outlet's domains and says, in five
optional lists, what is not article text there::

    domains: [cna.com.tw]          # the site and its subdomains (www. ignored)
    names: [中央社]                 # feed channel names, for files without a URL
    remove: [".moreArticle"]       # CSS selectors of elements that are never article text
    captions: [".picinfo"]         # CSS selectors of image captions
    alt_captions: ["img[alt]"]     # images whose alt text is the only caption there is
    drop: ['（譯者：\\S+）\\d{7}']   # a paragraph that matches one of these whole is dropped
    end: ['延伸閱讀']               # a paragraph matching one of these whole ends the article
    last: ['■$']                   # a paragraph in which one of these is found is the last
    cut: ['（看完整報導）$']         # removed from inside paragraphs

Patterns are Python regular expressions; white space around a cut is tidied, so a pattern need
not match it (and one that starts with a plain character, not ``\\s*``, is fast to scan for).
``generic.yaml`` holds the rules every page gets, an
outlet's file adds to them. Users add outlets without touching the code: every ``*.yaml`` in
the folder named by ``annotator import --outlet-rules DIR`` (else by ``$ANNOTATOR_OUTLET_RULES``)
is read after the built-in ones (a user file for a domain the built-ins know replaces that
outlet's built-in rules).

YAML, not Python: a researcher who spots a new footer adds one line, and a bad file is one
clear line (file, what is wrong), never code that runs.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from annotator.ingest.model import IngestError
from annotator.ingest.normalize import domain_of

RULES_ENV = "ANNOTATOR_OUTLET_RULES"
BUILTIN_DIR = Path(__file__).resolve().parent
_KEYS = ("domains", "names", "remove", "captions", "alt_captions", "drop", "end", "last", "cut")
_PATTERN_KEYS = ("drop", "end", "last", "cut")
_NEVER = re.compile(r"(?!)")


@dataclass(frozen=True)
class OutletRules:
    """One outlet's rules merged with the generic ones, patterns compiled once."""

    source: str = "generic"  # the rule file's name, for reports
    remove: tuple[str, ...] = ()
    captions: tuple[str, ...] = ()
    alt_captions: tuple[str, ...] = ()
    drop: re.Pattern[str] = _NEVER
    end: re.Pattern[str] = _NEVER
    last: re.Pattern[str] = _NEVER
    cut: tuple[re.Pattern[str], ...] = ()  # one by one: each scans fast for its first character
    # end | drop in one pattern: most paragraphs are text, and one failed match per paragraph
    # costs less than two.
    furniture: re.Pattern[str] = _NEVER
    patterns: dict[str, tuple[str, ...]] = field(default_factory=dict, compare=False)

    def present(self, selectors: tuple[str, ...], markup: str) -> str:
        """The selectors (joined for one CSS pass) that may match in `markup`: one whose class,
        id, attribute value or tag name is nowhere in the text is skipped without parsing, so a
        page pays only for the rules that can apply to it."""
        return ", ".join(s for s in selectors if _may_match(s, markup))

    def blocks(self, blocks: list[tuple[str, str]]) -> list[tuple[str, str]]:
        """Paragraph-level rules: stop at an end heading (dropped) or after a last paragraph
        (kept), drop a paragraph that is all furniture, cut pieces out of the others (and drop
        what is furniture once cut).

        `last` and `cut` run once over the article's paragraphs joined by newlines (their
        patterns are compiled with re.MULTILINE, so '$' is a paragraph's end): one scan per
        pattern instead of one per paragraph. A match that spans a newline would differ from
        the paragraph-by-paragraph result, so then the article is done one by one."""
        texts = [t for _, t in blocks]
        joined = "\n".join(texts)
        if joined.count("\n") != len(texts) - 1:  # a paragraph that holds a newline
            return self._one_by_one(blocks)
        stop = len(texts)
        for m in self.last.finditer(joined):
            if "\n" in m.group():
                return self._one_by_one(blocks)
            line = joined.count("\n", 0, m.start())
            if not self.furniture.fullmatch(texts[line]):
                stop = line + 1
                break
        cut = joined
        for pattern in self.cut:
            cut = pattern.sub(" ", cut)
        if cut != joined:
            lines = cut.split("\n")
            if len(lines) != len(texts):
                return self._one_by_one(blocks)
        else:
            lines = texts
        out: list[tuple[str, str]] = []
        for i in range(stop):
            kind, text = blocks[i]
            hit = self.furniture.fullmatch(text)
            if hit is not None:
                if hit.group("end") is not None:
                    break
                continue
            if lines[i] != text:
                text = " ".join(lines[i].split())
                if not text or self.drop.fullmatch(text):
                    continue
            out.append((kind, text))
        return out

    def _one_by_one(self, blocks: list[tuple[str, str]]) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        for kind, text in blocks:
            m = self.furniture.fullmatch(text)
            if m is not None:
                if m.group("end") is not None:
                    break
                continue
            last = self.last.search(text) is not None
            cut = text
            for pattern in self.cut:
                cut = pattern.sub(" ", cut)
            if cut != text:
                text = " ".join(cut.split())
                if not text or self.drop.fullmatch(text):
                    text = ""
            if text:
                out.append((kind, text))
            if last:
                break
        return out


_VALUE = re.compile(r"""\[[\w-]+[*~|^$]?=["']?([^"'\]]+)["']?\]""")
_NAME = re.compile(r"[.#]([\w-]+)")
_TAG = re.compile(r"\s*([A-Za-z][\w-]*)")


@cache
def _needle(selector: str) -> str:
    """A piece of text any page the selector matches must contain ('' if none is known)."""
    m = _VALUE.search(selector) or _NAME.search(selector)
    if m:
        return m.group(1)
    m = _TAG.match(selector)
    return f"<{m.group(1).lower()}" if m else ""


def _may_match(selector: str, markup: str) -> bool:
    needle = _needle(selector)
    return not needle or needle in markup or (needle[0] == "<" and needle.upper() in markup)


def _alternation(patterns: Iterable[str], flags: int = 0) -> re.Pattern[str]:
    patterns = list(patterns)
    return re.compile("|".join(f"(?:{p})" for p in patterns), flags) if patterns else _NEVER


def _read(path: Path) -> dict[str, tuple[str, ...]]:
    import yaml

    try:
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when installed
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=loader)
    except OSError as exc:
        raise IngestError(f"{path}: cannot read ({exc.strerror or exc})") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark is not None else ""
        raise IngestError(f"{path}{where}: not YAML; see the README's 'Outlet rules'") from None
    if not isinstance(data, dict):
        raise IngestError(f"{path}: expected keys {', '.join(_KEYS)}")
    out: dict[str, tuple[str, ...]] = {}
    for key, value in data.items():
        if key not in _KEYS:
            raise IngestError(f"{path}: unknown key {key!r}; expected {', '.join(_KEYS)}")
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list) or not all(isinstance(v, str) and v for v in items):
            raise IngestError(f"{path}: {key}: expected a list of strings")
        for item in items:
            if key in _PATTERN_KEYS:
                try:
                    re.compile(item)
                except re.error as exc:
                    raise IngestError(f"{path}: {key}: {item!r} is no pattern ({exc})") from None
        out[key] = tuple(items)
    return out


def _furniture(end: Iterable[str], drop: Iterable[str]) -> re.Pattern[str]:
    parts = [_alternation(end).pattern, _alternation(drop).pattern]
    return re.compile(f"(?P<end>{parts[0]})|(?P<drop>{parts[1]})")


def _merge(
    name: str, generic: Mapping[str, tuple[str, ...]], own: Mapping[str, tuple[str, ...]]
) -> OutletRules:
    both = {k: (*generic.get(k, ()), *own.get(k, ())) for k in _KEYS}
    return OutletRules(
        source=name,
        remove=both["remove"],
        captions=both["captions"],
        alt_captions=both["alt_captions"],
        drop=_alternation(both["drop"]),
        end=_alternation(both["end"]),
        last=_alternation(both["last"], re.MULTILINE),
        cut=tuple(re.compile(p, re.MULTILINE) for p in both["cut"]),
        furniture=_furniture(both["end"], both["drop"]),
        patterns=both,
    )


@dataclass
class RuleBook:
    """Rule files by domain and by outlet name; an outlet's rules are merged with the generic
    ones and compiled when a page of that outlet first needs them."""

    generic_raw: dict[str, tuple[str, ...]]
    files: dict[str, dict[str, tuple[str, ...]]]  # rule file name -> its keys
    by_domain: dict[str, str] = field(default_factory=dict)  # domain -> rule file name
    by_name: dict[str, str] = field(default_factory=dict)  # outlet name -> rule file name
    _merged: dict[str, OutletRules] = field(default_factory=dict)

    @property
    def generic(self) -> OutletRules:
        return self.rules("generic")

    def rules(self, source: str) -> OutletRules:
        merged = self._merged.get(source)
        if merged is None:
            own = self.files.get(source, {})
            merged = self._merged[source] = _merge(source, self.generic_raw, own)
        return merged

    def for_document(self, url: str | None, outlet: str | None = None) -> OutletRules:
        """The rules for a page at `url` (its domain or a parent domain), else by the feed's
        outlet name, else the generic ones."""
        domain = domain_of(url)
        if domain:
            parts = domain.lower().split(".")
            for i in range(len(parts) - 1):
                source = self.by_domain.get(".".join(parts[i:]))
                if source is not None:
                    return self.rules(source)
        if outlet and outlet.strip() in self.by_name:
            return self.rules(self.by_name[outlet.strip()])
        return self.generic


def load_rule_book(folders: Iterable[Path]) -> RuleBook:
    files: list[Path] = []
    for folder in folders:
        files.extend(sorted(folder.glob("*.yaml")))
    raw = {p: _read(p) for p in files}
    # Every folder's generic.yaml adds to the generic rules.
    generic_raw: dict[str, tuple[str, ...]] = {}
    for path, own in raw.items():
        if path.name == "generic.yaml":
            for key, value in own.items():
                generic_raw[key] = (*generic_raw.get(key, ()), *value)
    book = RuleBook(generic_raw, {})
    for path, own in raw.items():
        if path.name == "generic.yaml":
            continue
        book.files[path.stem] = own
        book._merged.pop(path.stem, None)
        for domain in own.get("domains", ()):
            domain = domain.strip().lower()
            book.by_domain[domain[4:] if domain.startswith("www.") else domain] = path.stem
        for name in own.get("names", ()):
            book.by_name[name.strip()] = path.stem
    return book


@cache
def _book(user_dir: str | None, named_by: str = RULES_ENV) -> RuleBook:
    folders = [BUILTIN_DIR]
    if user_dir:
        folder = Path(user_dir).expanduser()
        if not folder.is_dir():
            sep = " " if named_by.startswith("-") else "="  # an option, or the variable
            where = f"{named_by}{sep}{user_dir}"
            raise IngestError(f"{where}: not a folder of outlet rule files")
        folders.append(folder)
    return load_rule_book(folders)


_OPTION = "--outlet-rules"
_chosen_folder: str | None = None  # set by the import command's option; wins over the variable


def use_rules_folder(folder: str | None) -> None:
    """Read the user's rule files from `folder` (the import's --outlet-rules) instead of the
    folder $ANNOTATOR_OUTLET_RULES names; None goes back to the variable. Each import worker
    process calls this too, with the folder its parse options carry."""
    global _chosen_folder
    _chosen_folder = folder


def rules_for(url: str | None, outlet: str | None = None) -> OutletRules:
    """The rules an imported page gets (built-in files plus the user's folder, read once)."""
    if _chosen_folder is not None:
        return _book(_chosen_folder, _OPTION).for_document(url, outlet)
    return _book(os.environ.get(RULES_ENV) or None).for_document(url, outlet)


def check_rules() -> None:
    """Read the rule files now: a broken user file is one IngestError before an import starts,
    not the same error once per file."""
    rules_for(None)
