"""Fetch sample images from the web into an on-disk cache (used by the VLSU import).

Web links rot: a benchmark's images come back as 404s, HTML error pages, slow hosts or
dead domains. Each image is fetched once, concurrently, with a timeout, retries with
jittered exponential backoff on transient failures (timeouts, connection errors, 429,
5xx), and a check that the bytes really are an image. A file already in the cache is
never fetched again, so a rerun only tries what is still missing. Failures are returned,
never raised: the caller records them as broken links.

Formats the model APIs take (JPEG, PNG, GIF, WebP) are stored as they came; any other
image format is converted to PNG so every cached file can be sent.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import os
import random
import re
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import httpx

from framing._version import __version__

#: file extensions the cache recognises, in lookup order
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".gif", ".webp")
_KEEP = {"JPEG": ".jpg", "MPO": ".jpg", "PNG": ".png", "GIF": ".gif", "WEBP": ".webp"}
USER_AGENT = f"framing/{__version__} (image import for safety evaluation; httpx)"


@dataclass(frozen=True, slots=True)
class ImageJob:
    """One image to fetch: ``key`` names the cached file, ``url`` is where it lives."""

    key: str
    url: str


@dataclass(frozen=True, slots=True)
class Fetched:
    """What became of one job.

    ``status`` is ``ok`` (``path`` holds the image) or ``broken`` (``reason`` says why;
    ``permanent`` is true for answers a retry will not change, such as a 404).
    ``downloaded`` is false when the image came from the cache.
    """

    key: str
    url: str
    status: Literal["ok", "broken"]
    path: Path | None = None
    reason: str | None = None
    permanent: bool = False
    downloaded: bool = False


@dataclass(frozen=True, slots=True)
class DownloadProgress:
    done: int
    total: int
    ok: int
    broken: int
    downloaded: int


@dataclass(frozen=True, slots=True)
class DownloadOptions:
    concurrency: int = 16
    #: seconds for connecting and for each read
    timeout: float = 20.0
    #: extra attempts after a transient failure
    retries: int = 2
    #: first backoff in seconds; doubles per attempt, with jitter
    backoff: float = 1.0
    max_bytes: int = 20 * 1024 * 1024
    user_agent: str = USER_AGENT


def safe_stem(key: str) -> str:
    """A file name for a sample id: UUID-like ids stay as they are; others are cleaned and
    get a short hash of the id, so two ids never share a file."""
    if re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]{0,149}", key):
        return key
    cleaned = re.sub(r"[^A-Za-z0-9_-]", "_", key).strip("_")[:100]
    digest = hashlib.sha256(key.encode()).hexdigest()[:10]
    return f"{cleaned}-{digest}" if cleaned else digest


def cache_index(folder: Path) -> dict[str, Path]:
    """Every cached image in ``folder`` by file stem, from one listing of the folder
    (cheaper than a lookup per sample when there are thousands)."""
    rank = {suffix: i for i, suffix in enumerate(IMAGE_SUFFIXES)}
    found: dict[str, tuple[int, Path]] = {}
    if not folder.is_dir():
        return {}
    with os.scandir(folder) as entries:
        for entry in entries:
            stem, dot, ext = entry.name.rpartition(".")
            suffix = f".{ext.lower()}"
            if not dot or suffix not in rank or entry.name.startswith("."):
                continue
            if not entry.is_file() or entry.stat().st_size == 0:
                continue
            if stem not in found or rank[suffix] < found[stem][0]:
                found[stem] = (rank[suffix], Path(entry.path))
    return {stem: path for stem, (_, path) in found.items()}


class _Broken(Exception):
    def __init__(self, reason: str, *, permanent: bool, retry_after: float | None = None):
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent
        self.retry_after = retry_after


def _image_bytes(data: bytes) -> tuple[bytes, str]:
    """The bytes to store and their extension; raises _Broken if this is no image."""
    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # decompression-bomb warnings: checked below
            with Image.open(io.BytesIO(data)) as img:
                fmt = img.format or ""
                img.verify()
            if fmt in _KEEP:
                return data, _KEEP[fmt]
            with Image.open(io.BytesIO(data)) as img:
                img.load()
                out = io.BytesIO()
                converted = img.convert("RGBA" if "A" in img.getbands() else "RGB")
                converted.save(out, format="PNG")
                return out.getvalue(), ".png"
    except (UnidentifiedImageError, Image.DecompressionBombError):
        raise _Broken("not an image", permanent=True) from None
    except (OSError, SyntaxError, ValueError) as e:
        raise _Broken(f"unreadable image ({str(e)[:80]})", permanent=True) from None


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after")
    if value is None:
        return None
    try:
        return min(max(float(value), 0.0), 60.0)
    except ValueError:
        return None


async def _get(client: httpx.AsyncClient, url: str, max_bytes: int) -> bytes:
    try:
        async with client.stream("GET", url) as response:
            status = response.status_code
            if status == 429 or status >= 500:
                raise _Broken(f"HTTP {status}", permanent=False,
                              retry_after=_retry_after(response))
            if status != 200:
                raise _Broken(f"HTTP {status}", permanent=True)
            declared = response.headers.get("content-length")
            if declared and declared.isdigit() and int(declared) > max_bytes:
                raise _Broken(f"larger than {max_bytes // 2**20} MB", permanent=True)
            chunks: list[bytes] = []
            size = 0
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > max_bytes:
                    raise _Broken(f"larger than {max_bytes // 2**20} MB", permanent=True)
                chunks.append(chunk)
            return b"".join(chunks)
    except httpx.TimeoutException:
        raise _Broken("timed out", permanent=False) from None
    except (httpx.InvalidURL, httpx.UnsupportedProtocol):
        raise _Broken("not a valid http(s) URL", permanent=True) from None
    except httpx.TooManyRedirects:
        raise _Broken("too many redirects", permanent=True) from None
    except httpx.HTTPError as e:
        raise _Broken(f"connection failed ({type(e).__name__})", permanent=False) from None


def _store(folder: Path, key: str, data: bytes, suffix: str) -> Path:
    """Write atomically, so an interrupted run never leaves a half image in the cache."""
    path = folder / f"{safe_stem(key)}{suffix}"
    part = folder / f".{path.name}.part"
    part.write_bytes(data)
    os.replace(part, path)
    return path


async def _fetch_one(client: httpx.AsyncClient, job: ImageJob, folder: Path,
                     options: DownloadOptions) -> Fetched:
    last: _Broken | None = None
    for attempt in range(options.retries + 1):
        try:
            raw = await _get(client, job.url, options.max_bytes)
            data, suffix = await asyncio.to_thread(_image_bytes, raw)
            path = await asyncio.to_thread(_store, folder, job.key, data, suffix)
            return Fetched(job.key, job.url, "ok", path=path, downloaded=True)
        except _Broken as e:
            last = e
            if e.permanent or attempt == options.retries:
                break
            delay = e.retry_after
            if delay is None:
                delay = options.backoff * (2 ** attempt) * (0.5 + random.random())
            await asyncio.sleep(delay)
    assert last is not None
    return Fetched(job.key, job.url, "broken", reason=last.reason, permanent=last.permanent)


ProgressHandler = Callable[[DownloadProgress], None]


async def fetch_images(
    jobs: Sequence[ImageJob],
    folder: Path,
    options: DownloadOptions | None = None,
    *,
    on_progress: ProgressHandler | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> list[Fetched]:
    """Fetch every job's image into ``folder`` (cached ones are not fetched again).

    Results come back in the order of ``jobs``.
    """
    options = options or DownloadOptions()
    folder.mkdir(parents=True, exist_ok=True)
    results: list[Fetched | None] = [None] * len(jobs)
    todo: list[int] = []
    cached = cache_index(folder)
    for i, job in enumerate(jobs):
        hit = cached.get(safe_stem(job.key))
        if hit is not None:
            results[i] = Fetched(job.key, job.url, "ok", path=hit)
        else:
            todo.append(i)
    counts = {"ok": len(jobs) - len(todo), "broken": 0, "downloaded": 0}

    def report() -> None:
        if on_progress is not None:
            done = counts["ok"] + counts["broken"]
            on_progress(DownloadProgress(done, len(jobs), counts["ok"], counts["broken"],
                                         counts["downloaded"]))

    report()
    if not todo:
        return [r for r in results if r is not None]
    timeout = httpx.Timeout(options.timeout)
    limits = httpx.Limits(max_connections=options.concurrency,
                          max_keepalive_connections=options.concurrency)
    headers = {"User-Agent": options.user_agent,
               "Accept": "image/avif,image/webp,image/png,image/jpeg,image/*;q=0.8,*/*;q=0.5"}
    semaphore = asyncio.Semaphore(options.concurrency)
    async with httpx.AsyncClient(timeout=timeout, limits=limits, headers=headers,
                                 follow_redirects=True, transport=transport) as client:

        async def run(i: int) -> None:
            async with semaphore:
                fetched = await _fetch_one(client, jobs[i], folder, options)
            results[i] = fetched
            counts[fetched.status] += 1
            counts["downloaded"] += fetched.downloaded
            report()

        await asyncio.gather(*(run(i) for i in todo))
    return [r for r in results if r is not None]
