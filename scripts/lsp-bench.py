#!/usr/bin/env python3
"""Latency of `rolec lsp`: the time from a `didChange` to the `publishDiagnostics` of the
changed file, over stdio, against the release binary, and the server's peak memory.

    cargo build --release
    cargo run --release --example gen -- --roles 10000 --out /tmp/roles
    scripts/lsp-bench.py target/release/rolec /tmp/roles [--edits 40] [--file NAME]

The server starts in the folder (every `*.roles` under it is the workspace), the largest file
is opened (or `--file`), and each edit is one keystroke in the middle of the file: a
character appended to a permission (`+kb` becomes `+kbx`: an unknown permission, and what
follows from it), then taken away again, as ranged (incremental) changes in UTF-16 positions. After each edit the script
waits for the publication of that file's diagnostics before sending the next, and checks
that they are what the edit should give. It prints the minimum, median and maximum latency,
and the peak resident memory of the server (VmHWM). No third-party package is needed.
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import statistics
import subprocess
import sys
import threading
import time
import queue


def frame(message: dict) -> bytes:
    body = json.dumps(message).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def reader(stream, messages: queue.Queue) -> None:
    """Reads frames from the server and puts (arrival time, message) on `messages`."""
    while True:
        length = None
        while True:
            line = stream.readline()
            if not line:
                messages.put((time.perf_counter(), None))
                return
            line = line.strip()
            if not line:
                break
            name, _, value = line.partition(b":")
            if name.lower() == b"content-length":
                length = int(value)
        body = stream.read(length)
        messages.put((time.perf_counter(), json.loads(body)))


def peak_memory_kib(pid: int) -> int:
    for line in pathlib.Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("rolec")
    parser.add_argument("folder")
    parser.add_argument("--edits", type=int, default=40)
    parser.add_argument("--file", help="the file to edit (default: the largest)")
    args = parser.parse_args()
    folder = pathlib.Path(args.folder).resolve()
    files = sorted(folder.rglob("*.roles"))
    path = folder / args.file if args.file else max(files, key=lambda p: p.stat().st_size)
    text = path.read_text(encoding="utf-8")
    uri = path.as_uri()
    roles = sum(1 for p in files for line in p.read_text().splitlines() if line.startswith("role "))

    server = subprocess.Popen(
        [str(pathlib.Path(args.rolec).resolve()), "lsp"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=folder
    )
    messages: queue.Queue = queue.Queue()
    threading.Thread(target=reader, args=(server.stdout, messages), daemon=True).start()

    def send(message: dict) -> float:
        server.stdin.write(frame(message))
        server.stdin.flush()
        return time.perf_counter()

    def wait(predicate, timeout: float = 60.0):
        deadline = time.perf_counter() + timeout
        while True:
            arrived, message = messages.get(timeout=max(0.0, deadline - time.perf_counter()))
            if message is None:
                raise SystemExit("the server exited")
            if predicate(message):
                return arrived, message

    started = send({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "processId": os.getpid(), "rootUri": folder.as_uri(), "capabilities": {}}})
    wait(lambda m: m.get("id") == 1)
    initialized = time.perf_counter() - started
    def published(m):
        return m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == uri

    # `initialized` publishes every file of the workspace; `didOpen` the opened one again.
    send({"jsonrpc": "2.0", "method": "initialized", "params": {}})
    wait(published)
    send({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {
        "uri": uri, "languageId": "roles", "version": 1, "text": text}}})
    _, first = wait(published)
    if first["params"]["diagnostics"]:
        raise SystemExit(f"{path.name} has problems before the edits: {first['params']['diagnostics'][:2]}")

    # The edit point: the end of a permission grant in the middle of the file.
    lines = text.split("\n")
    middle = len(lines) // 2
    line_number = next(i for i in range(middle, len(lines)) if "< +" in lines[i] and "@" not in lines[i].split("< +", 1)[1].split()[0])
    line = lines[line_number]
    word_start = line.index("< +") + 3
    word_end = word_start + len(line[word_start:].split()[0])
    column = len(line[:word_end].encode("utf-16-le")) // 2

    latencies = []
    version = 1
    for edit in range(args.edits):
        version += 1
        typing = edit % 2 == 0
        start = {"line": line_number, "character": column}
        end = {"line": line_number, "character": column + (0 if typing else 1)}
        change = {"range": {"start": start, "end": end}, "text": "x" if typing else ""}
        sent = send({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {
            "textDocument": {"uri": uri, "version": version}, "contentChanges": [change]}})
        arrived, message = wait(published)
        codes = [d["code"] for d in message["params"]["diagnostics"]]
        if ("unknown-permission" in codes) != typing or (not typing and codes):
            raise SystemExit(f"edit {edit}: unexpected diagnostics {codes}")
        latencies.append((arrived - sent) * 1000)

    memory = peak_memory_kib(server.pid)
    send({"jsonrpc": "2.0", "id": 2, "method": "shutdown"})
    wait(lambda m: m.get("id") == 2)
    send({"jsonrpc": "2.0", "method": "exit"})
    server.wait(timeout=30)

    print(f"workspace: {len(files)} files, {roles} roles; edited {path.name} ({len(text) / 1e6:.2f} MB), line {line_number + 1}")
    print(f"initialize (load and parse the workspace): {initialized * 1000:.1f} ms")
    print(f"didChange -> publishDiagnostics over {len(latencies)} edits: "
          f"min {min(latencies):.1f} ms, median {statistics.median(latencies):.1f} ms, "
          f"max {max(latencies):.1f} ms")
    print(f"peak memory (VmHWM): {memory / 1024:.1f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
