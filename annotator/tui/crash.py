"""An app that never draws a traceback and leaves the terminal as it found it.

An unexpected exception ends it quietly and the CLI re-raises it after the terminal is
restored, where the top-level guard turns it into one line (and a log file). Textual's own
crash report shows every local variable, which for a store error means pages of SQL
parameters and label values.

SIGTERM (`kill`, `timeout`, a session manager) ends it as q does: without this the process
died inside Textual's alternate screen, and the shell came back behind the app's last frame,
with keys not echoed, until the person typed `reset` blind; and the unit on screen stayed
held from the others until the hold lapsed. The command then exits with 143, as a process
ended by SIGTERM does.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal

from textual.app import App

TERMINATED = 128 + signal.SIGTERM


class QuietCrashApp(App):
    crash: BaseException | None = None
    terminated = False

    def _handle_exception(self, error: Exception) -> None:
        if self.crash is None:
            self.crash = error
        super()._handle_exception(error)  # sets the return code; Pilot tests re-raise it

    def _fatal_error(self) -> None:
        self.bell()
        self._close_messages_no_wait()

    def on_mount(self) -> None:
        # Only the main thread's loop takes signals (not so under a test runner's Pilot).
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, self._terminate)

    def on_unmount(self) -> None:
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            asyncio.get_running_loop().remove_signal_handler(signal.SIGTERM)

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
