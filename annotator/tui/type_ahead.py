"""Keys typed while the screen loads reach it as typed.

Textual switches the terminal to raw input only once it starts, up to a second after the
command does (longer for `demo`, which imports first). A key typed before that passes the
terminal's line discipline in its cooked mode: it is echoed over the last output, and enter
arrives as a line feed, which Textual reads as ctrl+j, not enter, so a name typed ahead on
the start screen was not submitted and a label saved with enter was not saved. `held_keys`
puts the input side of the terminal into Textual's raw settings as the command starts
(signals kept, so ctrl+c still stops a slow start) and gives the person's own settings back
when the command ends. Textual restores what it found, which is these settings. SIGTERM
or SIGHUP while they are held unwinds the command as ctrl+c does (exiting with 128 + the
signal), so the settings come back then too: a shell does not always restore them for a
process killed by a signal.
"""

from __future__ import annotations

import contextlib
import signal
import sys
from collections.abc import Iterator
from types import FrameType

# The signals that end a screen as q does (SIGHUP: the terminal closed; absent on Windows).
ENDING = tuple(getattr(signal, n) for n in ("SIGTERM", "SIGHUP") if hasattr(signal, n))


@contextlib.contextmanager
def held_keys(fd: int | None = None) -> Iterator[None]:
    """Raw input (no echo, no line editing, enter kept as carriage return) on `fd`, standard
    input by default, for the body of the `with`; nothing happens where it is not a terminal."""
    try:
        import termios
    except ImportError:  # Windows: its console does not translate enter
        yield
        return
    if fd is None:
        try:
            fd = sys.stdin.fileno()
        except (AttributeError, OSError, ValueError):  # replaced or closed (tests, pipes)
            fd = -1
    try:
        before = termios.tcgetattr(fd)
        held = termios.tcgetattr(fd)
        held[0] &= ~(termios.ICRNL | termios.INLCR | termios.IGNCR)  # iflag: enter stays \r
        held[3] &= ~(termios.ECHO | termios.ICANON | termios.IEXTEN)  # lflag: ISIG kept
        held[6][termios.VMIN] = 1
        held[6][termios.VTIME] = 0
        termios.tcsetattr(fd, termios.TCSANOW, held)
    except (termios.error, OSError, ValueError):  # not a terminal (or no descriptor)
        yield
        return
    handlers = {}
    try:
        for signum in ENDING:
            if signal.getsignal(signum) is not signal.SIG_IGN:  # nohup: SIGHUP stays ignored
                handlers[signum] = signal.signal(signum, _exit_on_signal)
    except ValueError:  # not the main thread: signals are not ours to take
        pass
    try:
        yield
    finally:
        for signum, handler in handlers.items():
            signal.signal(signum, handler)
        with contextlib.suppress(termios.error, OSError):  # the terminal may be gone
            termios.tcsetattr(fd, termios.TCSANOW, before)


def _exit_on_signal(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)
