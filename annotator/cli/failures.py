"""What the command line does when a command fails: one line and an exit code, or, for a
bug, a crash log.

Exit codes (the README lists them): 0 done, 1 bad data or a problem the user can fix,
2 bad usage (Click's own), 70 an internal error (sysexits' EX_SOFTWARE: a bug, whose
traceback goes to a log file rather than the terminal), 130 interrupted.
"""

from __future__ import annotations

import os
import sys
import tempfile
import traceback
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from annotator.errors import format_user_error

EXIT_DATA = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 70
EXIT_INTERRUPTED = 130


def guarded(command: Callable[[], object]) -> int:
    """Run `command` (Click exits by itself: 0, 1, or 2 for usage); turn whatever escapes
    into one line on stderr and an exit code. A bug's traceback goes to a log file, never to
    the terminal, where it would bury the one line that matters."""
    sys.unraisablehook = _log_unraisable
    try:
        command()
    except SystemExit as exc:
        return _exit_code(exc)
    except KeyboardInterrupt:
        _say("Interrupted.")
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # `annotator status | head`: the reader left, nothing to say
        _silence_stdout()
        return EXIT_DATA
    except Exception as exc:
        message = format_user_error(exc)
        if message is not None:
            _say(message, style="red")
            return EXIT_DATA
        log = write_crash_log(exc)
        if log is None:  # nowhere to write it: the traceback is all there is to report
            traceback.print_exception(exc)
            where = "traceback above"
        else:
            where = f"details in {log}"
        _say(f"internal error ({type(exc).__name__}); {where}; please report it", style="red")
        return EXIT_INTERNAL
    return 0


def _log_unraisable(unraisable: sys.UnraisableHookArgs) -> None:
    """An error Python cannot raise (in a finaliser: a database cursor closed on a connection
    that was dropped, at exit): it changes no result, so it goes to a crash log, not to the
    terminal, where Python would print its traceback under our one line."""
    if unraisable.exc_value is not None:
        write_crash_log(unraisable.exc_value)


def _say(line: str, style: str | None = None) -> None:
    # Rich only now, on the way out: a command that succeeds never loads it for this.
    from rich.text import Text

    from annotator.cli.options import err

    err.print(Text(line, style=style or ""), soft_wrap=True)


def _exit_code(exc: SystemExit) -> int:
    if exc.code is None:
        return 0
    if isinstance(exc.code, int):
        return exc.code
    _say(str(exc.code))
    return EXIT_DATA


def _silence_stdout() -> None:
    # Python flushes stdout at exit and would raise again into the closed pipe.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def crash_log_dirs() -> list[Path]:
    """Where crash logs go, first choice first: the XDG state folder, then a temp folder."""
    state = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return [Path(state) / "annotator", Path(tempfile.gettempdir()) / "annotator"]


def write_crash_log(exc: BaseException, argv: list[str] | None = None) -> Path | None:
    """The traceback of a bug, with the command line and versions, in a new file; its path
    (None when no folder could be written: the caller then prints the traceback)."""
    from annotator import __version__

    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    body = "".join(
        [
            f"annotator {__version__}, Python {sys.version.split()[0]}, {sys.platform}\n",
            f"command: {' '.join(argv if argv is not None else sys.argv)}\n",
            f"time: {datetime.now(UTC).isoformat()}\n\n",
            *traceback.format_exception(exc),
        ]
    )
    for folder in crash_log_dirs():
        try:
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / f"crash-{stamp}-{os.getpid()}.log"
            with path.open("x", encoding="utf-8", errors="backslashreplace") as fh:
                fh.write(body)
            return path
        except OSError:
            continue
    return None
