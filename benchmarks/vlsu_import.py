"""Figures for the VLSU import: checking a VLSU-sized CSV, reading the imported copy,
and downloading images concurrently versus one at a time from a loopback server with
simulated latency. Uses a synthetic CSV (never the real, licensed file). Prints; asserts
nothing.

    .venv/bin/python benchmarks/vlsu_import.py
"""

from __future__ import annotations

import asyncio
import csv
import io
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from PIL import Image

from framing.data.download import DownloadOptions, ImageJob, fetch_images
from framing.data.vlsu import import_vlsu, load_vlsu, read_vlsu_csv

ROWS = 8_187  # the size of VLSU
IMAGES = 200
LATENCY = 0.02  # seconds per image on the simulated host
HEADER = ["uuid", "web_path", "prompt", "image_grade", "consensus_text_grade",
          "consensus_combined_grade", "image_category", "text_category", "combined_category"]
PATTERNS = [("safe", "safe", "unsafe"), ("unsafe", "unsafe", "unsafe"),
            ("safe", "safe", "borderline"), ("borderline", "safe", "borderline"),
            ("safe", "safe", "safe"), ("not_sure", "safe", "borderline")]


def write_csv(path: Path, rows: int) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(HEADER)
        for i in range(rows):
            image, text, joint = PATTERNS[i % len(PATTERNS)]
            cat = "" if joint == "safe" else f"C{1 + i % 15}: Made-up category, {i % 7}"
            prompt = f"Made-up request {i}, about the picture" + ("\nsecond line" if i % 9 == 0
                                                                   else "")
            w.writerow([f"uuid-{i:05d}", f"https://images.invalid/{i}.jpg", prompt, image,
                        text, joint, cat, "", cat])


def serve(png: bytes) -> tuple[ThreadingHTTPServer, str]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            time.sleep(LATENCY)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(len(png)))
            self.end_headers()
            self.wfile.write(png)

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_address[1]}"


def timed(fn):  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - started


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        csv_path = root / "VLSU.csv"
        write_csv(csv_path, ROWS)
        records, t_check = timed(lambda: read_vlsu_csv(csv_path))
        print(f"check a {ROWS:,}-row VLSU CSV: {t_check:.3f} s "
              f"({len(records) / t_check:,.0f} rows/s)")
        result, t_import = timed(lambda: import_vlsu(csv_path))
        print(f"import (no download, images looked up in the cache): {t_import:.3f} s")
        samples, t_load = timed(lambda: load_vlsu(result.folder))
        print(f"load the imported copy (vlsu:DIR): {t_load:.3f} s for {len(samples):,} samples")

        out = io.BytesIO()
        Image.new("RGB", (64, 48), "teal").save(out, format="PNG")
        httpd, url = serve(out.getvalue())
        try:
            jobs = [ImageJob(f"img-{i}", f"{url}/{i}.png") for i in range(IMAGES)]
            times = {}
            for concurrency in (1, 16):
                folder = root / f"images-{concurrency}"
                options = DownloadOptions(concurrency=concurrency)
                _, times[concurrency] = timed(
                    lambda folder=folder, options=options: asyncio.run(
                        fetch_images(jobs, folder, options)))
                print(f"download {IMAGES} images ({LATENCY * 1000:.0f} ms each) at "
                      f"concurrency {concurrency:>2}: {times[concurrency]:.2f} s")
            print(f"speed-up of concurrency 16 over 1: {times[1] / times[16]:.1f}x")
            again, t_again = timed(lambda: asyncio.run(
                fetch_images(jobs, root / "images-16", DownloadOptions())))
            print(f"rerun with every image cached: {t_again:.3f} s, "
                  f"{sum(f.downloaded for f in again)} downloaded "
                  f"({times[16] / t_again:.0f}x faster than the first run)")
        finally:
            httpd.shutdown()
            httpd.server_close()


if __name__ == "__main__":
    main()
