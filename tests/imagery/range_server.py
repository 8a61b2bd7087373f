"""A static HTTP server that honours single byte ranges (what GDAL's /vsicurl/ asks for) and appends the
bytes it sends per request to a log file. Run as a separate process: GDAL reads hold the GIL, so a
server thread in the test process would deadlock. `python range_server.py FOLDER LOG`; prints its port."""

from __future__ import annotations

import http.server
import sys
from functools import partial
from pathlib import Path


class RangeHandler(http.server.SimpleHTTPRequestHandler):
    log_path: Path

    def log_message(self, *args) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        path = Path(self.translate_path(self.path))
        if not path.is_file():
            self.send_error(404)
            return
        data = path.read_bytes()
        rng = self.headers.get("Range")
        if rng and rng.startswith("bytes="):
            a, _, b = rng[6:].partition("-")
            start, end = int(a), min(int(b) if b else len(data) - 1, len(data) - 1)
            body = data[start:end + 1]
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{end}/{len(data)}")
        else:
            body = data
            self.send_response(200)
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        with self.log_path.open("a") as f:
            f.write(f"{len(body)}\n")


def main(folder: str, log: str) -> None:
    handler = type("Handler", (RangeHandler,), {"log_path": Path(log)})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), partial(handler, directory=folder))
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
