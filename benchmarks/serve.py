"""A Canonym server for the benchmarks: one uvicorn process on loopback, with its own registry.

    with running_server(tmp_dir, {"CANONYM_API_KEYS": key}) as server:
        httpx.get(server.url + "/readyz")

The server runs the code of this checkout (``app.main:app``) with the settings given as
``CANONYM_*`` environment variables; its log (access log included) goes to ``server.log``.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Server:
    """A running server: its base URL, process and log file."""

    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def rss_mib(self) -> float:
        """Resident memory of the server process (Linux /proc), in MiB."""
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return 0.0

    def cpu_seconds(self) -> float:
        """CPU time (user + system) the server process has used so far (Linux /proc)."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def running_server(
    work_dir: Path, settings: dict[str, str], access_log: bool = True
) -> Iterator[Server]:
    """Start uvicorn on a free loopback port, wait until ``/readyz`` answers, stop it after.

    Args:
        work_dir: where the SQLite registry (unless ``CANONYM_DATABASE_URL`` is given) and
            ``server.log`` go; a server started again on the same directory finds its data.
        settings: ``CANONYM_*`` variables for the server, on top of a clean environment.
        access_log: let uvicorn log every request (off for load tests).
    """
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CANONYM_")}
    env.update({"CANONYM_DATABASE_PATH": str(work_dir / "registry.db"), **settings})
    log = work_dir / "server.log"
    command = [sys.executable, "-m", "uvicorn", "app.main:app", "--host", "127.0.0.1"]
    if not access_log:
        command.append("--no-access-log")
    with log.open("ab") as out:  # appended to: a restarted server keeps the earlier log
        process = subprocess.Popen(
            [*command, "--port", str(port)], cwd=ROOT, env=env, stdout=out, stderr=out
        )
    server = Server(f"http://127.0.0.1:{port}", process, log)
    try:
        _wait_ready(server, timeout_s=120)
        yield server
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_ready(server: Server, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            msg = f"the server exited with {server.process.returncode}; see {server.log}"
            raise RuntimeError(msg)
        try:
            if httpx.get(server.url + "/readyz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    msg = f"the server was not ready after {timeout_s} s; see {server.log}"
    raise RuntimeError(msg)
