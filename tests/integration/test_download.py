"""Image download against a real HTTP server on loopback: images, 404s, slow and flaky
hosts, HTML error pages; counts, the cache and reruns that fetch nothing twice."""

from __future__ import annotations

import io
import json
import threading
import time
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import vlsu_csv
from PIL import Image
from typer.testing import CliRunner

from framing.cli import app
from framing.data.download import DownloadOptions, ImageJob, fetch_images
from framing.data.vlsu import import_vlsu, load_vlsu

pytestmark = pytest.mark.integration
runner = CliRunner()


def image_bytes(fmt: str, colour: str = "red") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 6), colour).save(out, format=fmt)
    return out.getvalue()


class ImageServer:
    """Routes by the first path segment: img (an image), bmp (an image in a format the
    model APIs do not take), slow (an image after 0.3 s), hang (nothing for 3 s),
    flaky (503 once, then an image), html (a 200 error page), redirect, and anything
    else is a 404. Counts every request per path."""

    def __init__(self) -> None:
        self.requests: Counter[str] = Counter()
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                with server.lock:
                    server.requests[self.path] += 1
                    seen = server.requests[self.path]
                kind = self.path.split("/")[1]
                if kind == "slow":
                    time.sleep(0.3)
                if kind == "hang":
                    time.sleep(3)
                    return
                if kind == "flaky" and seen == 1:
                    return self.reply(503, b"busy", "text/plain")
                if kind in ("img", "slow", "flaky"):
                    return self.reply(200, image_bytes("PNG"), "image/png")
                if kind == "jpeg":
                    return self.reply(200, image_bytes("JPEG"), "image/jpeg")
                if kind == "bmp":
                    return self.reply(200, image_bytes("BMP"), "image/bmp")
                if kind == "html":
                    return self.reply(200, b"<html>gone</html>", "text/html")
                if kind == "redirect":
                    self.send_response(302)
                    self.send_header("Location", "/img/moved.png")
                    self.end_headers()
                    return None
                return self.reply(404, b"not found", "text/plain")

            def reply(self, status: int, body: bytes, ctype: str) -> None:
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", ctype)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        class Server(ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request: object, client_address: object) -> None:
                pass  # a client that gave up on a hanging response is expected here

        self.httpd = Server(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def total(self) -> int:
        with self.lock:
            return sum(self.requests.values())


@pytest.fixture
def server() -> Iterator[ImageServer]:
    s = ImageServer()
    s.thread.start()
    try:
        yield s
    finally:
        s.httpd.shutdown()
        s.httpd.server_close()


#: uuid -> path on the server, and what should become of it
PLAN = {
    "a-ok": ("/img/a.png", "ok"),
    "b-ok": ("/jpeg/b.jpg", "ok"),
    "c-slow": ("/slow/c.png", "ok"),
    "d-flaky": ("/flaky/d.png", "ok"),
    "e-redirect": ("/redirect/e", "ok"),
    "f-bmp": ("/bmp/f.bmp", "ok"),
    "g-404": ("/nothing/g.png", "broken"),
    "h-html": ("/html/h.png", "broken"),
    "i-hang": ("/hang/i.png", "broken"),
    "j-404": ("/nothing/j.png", "broken"),
}
ARGS = ["--timeout", "0.5", "--concurrency", "4"]


def write_csv(path: Path, base: str) -> Path:
    patterns = [("safe", "safe", "unsafe"), ("borderline", "safe", "borderline"),
                ("unsafe", "unsafe", "unsafe"), ("safe", "safe", "borderline")]
    rows = []
    for i, (uid, (route, _)) in enumerate(PLAN.items()):
        image, text, joint = patterns[i % len(patterns)]
        rows.append(vlsu_csv.row(uid, f"Made-up request {i}, about this picture", image, text,
                                 joint, url=base + route, category=f"C{i + 1}: Made up"))
    rows.append(vlsu_csv.row("k-nourl", "No picture for this one", "safe", "safe", "unsafe",
                             url="", category="C14: Made up"))
    return vlsu_csv.write(path, rows)


def test_download_counts_cache_and_rerun(workspace: Path, server: ImageServer) -> None:
    write_csv(workspace / "VLSU.csv", server.url)
    first = runner.invoke(app, ["data", "import-vlsu", "VLSU.csv", "--download", "--format",
                                "json", "--retries", "1", *ARGS])
    assert first.exit_code == 0, first.stderr
    report = json.loads(first.stdout)
    assert report["images"] == {"ok": 6, "broken": 4, "missing": 1}
    assert report["total"] == 11
    assert "downloaded 6 of 10 tried" in first.stderr
    assert "2 HTTP 404" in first.stderr

    folder = workspace / "VLSU-images"
    records = {json.loads(line)["id"]: json.loads(line)
               for line in (folder / "imported.jsonl").read_text().splitlines()}
    for uid, (_, expected) in PLAN.items():
        assert records[uid]["image_status"] == expected, uid
    assert records["g-404"]["image_error"] == "HTTP 404" and records["g-404"]["permanent"]
    assert records["h-html"]["image_error"] == "not an image"
    assert records["i-hang"]["image_error"] == "timed out"
    assert not records["i-hang"]["permanent"]
    assert records["k-nourl"]["image_status"] == "missing"
    assert records["f-bmp"]["image"] == "f-bmp.png"  # converted: APIs do not take BMP
    assert records["b-ok"]["image"] == "b-ok.jpg"
    with Image.open(folder / "f-bmp.png") as img:
        assert img.format == "PNG" and img.size == (8, 6)
    assert server.requests["/flaky/d.png"] == 2  # 503, retried, then the image
    assert server.requests["/hang/i.png"] == 2  # timed out twice (1 retry)
    assert server.requests["/nothing/g.png"] == 1  # a 404 is not retried
    assert not list(folder.glob(".*.part"))

    # rerun: nothing present is fetched again; only the transient failure is retried
    before = Counter(server.requests)
    again = runner.invoke(app, ["data", "import-vlsu", "VLSU.csv", "--download", "--format",
                                "json", "--retries", "0", *ARGS])
    assert again.exit_code == 0, again.stderr
    assert json.loads(again.stdout)["images"] == {"ok": 6, "broken": 4, "missing": 1}
    assert "downloaded 0 of 1 tried" in again.stderr
    assert server.requests - before == Counter({"/hang/i.png": 1})

    # without --download nothing is fetched and the recorded broken links stay broken
    before = Counter(server.requests)
    plain = runner.invoke(app, ["data", "import-vlsu", "VLSU.csv", "--format", "json"])
    assert json.loads(plain.stdout)["images"] == {"ok": 6, "broken": 4, "missing": 1}
    assert server.requests == before

    # --retry-broken asks the dead links again
    before = Counter(server.requests)
    retry = runner.invoke(app, ["data", "import-vlsu", "VLSU.csv", "--download",
                                "--retry-broken", "--retries", "0", *ARGS])
    assert retry.exit_code == 0, retry.stderr
    assert set(server.requests - before) == {"/nothing/g.png", "/nothing/j.png",
                                            "/html/h.png", "/hang/i.png"}


def test_a_study_on_the_import_uses_only_pairs_with_images(workspace: Path,
                                                            server: ImageServer) -> None:
    csv_path = write_csv(workspace / "VLSU.csv", server.url)
    options = DownloadOptions(timeout=0.5, retries=0, backoff=0.01)
    result = import_vlsu(csv_path, workspace / "imp", download=True, options=options)
    assert result.images["ok"] >= 5
    with_image = {r.sample.id for r in result.records if r.status == "ok"}
    assert {s.id for s in load_vlsu(workspace / "imp") if s.image_path} == with_image

    (workspace / "prompts").mkdir()
    (workspace / "prompts" / "baseline.j2").write_text(
        "{% block system %}You are a helpful assistant.{% endblock %}\n")
    (workspace / "s.toml").write_text(
        'name = "v"\n[data]\nsource = "vlsu:imp"\nborderline = 10\nunsafe = 10\n'
        "holdout = 0\n[search]\ntrials = 1\n")
    run = runner.invoke(app, ["search", "s.toml", "--no-report"])
    assert run.exit_code == 0, run.stderr
    from framing.config import load_study
    from framing.study import load_samples

    samples = load_samples(load_study(workspace / "s.toml"))
    used = {s.id for s in samples.search}
    assert used and used <= with_image
    assert samples.excluded_no_image == 11 - len(with_image)


async def test_fetch_images_reports_progress_and_keeps_order(tmp_path: Path,
                                                              server: ImageServer) -> None:
    jobs = [ImageJob(f"k{i}", f"{server.url}/img/{i}.png") for i in range(12)]
    jobs.insert(3, ImageJob("bad", f"{server.url}/nothing/x.png"))
    seen = []
    results = await fetch_images(jobs, tmp_path, DownloadOptions(concurrency=5),
                                 on_progress=seen.append)
    assert [r.key for r in results] == [j.key for j in jobs]
    assert seen[-1].done == seen[-1].total == 13
    assert (seen[-1].ok, seen[-1].broken, seen[-1].downloaded) == (12, 1, 12)
    assert [p.done for p in seen] == sorted(p.done for p in seen)
    again = await fetch_images(jobs, tmp_path, DownloadOptions())
    assert sum(r.downloaded for r in again) == 0
    assert server.requests["/img/0.png"] == 1
