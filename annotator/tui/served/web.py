"""The web side of `annotator serve`: textual-serve, with what a shared server needs.

textual-serve starts one process per browser connection, running `command` (our served
app). On top of it:
- the page's WebSocket address follows the address the browser used (an SSH tunnel, a
  name in DNS), unless a public URL is given (behind a TLS proxy);
- a WebSocket from another site's page is refused (its Origin must be this server);
- at most `max_sessions` sessions run at once, each one process;
- the page asks nothing of the internet: its web-font link (to Google) is replaced by the
  font textual-serve ships, so a server without internet access, or an annotator's privacy,
  loses nothing.
"""

from __future__ import annotations

import logging
import re
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web
from textual_serve.server import Server

log = logging.getLogger("annotator.serve")
# What a browser may put in a Host header; anything else is not echoed into the page.
_REMOTE_FONT = re.compile(r"<link[^>]*fonts\.googleapis\.com[^>]*>", re.DOTALL)
_LOCAL_FONT = (
    "<style>@font-face { font-family: 'Roboto Mono'; font-weight: 100 700; "
    "src: url('{static}fonts/RobotoMono-VariableFont_wght.ttf') format('truetype'); }</style>"
)
_HOST = re.compile(r"^[A-Za-z0-9.\-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$")


class SessionServer(Server):
    def __init__(
        self,
        command: str,
        *,
        host: str,
        port: int,
        title: str,
        banner: str,
        public_url: str | None = None,
        max_sessions: int = 50,
    ) -> None:
        super().__init__(command, host=host, port=port, title=title, public_url=public_url)
        self.fixed_url = public_url is not None
        self.default_url = self.public_url  # for a request whose Host header is unusable
        self.banner = banner
        self.max_sessions = max_sessions
        self.live = 0

    async def on_startup(self, app: web.Application) -> None:
        # Our own line, not textual-serve's logo and command line.
        self.console.print(self.banner, highlight=False, markup=False)

    async def handle_index(self, request: web.Request) -> Any:
        if not self.fixed_url:
            # Set and read in one step of the event loop: no other request sees it between.
            usable = _HOST.match(request.host)
            self.public_url = f"{request.scheme}://{request.host}" if usable else self.default_url
        response = await super().handle_index(request)
        if isinstance(response, web.Response) and response.text:
            static = f"{self.public_url.rstrip('/')}/static/"
            response.text = _REMOTE_FONT.sub(
                lambda _m: _LOCAL_FONT.replace("{static}", static), response.text
            )
        return response

    def _same_origin(self, request: web.Request) -> bool:
        origin = request.headers.get("Origin")
        if origin is None:  # not a browser page (a script, a test client)
            return True
        allowed = {request.host}
        if self.fixed_url:
            allowed.add(urlsplit(self.public_url).netloc)
        return urlsplit(origin).netloc in allowed

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        if not self._same_origin(request):
            log.warning(
                "refused a session opened from another site (%s)", request.headers["Origin"]
            )
            raise web.HTTPForbidden(text="sessions open from this server's own page only")
        if self.live >= self.max_sessions:
            log.warning("refused a session: %d already open (--max-sessions)", self.live)
            raise web.HTTPServiceUnavailable(text="too many open sessions: try again later")
        self.live += 1
        try:
            return await super().handle_websocket(request)
        finally:
            self.live -= 1
