"""A 50 MB chunked upload without a key is refused at the body limit (413) by the running
product, and the process does not hold it: its memory grows by less than 10 MB."""

import socket
from pathlib import Path

import pytest

from tests.e2e.stack import embedded_stack

pytestmark = pytest.mark.e2e

UPLOAD_BYTES = 50 * 1024 * 1024
CHUNK = b"x" * (64 * 1024)


def _rss_kib(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS")))


def _chunked_upload(port: int) -> bytes:
    """Stream chunks until the server answers or stops reading; its answer's first bytes."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as conn:
        conn.sendall(
            b"POST /v1/orders HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n"
        )
        sent = 0
        try:
            while sent < UPLOAD_BYTES:
                conn.sendall(b"%x\r\n%s\r\n" % (len(CHUNK), CHUNK))
                sent += len(CHUNK)
            conn.sendall(b"0\r\n\r\n")
        except OSError:
            pass  # the server answered and closed while we were still sending
        return conn.recv(4096)


def test_a_chunked_upload_without_a_key_is_cut_off_without_growing_the_process(
    tmp_path: Path,
) -> None:
    stack = embedded_stack(tmp_path, extra_env={"GAPLESS_EMBEDDED_WORKERS": "false"})
    stack.start()
    try:
        process = stack.processes["embedded"]
        assert process.popen is not None
        _chunked_upload(process.port)  # warm-up: the first request's imports and buffers
        before = _rss_kib(process.popen.pid)

        answer = _chunked_upload(process.port)

        grown_kib = _rss_kib(process.popen.pid) - before
    finally:
        stack.stop()
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert b"application/problem+json" in answer
    assert grown_kib < 10 * 1024, f"RSS grew by {grown_kib} KiB"
