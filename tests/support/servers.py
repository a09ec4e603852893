"""Real HTTP servers on 127.0.0.1 for tests: llama-cpp-python's OpenAI-compatible server with
the bundled model, and a scripted server that misbehaves on purpose."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def llama_server(model: Path, alias: str = "smol") -> Iterator[str]:
    """`python -m llama_cpp.server` on a free port; yields its /v1 base URL."""
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "llama_cpp.server",
            "--model",
            str(model),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--n_ctx",
            "2048",
            "--model_alias",
            alias,
            "--verbose",
            "False",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"llama_cpp.server exited: {proc.stderr.read().decode()[-500:]}")
            try:
                urllib.request.urlopen(f"{url}/v1/models", timeout=1).read()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        yield f"{url}/v1"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


Reply = tuple[int, dict[str, str], bytes]


def chat_reply(
    content: str | None,
    *,
    model: str = "m",
    reply_id: str = "c",
    headers: dict[str, str] | None = None,
) -> Reply:
    """A well-formed OpenAI chat completion with one choice whose message is `content`."""
    body = {
        "id": reply_id,
        "object": "chat.completion",
        "created": 0,
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": "stop",
            }
        ],
    }
    return 200, {**(headers or {}), "Content-Type": "application/json"}, json.dumps(body).encode()


def stream_reply(content_json: str) -> Reply:
    """A streamed chat completion of one chunk whose content is `content_json` (JSON text,
    so a test can send what a JSON encoder would never write)."""
    chunk = (
        '{"id": "c", "object": "chat.completion.chunk", "created": 0, "model": "r", '
        '"choices": [{"index": 0, "delta": {"content": ' + content_json + "}, "
        '"finish_reason": "stop"}]}'
    )
    payload = f"data: {chunk}\n\ndata: [DONE]\n\n"
    return 200, {"Content-Type": "text/event-stream"}, payload.encode()


@contextmanager
def scripted_server(answer: Callable[[str, dict], Reply]) -> Iterator[tuple[str, list[dict]]]:
    """A server whose every POST is answered by `answer(path, json_body)`, and every GET by
    `answer(path, {"_method": "GET"})`; yields the /v1 base URL and the list of request
    bodies it received (headers under "_headers")."""
    seen: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

        def do_GET(self) -> None:
            self._reply({"_method": "GET"})

        def do_POST(self) -> None:
            n = int(self.headers.get("Content-Length", "0"))
            self._reply(json.loads(self.rfile.read(n) or b"{}"))

        def _reply(self, body: dict) -> None:
            body["_headers"] = {k.lower(): v for k, v in self.headers.items()}
            seen.append(body)
            status, headers, payload = answer(self.path, body)
            self.send_response(status)
            for k, v in {"Content-Length": str(len(payload)), **headers}.items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(payload)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1", seen
    finally:
        server.shutdown()
        server.server_close()


def _json(body: object, status: int = 200) -> Reply:
    return status, {"Content-Type": "application/json"}, json.dumps(body).encode()


def vllm_scoring(engine) -> Callable[[str, dict], Reply]:
    """Answers for `scripted_server` as vLLM does, from a real local engine: `POST /tokenize`
    with `messages` (the model's chat template) and `POST /v1/completions` with token-id
    prompts, `echo` and `logprobs` (each prompt's token log-probabilities, None for the
    first, then one generated token's), and streamed chat completions sampled by the engine
    with the request's seed. Any other path is a 404."""

    def answer(path: str, body: dict) -> Reply:
        if path == "/v1/chat/completions" and body.get("stream"):
            from personaco_tui.engines.base import SamplingParams

            params = SamplingParams(
                temperature=body.get("temperature", 1.0),
                max_tokens=body.get("max_tokens", 16),
                seed=body.get("seed", 0),
            )
            (out,) = engine.sample(body["messages"], 1, params)
            return stream_reply(json.dumps(out.text))
        if path == "/tokenize" and "messages" in body:
            rendered = engine.template.render(
                body["messages"], add_generation_prompt=body.get("add_generation_prompt", True)
            )
            ids = engine.tokenize(rendered)
            return _json({"count": len(ids), "max_model_len": engine.n_ctx, "tokens": ids})
        if path == "/v1/completions" and body.get("echo"):
            prompts = body["prompt"]
            if prompts and isinstance(prompts[0], int):
                prompts = [prompts]
            lps = engine.continuation_logprobs([p[:1] for p in prompts], [p[1:] for p in prompts])
            choices = [
                {
                    "index": i,
                    "text": "",
                    "finish_reason": "length",
                    "logprobs": {
                        "tokens": [str(t) for t in p] + ["x"],
                        "token_logprobs": [None, *lp, -0.5],
                        "top_logprobs": None,
                        "text_offset": list(range(len(p) + 1)),
                    },
                }
                for i, (p, lp) in enumerate(zip(prompts, lps, strict=True))
            ]
            return _json(
                {
                    "id": "c",
                    "object": "text_completion",
                    "created": 0,
                    "model": "m",
                    "choices": choices,
                }
            )
        return _json({"error": {"message": "Not Found", "code": 404}}, 404)

    return answer


_TOKEN = re.compile(r"<\[(\d+)\]>")


def llamacpp_scoring(
    engine, held_back: frozenset[int] = frozenset(), props: bool = True
) -> Callable[[str, dict], Reply]:
    """Answers for `scripted_server` as llama.cpp's llama-server does (tools/server), from a
    real local engine: `POST /apply-template` (the chat template as text), `POST /tokenize`
    reading `content` (no `messages`: [] for those, as llama-server gives), `GET /props` with
    the `eos_token` (left out where `props` is false), and `POST /completion` with a token-id
    prompt and either a grammar of token ids (`<[12]>`), generating exactly those tokens, or
    one token forced by `logit_bias`, each with its log-probability under the raw logits
    (`post_sampling_probs: false`). As in llama.cpp, a grammar cannot produce an
    end-of-generation token: one that names one fails with a 500. Tokens in `held_back` come
    without a row, as a token that ends inside a UTF-8 character does. `/v1/completions` with
    `echo` is refused in llama-server's words."""
    eog = set(engine.eog_tokens)

    def generated(prompt: list[int], made: list[int]) -> Reply:
        (lps,) = engine.continuation_logprobs([prompt], [made])
        rows = [
            {"id": t, "token": "", "bytes": [], "logprob": lp, "top_logprobs": []}
            for t, lp in zip(made, lps, strict=True)
            if t not in held_back
        ]
        reply = {
            "content": "",
            "tokens": made,
            "stop_type": "eos" if made[-1] in eog else "limit",
            "completion_probabilities": rows,
        }
        return _json(reply)

    def completion(body: dict) -> Reply:
        bias = body.get("logit_bias")
        if not body.get("grammar") and isinstance(bias, list) and len(bias) == 1:
            return generated(list(body["prompt"]), [int(bias[0][0])])
        forced = [int(t) for t in _TOKEN.findall(body.get("grammar") or "")]
        if not forced or not body.get("grammar", "").startswith("root ::= "):
            return _json({"error": {"code": 400, "message": "no grammar"}}, 400)
        if eog & set(forced):  # llama_grammar_accept_impl: no stack ends there
            message = "got exception: Unexpected empty grammar stack after accepting piece: ."
            return _json({"error": {"code": 500, "message": message}}, 500)
        return generated(list(body["prompt"]), forced[: body.get("n_predict", len(forced))])

    def answer(path: str, body: dict) -> Reply:
        if path == "/apply-template":
            return _json({"prompt": engine.template.render(body["messages"])})
        if path == "/tokenize":
            content = body.get("content")
            ids = engine.tokenize(content, add_bos=False) if isinstance(content, str) else []
            return _json({"tokens": ids})
        if path == "/props" and props:
            return _json({"eos_token": engine.template.eos, "total_slots": 4})
        if path == "/completion":
            return completion(body)
        if path == "/v1/completions" and body.get("echo"):
            message = {"code": 400, "message": "Only no echo is supported"}
            return _json({"error": message}, 400)
        return _json({"error": {"message": "File Not Found", "code": 404}}, 404)

    return answer
