"""Real service processes for the tests: free ports, start, wait, stop."""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).parents[1]


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(check, seconds, what):
    """Poll ``check`` every 0.1 s; fail naming ``what`` after ``seconds``."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            if check():
                return
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline, f"{what} within {seconds} s"
        time.sleep(0.1)


def service_env(**settings):
    """This environment without CANONYM_* variables, plus ``settings`` as CANONYM_*."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CANONYM_")}
    env.update({f"CANONYM_{k.upper()}": str(v) for k, v in settings.items()})
    return env


def canonym(*args, env, **popen):
    """Start ``canonym ARGS`` of this environment (stdout and stderr captured together)."""
    command = [str(Path(sys.executable).parent / "canonym"), *args]
    return subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, **popen
    )


def stop(process, timeout=60):
    """SIGTERM, then the exit code and everything the process wrote."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        output = process.communicate(timeout=timeout)[0]
    except subprocess.TimeoutExpired:
        process.kill()
        output = process.communicate()[0]
    return process.returncode, output.decode("utf-8", "replace")
