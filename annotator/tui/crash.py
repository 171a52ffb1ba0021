"""An app that never draws a traceback: an unexpected exception ends it quietly and the CLI
re-raises it after the terminal is restored, where the top-level guard turns it into one
line (and a log file). Textual's own crash report shows every local variable, which for a
store error means pages of SQL parameters and label values."""

from __future__ import annotations

from textual.app import App


class QuietCrashApp(App):
    crash: BaseException | None = None

    def _handle_exception(self, error: Exception) -> None:
        if self.crash is None:
            self.crash = error
        super()._handle_exception(error)  # sets the return code; Pilot tests re-raise it

    def _fatal_error(self) -> None:
        self.bell()
        self._close_messages_no_wait()

    def run_or_raise(self, **kw) -> None:
        """Run; then raise what crashed the app, if anything did."""
        self.run(**kw)
        if self.crash is not None:
            raise self.crash
