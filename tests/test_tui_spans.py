"""Pilot tests for the span keys: hint letters, word-wise motion, extend and shrink, several
spans, a mouse drag; and the hint letters' rules on their own."""

from __future__ import annotations

from annotator.schema.model import Label, Schema, Task
from annotator.tui.span_hints import assign_hints, hint_alphabet, is_word
from tests.support.tui import make_app, make_store, panel, stored

WORDS = Schema(
    name="words",
    tasks=(
        Task(name="bias", type="single", labels=(Label("biased", "Biased", "1"),)),
        Task(name="words", type="span", required=False),
    ),
)
SENTENCE = "Critics, angrily, slammed the so-called reckless scheme."
CHINESE = "美国国会周二就预算法案举行投票。"


def spans(ctx, text: str) -> list[str]:
    return [s["text"] for s in stored(ctx)[text][1].get("words", [])]


async def test_a_hint_letter_marks_a_word_and_its_capital_stretches_the_span(tmp_path):
    ctx = make_store(tmp_path, WORDS, docs=[[SENTENCE, "next"]])
    app = make_app(ctx)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("1")  # bias; the span task is next
        span = panel(app, "words")
        assert app.screen.active is span
        # Every word wears its hint, drawn in front of it: the boundaries show.
        drawn = span.body().plain
        for token in ("Critics", "angrily", "slammed", "scheme"):
            assert span.hint_of(span.tokens.index(token)) + token in drawn
        assert span.hint_of(span.tokens.index(",")) == ""  # punctuation has none
        slammed = span.hint_of(span.tokens.index("slammed"))
        reckless = span.hint_of(span.tokens.index("reckless"))
        scheme = span.hint_of(span.tokens.index("scheme"))
        await pilot.press(*reckless, scheme.upper())  # "reckless scheme": two keys
        await pilot.press(*slammed)  # a second span, one key
        assert [s["text"] for s in span.value] == ["slammed", "reckless scheme"]
        await pilot.press(*slammed)  # again: unmarked
        await pilot.press("enter")
        await pilot.pause()
    assert spans(ctx, SENTENCE) == ["reckless scheme"]


async def test_arrows_move_by_word_over_punctuation_and_shift_extends_and_shrinks(tmp_path):
    ctx = make_store(tmp_path, WORDS, docs=[[SENTENCE, "next"]])
    app = make_app(ctx)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("1")
        span = panel(app, "words")
        word = lambda: span.tokens[span.cursor]  # noqa: E731
        assert word() == "Critics"
        await pilot.press("right")
        assert word() == "angrily"  # the comma is stepped over
        await pilot.press("right", "right")
        assert word() == "the"
        await pilot.press("shift+right", "shift+right", "shift+right")
        assert [s["text"] for s in span.value] == ["the so-called reckless scheme"]
        await pilot.press("shift+left", "shift+left")  # shrink back by two words
        assert [s["text"] for s in span.value] == ["the so-called"]
        await pilot.press("end", "space")  # a second span: the last word
        await pilot.press("home")
        assert word() == "Critics"
        await pilot.press("enter")
        await pilot.pause()
    assert spans(ctx, SENTENCE) == ["the so-called", "scheme"]


async def test_chinese_words_come_from_the_tokenizer_and_take_hints(tmp_path):
    ctx = make_store(tmp_path, WORDS, docs=[[CHINESE, "next"]])
    app = make_app(ctx)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("1")
        span = panel(app, "words")
        assert "预算" in span.tokens and "。" in span.tokens
        await pilot.press(*span.hint_of(span.tokens.index("预算")))
        await pilot.press("right")
        assert span.tokens[span.cursor] == span.tokens[span.tokens.index("预算") + 1]
        await pilot.press("enter")
        await pilot.pause()
    assert spans(ctx, CHINESE) == ["预算"]


async def test_a_mouse_drag_marks_the_words_it_passes_over(tmp_path):
    ctx = make_store(tmp_path, WORDS, docs=[[SENTENCE, "next"]])
    app = make_app(ctx)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("1")
        span = panel(app, "words")
        x0, y = span.content_region.x, span.content_region.y + 1
        drawn = span.body().plain
        start = (x0 + drawn.index("slammed") + 1, y)
        end = (x0 + drawn.index("reckless") + 1, y)
        await pilot.mouse_down(span, offset=(start[0] - span.region.x, y - span.region.y))
        await pilot.hover(span, offset=(end[0] - span.region.x, y - span.region.y))
        await pilot.mouse_up(span, offset=(end[0] - span.region.x, y - span.region.y))
        await pilot.pause()
        assert [s["text"] for s in span.value] == ["slammed the so-called reckless"]
        assert app.screen.active is span
        await pilot.press("enter")
        await pilot.pause()
    assert spans(ctx, SENTENCE) == ["slammed the so-called reckless"]


async def test_a_two_letter_hint_waits_for_its_second_letter_and_escape_drops_it(tmp_path):
    names = [f"w{a}{b}" for a in "abcd" for b in "abcdefghij"]  # wab, wac, ...: 40 words
    long = " ".join(names) + "."
    ctx = make_store(tmp_path, WORDS, docs=[[long, "next"]])
    app = make_app(ctx)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.press("1")
        span = panel(app, "words")
        hint = span.hint_of(39)
        assert len(hint) == 2
        await pilot.press(hint[0])
        assert span.pending == hint[0] and span.value is None
        await pilot.press("escape")
        assert span.pending == ""
        await pilot.press(*hint)
        assert [s["text"] for s in span.value] == [names[39]]


def test_hints_are_short_unique_and_leave_out_taken_keys():
    assert is_word("so-called") and is_word("预算") and is_word("2024") and not is_word("，")
    alphabet = hint_alphabet({"s", "f", "u", "q", "1", "A"})
    assert not {"s", "f", "u", "q", "a"} & set(alphabet)
    for n in (3, len(alphabet), 40, 200):
        hints = assign_hints(list(range(n)), alphabet)
        assert len(hints) == n and len(set(hints.values())) == n
        assert all(1 <= len(h) <= 2 for h in hints.values())
        singles = {h for h in hints.values() if len(h) == 1}
        # No one-letter hint begins a two-letter one: a typed letter is never ambiguous.
        assert not any(len(h) == 2 and h[0] in singles for h in hints.values())
    assert assign_hints([0, 1], "") == {}


async def test_hint_letters_keep_their_order_in_a_burst_and_type_into_a_note(tmp_path):
    """Keys typed faster than the screen draws arrive in order: a hint, its capital, then
    tab and a key for the next task; letters typed in a free-text task are text."""
    from textual import events

    schema = Schema(
        name="words",
        tasks=(*WORDS.tasks, Task(name="note", type="text", required=False)),
    )
    ctx = make_store(tmp_path, schema, docs=[[SENTENCE, "next"]])
    app = make_app(ctx)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("1")
        span = panel(app, "words")
        first = span.hint_of(span.tokens.index("reckless"))
        last = span.hint_of(span.tokens.index("scheme"))
        for key in [*first, last.upper(), "tab"]:
            app.post_message(events.Key(key, "\t" if key == "tab" else key))
        await pilot.pause(0.3)
        assert app.screen.active is panel(app, "note")
        await pilot.press(*"ad", "enter")  # hint letters, but here they are text
        await pilot.pause()
    assert spans(ctx, SENTENCE) == ["reckless scheme"]
    assert stored(ctx)[SENTENCE][1]["note"] == "ad"
