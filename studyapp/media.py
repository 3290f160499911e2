"""Serve stimulus clips with HTTP Range support (RFC 9110, section 14).

Safari asks for ``bytes=0-1`` before it plays a video and gives up without
206 Partial Content; Django has no Range handling of its own. ``byte_range``
is the pure parse; ``ranged_file_response`` builds the answer.

A clip's response carries nothing about its file but its bytes: no file name
(Content-Disposition) and no modification time (Last-Modified, or an ETag made
of it), since the order clips were rendered in can give their method away.
"""

from __future__ import annotations

import mimetypes
import re
from pathlib import Path

from django.http import FileResponse, HttpResponse, StreamingHttpResponse

_RANGE = re.compile(r"^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$", re.IGNORECASE)
CHUNK = 64 * 1024


class RangeNotSatisfiable(ValueError):
    """The Range header names no byte of the file (answer 416)."""


def byte_range(header: str | None, size: int) -> tuple[int, int] | None:
    """The inclusive (first, last) byte a Range header asks for, or None for the whole file.

    Handles ``a-b``, open-ended ``a-`` and suffix ``-n``; a header that is not
    a single byte range is ignored (answer 200), as RFC 9110 allows; a range
    that starts past the end raises RangeNotSatisfiable.
    """
    if not header:
        return None
    match = _RANGE.match(header)
    if match is None:
        return None
    first, last = match.groups()
    if first == "" and last == "":
        return None
    if first == "":
        length = int(last)
        if length == 0 or size == 0:
            raise RangeNotSatisfiable(header)
        return max(size - length, 0), size - 1
    start = int(first)
    end = size - 1 if last == "" else min(int(last), size - 1)
    if last != "" and int(last) < start:
        return None  # syntactically invalid: ignore the header
    if start >= size:
        raise RangeNotSatisfiable(header)
    return start, end


def _slice(path: Path, start: int, length: int):
    with open(path, "rb") as handle:
        handle.seek(start)
        while length > 0:
            block = handle.read(min(CHUNK, length))
            if not block:
                return
            length -= len(block)
            yield block


def ranged_file_response(request, path: Path, *, etag: str) -> HttpResponse:
    """200, 206, 304 or 416 for ``path`` according to the request's headers.

    ``etag`` is the caller's opaque validator for this version of the file.
    """
    size = path.stat().st_size
    content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    if request.headers.get("If-None-Match") == etag:
        response = HttpResponse(status=304)
        response["ETag"] = etag
        return response
    header = request.headers.get("Range")
    if_range = request.headers.get("If-Range")
    if header and if_range and if_range != etag:
        header = None  # the client's copy is stale (or dated): send the whole file
    try:
        wanted = byte_range(header, size)
    except RangeNotSatisfiable:
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        response["Accept-Ranges"] = "bytes"
        return response
    if wanted is None:
        response = FileResponse(open(path, "rb"), content_type=content_type)
        del response["Content-Disposition"]  # FileResponse names the file
    else:
        start, end = wanted
        response = StreamingHttpResponse(_slice(path, start, end - start + 1),
                                         status=206, content_type=content_type)
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
        response["Content-Length"] = str(end - start + 1)
    response["Accept-Ranges"] = "bytes"
    response["ETag"] = etag
    response["Cache-Control"] = "private, max-age=3600"
    return response


def accel_redirect_response(path: Path, root: Path, prefix: str) -> HttpResponse:
    """Hand the bytes to nginx (``X-Accel-Redirect``): it does Range itself."""
    response = HttpResponse()
    response["X-Accel-Redirect"] = prefix.rstrip("/") + "/" + path.relative_to(root).as_posix()
    response["Content-Type"] = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return response


