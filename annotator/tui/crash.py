"""An app that never draws a traceback and leaves the terminal as it found it.

An unexpected exception ends it quietly and the CLI re-raises it after the terminal is
restored, where the top-level guard turns it into one line (and a log file). Textual's own
crash report shows every local variable, which for a store error means pages of SQL
parameters and label values.

SIGTERM (`kill`, `timeout`, a session manager) ends it as q does: without this the process
died inside Textual's alternate screen, and the shell came back behind the app's last frame,
with keys not echoed, until the person typed `reset` blind; and the unit on screen stayed
held from the others until the hold lapsed. The command then exits with 143, as a process
ended by SIGTERM does. SIGHUP (the terminal closed: an SSH connection dropped, a terminal
window shut) ends it the same way, exit 129: the unit goes back to the others at once and
the queue position is kept. (Before the app runs, while the screen loads,
`type_ahead.held_keys` turns either signal into the same exit.)
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from typing import Any

from textual.app import App

from annotator.tui.type_ahead import ENDING


class QuietCrashApp(App):
    crash: BaseException | None = None
    terminated = 0  # the signal that ended the app, if one did
    _handlers_before: dict[int, Any] | None = None  # to put back as the app ends

    def _handle_exception(self, error: Exception) -> None:
        if self.crash is None:
            self.crash = error
        super()._handle_exception(error)  # sets the return code; Pilot tests re-raise it

    def _fatal_error(self) -> None:
        self.bell()
        self._close_messages_no_wait()

    def on_mount(self) -> None:
        # The loop of the main thread takes the signals (under a test runner's Pilot too);
        # the handlers it replaces are put back as the app ends. One not set from Python
        # (getsignal: None) cannot be put back, and one ignored (SIGHUP under nohup) is meant
        # to be: those signals are left alone.
        before: dict[int, Any] = {}
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop = asyncio.get_running_loop()
            for signum in ENDING:
                handler = signal.getsignal(signum)
                if handler is not None and handler is not signal.SIG_IGN:  # nohup: ignored
                    loop.add_signal_handler(signum, self._terminate, signum)
                    before[signum] = handler
        self._handlers_before = before

    def on_unmount(self) -> None:
        before, self._handlers_before = self._handlers_before or {}, None
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop = asyncio.get_running_loop()
            for signum, handler in before.items():
                loop.remove_signal_handler(signum)
                signal.signal(signum, handler)

    def _terminate(self, signum: int = signal.SIGTERM) -> None:
        self.terminated = signum
        self.exit(return_code=128 + signum)

    def run_or_raise(self, **kw) -> None:
        """Run; then raise what crashed the app, if anything did (SystemExit(128 + signal) if
        SIGTERM or SIGHUP ended it, once the terminal is restored and the app has left as on
        q)."""
        self.run(**kw)
        if self.crash is not None:
            raise self.crash
        if self.terminated:
            raise SystemExit(128 + self.terminated)
