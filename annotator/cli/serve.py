"""`annotator serve`: the annotate (and, for leads, review and dashboard) screens in a browser.

textual-serve (the optional `serve` extra) runs one `annotator serve-session` process per
browser connection; each opens with a sign-in screen where a personal token (see
`annotator annotators token`) decides who the person is and what they may open. Textual and
textual-serve are imported only inside the commands.
"""

from __future__ import annotations

import errno
import ipaddress
import os
import shlex
import socket
import sys
from pathlib import Path
from typing import Annotated

import typer

from annotator.cli.options import DbOption, ProjectOption, err
from annotator.errors import UserError

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a name: it may resolve to anything


def _check_port_free(host: str, port: int) -> None:
    """One clear line now, rather than aiohttp's message after the banner."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as aiohttp binds
        try:
            probe.bind((host.strip("[]"), port))
        except OSError as exc:
            hint = (
                "pick another --port"
                if exc.errno == errno.EADDRINUSE
                else "is --host a name or address of this machine?"
            )
            why = exc.strerror or str(exc)
            raise UserError(f"cannot listen on {host}:{port}: {why} ({hint})") from None


def _shown_url(host: str, port: int) -> str:
    if host in ("0.0.0.0", "::", ""):  # every address: name the machine instead
        host = socket.gethostname()
    return f"http://{f'[{host}]' if ':' in host else host}:{port}"


def _absolute(url: str) -> str:
    """The store URL with a relative SQLite path made absolute (every session opens it)."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        parsed = parsed.set(database=str(Path(parsed.database).expanduser().resolve()))
    return parsed.render_as_string(hide_password=False)


def serve(
    host: Annotated[
        str,
        typer.Option("--host", help="Address to listen on (default: this machine only)."),
    ] = DEFAULT_HOST,
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = DEFAULT_PORT,
    public_url: Annotated[
        str | None,
        typer.Option(
            "--public-url",
            help="The address people open, when it differs from the one the server sees "
            "(behind a TLS proxy, e.g. https://annotate.example.org).",
        ),
    ] = None,
    max_sessions: Annotated[
        int,
        typer.Option("--max-sessions", help="Browser sessions open at once (one process each)."),
    ] = 50,
    lease_minutes: Annotated[
        float,
        typer.Option(
            "--lease-minutes",
            min=0.1,
            help="How long the sentence on someone's screen stays theirs without a key pressed.",
        ),
    ] = 5.0,
    project: ProjectOption = None,
    db: DbOption = None,
) -> None:
    """Serve the annotation screens to web browsers, behind a personal sign-in token.

    Annotators get their own annotate screen; leads choose annotate, review or the
    dashboard. Give people tokens with `annotator annotators token NAME`.
    """
    try:
        from annotator.tui.served.web import SessionServer  # textual-serve: only now
    except ModuleNotFoundError as exc:
        raise UserError(
            f"annotator serve needs textual-serve ({exc.name} is missing): "
            "pip install 'annotator[serve]'"
        ) from None
    from annotator.store.engine import resolve_url, session_scope
    from annotator.store.tokens import count_token_holders
    from annotator.tui.launch import load_context, load_hints

    if not 0 < port < 65536:
        raise UserError(f"--port {port}: give a port between 1 and 65535")
    if max_sessions < 1:
        raise UserError(f"--max-sessions {max_sessions}: give at least 1")
    _check_port_free(host, port)
    # Open (and migrate) the store once here: a bad store or project is one line now, not an
    # error in every browser; the sessions then find it up to date.
    context = load_context(db=db, project=project)
    load_hints(context)  # the schema's lexicon: a missing file is one line now, too
    with session_scope(context.engine) as session:
        holders = count_token_holders(session)
    if not holders:
        err.print(
            "note: nobody can sign in yet: give each person a token with "
            "`annotator annotators token NAME`",
            style="yellow",
            markup=False,
        )
    if not is_loopback(host):
        err.print(
            f"warning: listening on {host}: anyone who can reach port {port} gets the sign-in "
            "page; tokens travel in clear text unless a TLS proxy is in front",
            style="yellow",
            markup=False,
        )
    # The sessions read the store from the environment, not the command line, so a
    # PostgreSQL password stays out of `ps` and the server's log.
    os.environ["ANNOTATOR_DB"] = _absolute(resolve_url(db))
    command = shlex.join(
        [
            sys.executable,
            "-m",
            "annotator",
            "serve-session",
            "--project",
            context.project_name,
            "--lease-minutes",
            str(lease_minutes),
        ]
    )
    shown = public_url or _shown_url(host, port)
    server = SessionServer(
        command,
        host=host,
        port=port,
        title=f"annotator · {context.project_name}",
        banner=f"Serving project {context.project_name} on {shown} (ctrl+c to stop)",
        public_url=public_url,
        max_sessions=max_sessions,
    )
    try:
        server.serve()
    except OSError as exc:
        raise UserError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None


def serve_session(
    lease_minutes: Annotated[float, typer.Option("--lease-minutes", min=0.1)] = 5.0,
    project: ProjectOption = None,
    db: DbOption = None,
) -> None:
    """One browser session of `annotator serve` (it starts these; not for people)."""
    from annotator.tui.launch import load_context, load_hints

    context = load_context(db=db, project=project)
    hints = load_hints(context)
    from annotator.tui.served.app import ServedApp  # textual: only now

    app = ServedApp(context, lease_seconds=lease_minutes * 60, hints=hints)
    app.run_or_raise()
    if app.error_message:
        raise UserError(app.error_message)
