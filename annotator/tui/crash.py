"""An app that never draws a traceback and leaves the terminal as it found it.

An unexpected exception ends it quietly and the CLI re-raises it after the terminal is
restored, where the top-level guard turns it into one line (and a log file). Textual's own
crash report shows every local variable, which for a store error means pages of SQL
parameters and label values.

SIGTERM (`kill`, `timeout`, a session manager) ends it as q does: without this the process
died inside Textual's alternate screen, and the shell came back behind the app's last frame,
with keys not echoed, until the person typed `reset` blind; and the unit on screen stayed
held from the others until the hold lapsed. The command then exits with 143, as a process
ended by SIGTERM does. (Before the app runs, while the screen loads, `type_ahead.held_keys`
turns SIGTERM into the same exit.)
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from typing import Any

from textual.app import App

TERMINATED = 128 + signal.SIGTERM


class QuietCrashApp(App):
    crash: BaseException | None = None
    terminated = False
    _sigterm_before: Any = None  # the SIGTERM handler to put back as the app ends

    def _handle_exception(self, error: Exception) -> None:
        if self.crash is None:
            self.crash = error
        super()._handle_exception(error)  # sets the return code; Pilot tests re-raise it

    def _fatal_error(self) -> None:
        self.bell()
        self._close_messages_no_wait()

    def on_mount(self) -> None:
        # The loop of the main thread takes the signal (under a test runner's Pilot too);
        # the handler it replaces is put back as the app ends. One not set from Python
        # (getsignal: None) cannot be put back, so it is left alone.
        before = signal.getsignal(signal.SIGTERM)
        if before is None:
            return
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, self._terminate)
            self._sigterm_before = before

    def on_unmount(self) -> None:
        before, self._sigterm_before = self._sigterm_before, None
        if before is None:
            return
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            asyncio.get_running_loop().remove_signal_handler(signal.SIGTERM)
            signal.signal(signal.SIGTERM, before)

    def _terminate(self) -> None:
        self.terminated = True
        self.exit(return_code=TERMINATED)

    def run_or_raise(self, **kw) -> None:
        """Run; then raise what crashed the app, if anything did (SystemExit(143) if SIGTERM
        ended it, once the terminal is restored and the app has left as on q)."""
        self.run(**kw)
        if self.crash is not None:
            raise self.crash
        if self.terminated:
            raise SystemExit(TERMINATED)
