"""Token ids from a remote server: side by side against one request after another, in one run.

A k = 8 turn with 5 persona facts asks the server's /tokenize for the ids of 96 persona
replies (8 answers x 2 replies x (the reply alone + each of 5 facts)). This starts a local
server on 127.0.0.1 that answers /tokenize after a delay (a server some way off; the ids
are the bytes of the request, since only the round trips are timed), then times both ways
through the remote engine's own scorer, each with an empty cache, interleaved, and prints
the medians and their ratio.

    .venv/bin/python scripts/remote_tokenize_bench.py --delay-ms 20 --repeats 3
"""

from __future__ import annotations

import argparse
import json
import statistics
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from personaco_tui.engines.base import ChatMessage
from personaco_tui.engines.openai_compat import OpenAICompatEngine

LEADS = ["Thanks, that suits me perfectly because", "Hmm, that doesn't work for me because"]
FACTS = [
    "I'm vegetarian.",
    "I live in Germany.",
    "I'm 8 years old.",
    "I write all my code in Rust.",
    "I'm reading this on my smartwatch.",
]


def serve(delay_s: float) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            time.sleep(delay_s)
            reply = json.dumps({"tokens": list(body[:512])}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def conversations(k: int) -> list[list[ChatMessage]]:
    out: list[list[ChatMessage]] = []
    for i in range(k):
        base: list[ChatMessage] = [
            {"role": "user", "content": "Suggest a quick dinner I can cook tonight."},
            {"role": "assistant", "content": f"Answer number {i}: a bowl of pasta."},
        ]
        for lead in LEADS:
            for text in [lead, *(f"{lead} {f}" for f in FACTS)]:
                out.append([*base, {"role": "user", "content": text}])
    return out


def timed(url: str, convs: list[list[ChatMessage]], side_by_side: bool) -> float:
    engine = OpenAICompatEngine(url, "m", timeout_s=60, max_retries=0)
    start = time.perf_counter()
    if side_by_side:
        engine.prompt_tokens_batch(convs)
    else:
        for c in convs:
            engine.prompt_tokens(c)
    seconds = time.perf_counter() - start
    engine.close()
    return seconds


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--delay-ms", type=float, default=20.0)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--k", type=int, default=8)
    args = ap.parse_args()
    server = serve(args.delay_ms / 1000)
    url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    convs = conversations(args.k)
    batch, seq = [], []
    for _ in range(args.repeats):
        batch.append(timed(url, convs, True))
        seq.append(timed(url, convs, False))
    server.shutdown()
    b, s = statistics.median(batch), statistics.median(seq)
    print(f"{len(convs)} conversations, server {args.delay_ms:g} ms away, {args.repeats} runs")
    print(f"side by side    {b:6.2f} s")
    print(f"one after other {s:6.2f} s")
    print(f"ratio           {s / b:6.2f}x")


if __name__ == "__main__":
    main()
