"""Sentence splitting for Chinese (Simplified and Traditional) and English.

One precompiled regex finds every candidate boundary in a paragraph; a short Python loop runs
over those matches only (never over characters), which keeps splitting far above the import's
speed target. The rules, in brief:

- Chinese 。！？ (and runs such as 。。。 or ！？) end a sentence unless a clause mark follows.
- ASCII . ! ? end a sentence only before whitespace plus a capital, a digit or an opening mark,
  before CJK text, or at the end; so 3.14, U.S.-made and "Why?" she asked never split. A word
  before a single dot that is a known abbreviation, an initial (J.) or an initialism (U.S.) ends
  a sentence only when a common sentence opener follows (in the U.S. The ...).
- An ellipsis (… …… ⋯ ...) ends a sentence only before whitespace plus a capital or at the end:
  in Chinese news it mostly marks words left out of a quotation (煽动……来永久关闭), and a
  fragment is worse for annotators than a unit holding two sentences.
- Closing quotes and brackets stay with their sentence; a bracketed note after the last
  sentence of a paragraph, such as a caption's date (2023年5月17日), stays with it too.
- A quotation or bracket of at most _QUOTE_MAX characters is never split inside; a longer one
  is split at its own sentence ends (its closing mark then stays with the last piece). A short
  quotation ending in 。 ends the sentence (他说：“我们会来。”然后离开。); one ending in ！ or ？
  does so only when it opens the sentence or follows a colon, a comma or a speech verb, so a
  slogan inside a sentence (手拉着“成都加油！”的横幅) stays whole. A bracket ends a sentence
  only when it is one: （此文依据了路透社的报道。）. Book titles 《》 never end one.
- Languages other than Chinese and English go to sentencex (Wikimedia's splitter), which knows
  their abbreviations.
"""

from __future__ import annotations

import re

_QUOTE_MAX = 120  # longest quotation (in characters) kept whole even if it holds several sentences
_NOTE_MAX = 60  # longest bracketed note that may trail a paragraph's last sentence

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3040-\u30ff\uac00-\ud7af"
_CLOSE = "”’」』）)\\]】》〉〕\"'"
_OPEN = "“‘「『（(\\[【《〈〔\"'"
_STRONG = "。！？﹗﹖‼⁇⁈⁉"  # always a sentence end (unless a clause mark follows)
_WEAK = ".!?"  # a sentence end only in the right context
_ELLIPSIS = "…⋯"
_TERMS = _STRONG + _WEAK + _ELLIPSIS
_CLAUSE = "，、,；;：:"
_NOTE_STOP = (
    _STRONG + "!?" + _ELLIPSIS
)  # a note may hold dots (J. Smith) but no sentence of its own

# Quotations and brackets short enough to be kept whole (the opening mark is matched first).
_Q = f"{{0,{_QUOTE_MAX}}}"
_QUOTE_BODY = (
    rf"(?<=“)[^“”]{_Q}”|(?<=「)[^「」]{_Q}」|(?<=『)[^『』]{_Q}』|(?<=\")[^\"]{_Q}\""
    rf"|(?<=（)[^（）]{_Q}）|(?<=\()[^()]{_Q}\)|(?<=【)[^【】]{_Q}】|(?<=《)[^《》]{_Q}》"
)
# Closing marks, then an optional bracketed note if it ends the paragraph.
_N = f"{{1,{_NOTE_MAX}}}"
_NOTE = rf"(?:（[^（）{_NOTE_STOP}]{_N}）|\([^(){_NOTE_STOP}]{_N}(?<!\.)\))"
_TAIL = rf"[{_CLOSE}]*(?:\s+[”」』）】])*(?:\s*{_NOTE}(?=\s*$))?"
_FOLLOW_STRONG = rf"(?!\s*[{_CLAUSE}])"
_FOLLOW_WEAK = rf"(?=\s*$|\s*[{_CJK}]|\s+(?P<op>[{_OPEN}]*)(?P<nx>[A-Z][A-Za-z]*|[0-9]))"
_FOLLOW_ELLIPSIS = rf"(?=\s*$|\s+[{_OPEN}]*[A-Z0-9])"
_ELLIPSIS_END = re.compile(_FOLLOW_ELLIPSIS)
# What may stand before a quotation that ends a sentence with ！ or ？: nothing, a colon, a
# comma, or the last character of a speech verb (说, 写道, 声称, 问, 表示).
_INTRODUCERS = "：:，,；;说道称问示曰"

# A run of terminators after the first is read up to this long: unbounded, a paragraph of
# 15,000 dots cost a pass over the rest of the run from every dot (25 s); bounded, a longer
# run still ends its sentence where it ends (the match starts nearer its end).
_RUN = "{0,16}"

# The pattern starts with one character class so that the regex engine skips ahead with a fast
# character-set scan instead of trying each branch at every position.
_BOUNDARY = re.compile(
    rf"[“「『\"（(【《{_STRONG}{_WEAK}{_ELLIPSIS}](?:"
    # 1. a short quotation or bracket: skipped whole; a boundary only if it ends with a terminator
    rf"(?:{_QUOTE_BODY})(?:(?<=[{_STRONG}{_ELLIPSIS}][”」』\"）)】])(?P<qs>{_TAIL}){_FOLLOW_STRONG}"
    rf"|(?<=[.!?][”\"）)])(?P<qw>{_TAIL})"
    rf"(?=\s*$|\s*[{_CJK}]|\s+[{_OPEN}]*(?P<qnx>[A-Z][A-Za-z]*|[0-9])))?"
    # 2. a Chinese full stop, exclamation or question mark (with any run of terminators after it)
    rf"|(?<=[{_STRONG}])(?P<s>[{_TERMS}]*){_TAIL}{_FOLLOW_STRONG}"
    # 3. ASCII terminators (an ASCII ellipsis ... included)
    rf"|(?<=[{_WEAK}])(?P<t>[{_WEAK}{_ELLIPSIS}]{_RUN}){_TAIL}{_FOLLOW_WEAK}"
    # 4. the ellipsis … ⋯
    rf"|(?<=[{_ELLIPSIS}])(?P<e>[{_ELLIPSIS}.\s]{_RUN}){_TAIL}{_FOLLOW_ELLIPSIS}"
    r")"
)
# A speech tag after a quotation that ends with ? or !: "Who is next?" Mr. Lee asked.
_SPEECH_TAG = re.compile(
    r"\s+(?:[A-Z][\w.'’-]*\s+){0,4}(?:said|says|asked|asks|replied|added|told|shouted|"
    r"wrote|recalled|cried|yelled|wondered|demanded|insisted)\b"
)
# A short Chinese speech tag closing a quotation: “你还有别的事要忙吗？”她问。 is one sentence.
_ZH_SPEECH_TAG = re.compile(
    r"[^\s“”「」。！？，,：:；;（）()]{0,16}?"
    r"(?:[说說问問]道?|表示|[称稱]|指出|[补補]充[说說]?|回答|[强強][调調]|解[释釋]|[写寫]道"
    r"|回[应應]|告[诉訴][记記]者)[。！]"
)
# A dot written between two CJK characters with no space (杰克.萨利文) joins the parts of a
# transcribed name, as the interpunct 杰克·萨利文 does; a full stop there would be 。.
_CJK_NAME_DOT = re.compile(f"[{_CJK}]\\.[{_CJK}]")
# The word before a single dot, for the abbreviation check (searched only for such dots).
_WORD_BEFORE = re.compile(r"[A-Za-z]+(?:\.[A-Za-z]+)*$")


def _words(spaced: str) -> frozenset[str]:
    return frozenset(spaced.split())


# A single dot after these never ends a sentence (a name or a number follows).
_TITLES = _words(
    "Mr Mrs Ms Mx Dr Prof Rev Hon Sen Rep Gov Gen Lt Col Maj Capt Cmdr Adm Sgt Cpl Pvt Pres "
    "Supt Insp Messrs Mmes Fr Sr Sra Mme Mlle"
)
# A single dot after these (and after initials and initialisms) ends a sentence only when a
# common sentence opener follows: "in the U.S. The talks", but "the U.S. Senate".
_ABBREVIATIONS = _words(
    "Jr Inc Co Corp Ltd Bros Plc LLC etc vs al approx est No Nos Jan Feb Mar Apr Jun Jul Aug "
    "Sep Sept Oct Nov Dec Mon Tue Tues Wed Thu Thur Thurs Fri Sat Sun Ave Blvd Rd St Mt Ft "
    "Dept Univ Fig Figs fig figs Vol vol pp ed eds cf ca Ph Assn Intl Art Sec Para"
)
_OPENERS = _words(
    "The A An He She It They We I You This That These Those There Here His Her Its Their Our My "
    "Your But And Or So Yet In On At As For If When While After Before Since Although Though "
    "However Meanwhile Still Also Now Then Last Earlier Later Both All Some Many Most Other "
    "Others What Why How Who Where Officials Police Mr Mrs Ms Dr"
)
_WORD = re.compile(r"\w")
# Tags our own rules handle; any other language code goes to sentencex.
_OWN_RULES = ("zh", "en", "ja", "ko", "yue", "lzh", "wuu", "cmn", "und", "mul", "zxx")


def _is_abbreviation(word: str) -> bool:
    return "." in word or word in _ABBREVIATIONS or (len(word) == 1 and word.isupper())


def _boundaries(text: str) -> list[int]:
    ends: list[int] = []
    for m in _BOUNDARY.finditer(text):
        if m.group("s") is None and m.group("e") is None:
            term = m.group("t")
            if term is not None:
                dot = m.start()
                nx = "The" if m["op"] else m["nx"]  # an opening quote starts a sentence
                if not term and text[dot] == "." and not _dot_ends_sentence(text, dot, nx):
                    continue
                if not term and _CJK_NAME_DOT.match(text, dot - 1):
                    continue  # 杰克.萨利文: a dot between two names, not a full stop
            elif not _quotation_ends_sentence(text, m, ends[-1] if ends else 0):
                continue
        ends.append(m.end())
    return ends


def _dot_ends_sentence(text: str, dot: int, next_word: str | None) -> bool:
    """Whether a single dot at `dot` ends a sentence, given the capitalised word after it."""
    w = _WORD_BEFORE.search(text, max(0, dot - 24), dot)
    if not w:
        return True
    word = w.group()
    if word in _TITLES:
        return False
    return not _is_abbreviation(word) or next_word in _OPENERS


def _quotation_ends_sentence(text: str, m: re.Match[str], sentence_start: int) -> bool:
    closed = m.group("qs")
    if closed is None:
        if m.group("qw") is None:
            return False  # the quotation does not end with a terminator
        closed_at = m.start("qw")
    else:
        closed_at = m.start("qs")
    before = text[sentence_start : m.start()].rstrip()
    if text[m.start()] in "（(【":
        return not before  # a bracket ends a sentence only if it is one
    term = closed_at - 2
    if closed is not None and _ZH_SPEECH_TAG.match(text, m.end()):
        return False
    if closed is None:  # "... the U.S." she said / 刻画为“声名狼籍的 R.B.G.”之后
        if text[term] != ".":
            return not _SPEECH_TAG.match(text, m.end())
        return _dot_ends_sentence(text, term, m.group("qnx"))
    if text[term] in _ELLIPSIS:  # words left out, as for a bare ellipsis: “甲……”“乙……”
        return _ELLIPSIS_END.match(text, m.end()) is not None
    if text[term] != "。" and before:
        return before[-1] in _INTRODUCERS  # 他说：“你好吗？” but not 手拉着“成都加油！”的横幅
    return True


def _sentencex(text: str, lang: str) -> list[str] | None:
    try:
        import sentencex  # lazy: only for languages other than Chinese and English
    except ImportError:  # pragma: no cover - sentencex is a declared dependency
        return None
    try:
        return list(sentencex.segment(lang, text))
    except Exception:  # an unknown language code: fall back to our rules
        return None


def split_sentences(text: str, lang: str | None = None) -> list[str]:
    """Split one paragraph of plain text into sentences, in order, stripped, none empty."""
    pieces: list[str] | None = None
    if lang and not lang.lower().startswith(_OWN_RULES):
        pieces = _sentencex(text, lang.split("-")[0].lower())
    if pieces is None:
        pieces = []
        start = 0
        for end in _boundaries(text):
            pieces.append(text[start:end])
            start = end
        pieces.append(text[start:])
    out: list[str] = []
    for piece in pieces:
        piece = piece.strip()
        if not piece:
            continue
        if out and not _WORD.search(piece):
            out[-1] += piece  # never leave a lone closing mark or stray punctuation as a unit
        else:
            out.append(piece)
    return out
