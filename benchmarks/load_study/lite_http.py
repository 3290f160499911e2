"""A small HTTP/1.1 client on asyncio streams, for load generation on the same machine.

The benchmark runs on the 2 cores it measures, so the client's own CPU time
is taken from the server under test. This client does only what the load
benchmark needs (one keep-alive connection per participant, cookies by name,
redirects, Content-Length and chunked bodies, no TLS, no compression) at a
fraction of a general client's cost per request. Its surface mirrors the few
httpx calls the benchmark makes, so ``--client httpx2`` can cross-check it.
"""

from __future__ import annotations

import asyncio
import json as jsonlib
from urllib.parse import urlencode, urlsplit


class TransportError(Exception):
    """No complete HTTP response: refused, reset, closed early, timed out or garbled."""


class Reply:
    __slots__ = ("status_code", "headers", "content", "path")

    def __init__(self, status_code: int, headers: dict, content: bytes, path: str):
        self.status_code, self.headers, self.content, self.path = (
            status_code, headers, content, path)

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", "replace")

    def json(self):
        return jsonlib.loads(self.content)


def _closed_before_reply(exc: BaseException) -> bool:
    """True when the connection ended before a byte of the reply came back."""
    if isinstance(exc, asyncio.IncompleteReadError):
        return not exc.partial
    return isinstance(exc, (ConnectionResetError, BrokenPipeError))


class LiteClient:
    """One participant's browser tab: one connection to host:port, its own cookies."""

    def __init__(self, host: str, port: int, *, timeout: float = 10.0):
        self.host, self.port, self.timeout = host, port, timeout
        self.cookies: dict[str, str] = {}
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def request(self, method: str, path: str, *, data: dict | None = None,
                      json=None, headers: dict | None = None,
                      follow_redirects: bool = False, timeout: float | None = None) -> Reply:
        body, content_type = b"", None
        if json is not None:
            body, content_type = jsonlib.dumps(json).encode(), "application/json"
        elif data is not None:
            body, content_type = urlencode(data).encode(), "application/x-www-form-urlencoded"
        redirects, retried = 0, False
        while redirects < 10:
            reused = self._writer is not None
            try:
                reply = await asyncio.wait_for(
                    self._exchange(method, path, body, content_type, headers or {}),
                    timeout or self.timeout)
            except (OSError, EOFError, ValueError, asyncio.LimitOverrunError, TimeoutError) as exc:
                await self.aclose()  # the connection's state is unknown: start afresh
                if reused and not retried and _closed_before_reply(exc):
                    # The server closed an idle keep-alive connection (nginx's
                    # keepalive_timeout) as the request went out: a browser sends it
                    # again on a new connection (RFC 9112 9.3.1), once.
                    retried = True
                    continue
                raise TransportError(f"{type(exc).__name__}: {exc}") from exc
            redirects += 1
            if not follow_redirects or reply.status_code not in (301, 302, 303, 307, 308):
                return reply
            target = urlsplit(reply.headers["location"])
            path = target.path + (f"?{target.query}" if target.query else "")
            if reply.status_code in (301, 302, 303):
                method, body, content_type = "GET", b"", None  # as browsers do
        raise TransportError("more than 10 redirects")

    async def _exchange(self, method, path, body, content_type, headers) -> Reply:
        if self._writer is None:
            self._reader, self._writer = await asyncio.open_connection(self.host, self.port)
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}",
                 "User-Agent: load_study", "Accept: */*"]
        if self.cookies:
            lines.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        if content_type:
            lines.append(f"Content-Type: {content_type}")
        if body or method == "POST":
            lines.append(f"Content-Length: {len(body)}")
        lines.extend(f"{k}: {v}" for k, v in headers.items())
        self._writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
        await self._writer.drain()

        head = await self._reader.readuntil(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        status = int(status_line.split(" ", 2)[1])
        found: dict[str, str] = {}
        for line in header_lines:
            if not line:
                continue
            name, _, value = line.partition(":")
            name, value = name.strip().lower(), value.strip()
            if name == "set-cookie":
                self._cookie_set(value)
            found[name] = value
        if method == "HEAD" or status in (204, 304) or 100 <= status < 200:
            content = b""
        elif "content-length" in found:
            content = await self._reader.readexactly(int(found["content-length"]))
        elif "chunked" in found.get("transfer-encoding", "").lower():
            content = await self._chunked()
        else:
            content = await self._reader.read()
            found["connection"] = "close"
        if found.get("connection", "").lower() == "close":
            await self.aclose()
        return Reply(status, found, content, path.split("?", 1)[0])

    async def _chunked(self) -> bytes:
        parts = []
        while True:
            size = int((await self._reader.readuntil(b"\r\n")).split(b";")[0], 16)
            if size == 0:
                await self._reader.readuntil(b"\r\n")  # no trailers from nginx
                return b"".join(parts)
            parts.append(await self._reader.readexactly(size))
            await self._reader.readexactly(2)

    def _cookie_set(self, value: str) -> None:
        pair, *attributes = value.split(";")
        name, _, cookie = pair.strip().partition("=")
        expired = any(a.strip().lower() in ("max-age=0", 'max-age="0"') for a in attributes)
        if expired:
            self.cookies.pop(name, None)
        else:
            self.cookies[name] = cookie

    async def aclose(self) -> None:
        writer, self._reader, self._writer = self._writer, None, None
        if writer is not None:
            writer.close()
            try:
                await writer.wait_closed()
            except (OSError, EOFError):
                pass
