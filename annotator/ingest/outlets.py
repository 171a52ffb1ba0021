"""Outlets named once: a site's domain -> the outlet's name.

The same outlet arrives under several names: a feed mirror's front matter says `美国之音`,
a bare feed file only has its URL (`voachinese.com`). Every import re-derives each
document's outlet from its URL through this table (the built-in entries, extended or
overridden by ``annotator import --outlets FILE``), so a dataset card counts an outlet once.
A domain matches its subdomains (`m.voachinese.com`); a URL whose domain is in no table keeps
the outlet its file named (or the bare domain).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from annotator.ingest.model import IngestError
from annotator.ingest.normalize import domain_of

BUILTIN: dict[str, str] = {
    "voachinese.com": "美国之音",
    "voacantonese.com": "美国之音",
    "voanews.com": "Voice of America",
    "rfa.org": "自由亚洲电台",
    "bbc.com": "BBC",
    "bbc.co.uk": "BBC",
    "dw.com": "Deutsche Welle",
    "rfi.fr": "RFI",
    "nytimes.com": "The New York Times",
    "cn.nytimes.com": "纽约时报中文网",
    "reuters.com": "Reuters",
    "apnews.com": "AP",
    "zaobao.com.sg": "联合早报",
    "xinhuanet.com": "新华网",
    "news.cn": "新华网",
    "people.com.cn": "人民网",
    "chinadaily.com.cn": "China Daily",
    "globaltimes.cn": "Global Times",
    "scmp.com": "South China Morning Post",
}


def load_outlets(path: Path) -> dict[str, str]:
    """A YAML mapping ``domain: outlet name`` (one line per outlet), checked."""
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise IngestError(f"{path}: cannot read ({exc.strerror or exc})") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark is not None else ""
        raise IngestError(f"{path}{where}: not YAML; write lines like `voanews.com: VOA`") from None
    if not isinstance(data, dict) or not data:
        raise IngestError(f"{path}: expected lines like `voanews.com: VOA` (domain: outlet)")
    out: dict[str, str] = {}
    for domain, name in data.items():
        if not isinstance(domain, str) or not isinstance(name, str) or not name.strip():
            raise IngestError(f"{path}: {domain!r}: expected `domain: outlet name`")
        out[_bare(domain)] = name.strip()
    return out


def outlet_table(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    return {**BUILTIN, **{_bare(d): n for d, n in (extra or {}).items()}}


def _bare(domain: str) -> str:
    domain = domain.strip().lower()
    return domain[4:] if domain.startswith("www.") else domain


def outlet_for(outlet: str | None, url: str | None, table: Mapping[str, str]) -> str | None:
    """The outlet's one name: by the URL's domain (or an outlet that is itself a domain)
    in `table`, else the outlet as given, else the bare domain."""
    for candidate in (domain_of(url), _bare(outlet) if outlet else None):
        if not candidate:
            continue
        parts = candidate.split(".")
        for i in range(len(parts) - 1):  # news.voachinese.com -> voachinese.com
            name = table.get(".".join(parts[i:]))
            if name is not None:
                return name
    return outlet or domain_of(url)
