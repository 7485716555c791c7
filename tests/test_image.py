"""The image's install and start commands, run outside Docker: every instruction of the
Dockerfile's two stages is replayed in a temporary directory (its paths moved there), in a
fresh virtual environment, and the image's command must serve /healthz (checked with the
image's own HEALTHCHECK command), then resolve against the seeds.

Adapted, because no network is reached in tests: pip installs nothing from an index
(``PIP_NO_INDEX``); the fresh environment sees the test environment's packages through a
``.pth`` file (the dependencies only, never Canonym itself, which the replayed commands
install); the package is built with the test environment's setuptools instead of an isolated
one. The user-creating ``RUN`` and ``USER`` of the runtime stage are skipped (no root here), and
the server binds 127.0.0.1 on a free port with an API key, as an operator would run it.
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import sysconfig
from pathlib import Path

import httpx
import pytest

from tests.deploy_files import DOCKERFILE, ROOT, dockerfile_stages, env_pairs
from tests.servers import free_port, stop, wait_until

pytestmark = pytest.mark.slow

STARTUP_SECONDS = 120


def _dependency_dir(tmp_path):
    """The test environment's site-packages as symlinks, without Canonym's own install."""
    deps = tmp_path / "deps"
    deps.mkdir()
    site = Path(sysconfig.get_path("purelib"))
    for entry in site.iterdir():
        if "canonym" in entry.name.lower() or entry.suffix == ".pth":
            continue
        (deps / entry.name).symlink_to(entry)
    return deps


class Replay:
    """Runs Dockerfile instructions with the image's paths moved under ``root``."""

    def __init__(self, root, env):
        self.root = root
        self.env = env
        self.workdir = root
        self.moved = {}

    def path(self, image_path):
        text = image_path
        for image, local in sorted(self.moved.items(), key=lambda kv: -len(kv[0])):
            text = text.replace(image, str(local))
        return text

    def move(self, *image_paths):
        for image_path in image_paths:
            self.moved[image_path] = self.root / image_path.strip("/").replace("/", "_")

    def env_instruction(self, args):
        for key, value in env_pairs(args).items():
            value = value.replace("$PATH", self.env.get("PATH", ""))
            self.env[key] = self.path(value)

    def workdir_instruction(self, args):
        self.workdir = Path(self.path(args))
        self.workdir.mkdir(parents=True, exist_ok=True)

    def copy_instruction(self, args):
        *sources, target = args.split()
        if sources[0].startswith("--from="):
            assert self.path(sources[1]) == self.path(target)  # the same path in both stages
            return
        destination = Path(self.path(target))
        if not destination.is_absolute():
            destination = self.workdir / destination
        for source in sources:
            origin = ROOT / source
            if origin.is_dir():
                shutil.copytree(origin, destination, ignore=shutil.ignore_patterns("__pycache__"))
            else:
                final = destination / origin.name if target.endswith("/") else destination
                final.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(origin, final)

    def run_instruction(self, args, extra_env=None):
        command = self.path(args)
        env = {**self.env, **(extra_env or {})}
        subprocess.run(
            ["/bin/sh", "-c", command], cwd=self.workdir, env=env, check=True, timeout=600
        )


def _base_env():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CANONYM_", "PIP_"))}
    env.pop("VIRTUAL_ENV", None)
    env.pop("PYTHONPATH", None)
    # `python` is this interpreter's, so that the fresh environment can use its packages.
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["PIP_NO_INDEX"] = "1"
    return env


def test_the_image_commands_install_and_serve(tmp_path):
    build, runtime = dockerfile_stages(DOCKERFILE.read_text(encoding="utf-8"))
    replay = Replay(tmp_path, _base_env())
    replay.move("/opt/venv", "/src", "/opt/canonym", "/var/lib/canonym")
    deps = _dependency_dir(tmp_path)
    pth_written = False
    for keyword, args in build.instructions:
        if keyword == "ENV":
            replay.env_instruction(args)
        elif keyword == "WORKDIR":
            replay.workdir_instruction(args)
        elif keyword == "COPY":
            replay.copy_instruction(args)
        elif keyword == "RUN":
            # The package build uses the test environment's setuptools (no isolated build).
            replay.run_instruction(args, {"PIP_NO_BUILD_ISOLATION": "0", "PYTHONPATH": str(deps)})
            venv = Path(replay.path("/opt/venv"))
            if not pth_written and (venv / "pyvenv.cfg").exists():
                site = next(venv.glob("lib/python3*/site-packages"))
                (site / "test-dependencies.pth").write_text(f"{deps}\n")
                pth_written = True
        else:
            assert keyword in {"ARG", "LABEL"}, keyword
    assert pth_written
    venv = Path(replay.path("/opt/venv"))
    where = subprocess.run(
        [venv / "bin" / "python", "-c", "import app; print(app.__file__)"],
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": os.environ["PATH"]},
        cwd=tmp_path,
    ).stdout
    assert where.startswith(str(venv))  # the installed package, not the working tree

    command, healthcheck = None, None
    for keyword, args in runtime.instructions:
        if keyword == "ENV":
            replay.env_instruction(args)
        elif keyword == "WORKDIR":
            replay.workdir_instruction(args)
        elif keyword == "COPY":
            replay.copy_instruction(args)
        elif keyword == "CMD":
            command = json.loads(args)
        elif keyword == "HEALTHCHECK":
            healthcheck = json.loads(args.split(" CMD ", 1)[1])
        else:
            assert keyword in {"ARG", "LABEL", "RUN", "USER", "EXPOSE"}, keyword
    assert command == ["canonym", "serve"]
    port = free_port()
    env = {**replay.env, "CANONYM_HOST": "127.0.0.1", "CANONYM_PORT": str(port)}
    env["CANONYM_API_KEYS"] = "k-3f9a0c7d"
    server = subprocess.Popen(
        command, cwd=replay.workdir, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        wait_until(
            lambda: (
                subprocess.run(healthcheck, env=env, capture_output=True, check=False).returncode
                == 0
            ),
            STARTUP_SECONDS,
            "the image's HEALTHCHECK passes",
        )
        base = f"http://127.0.0.1:{port}"
        wait_until(lambda: httpx.get(f"{base}/readyz").status_code == 200, STARTUP_SECONDS, "ready")
        r = httpx.post(f"{base}/v1/resolve", json={"names": ["Qaddafi"]})
        assert r.json()["results"][0]["decision"] == "matched"
        assert (Path(replay.path("/var/lib/canonym")) / "canonym.db").exists()
    finally:
        code, output = stop(server)
    # uvicorn shuts down cleanly, then exits by the signal it caught.
    assert code in (0, -signal.SIGTERM), output
    assert "Application shutdown complete." in output
    lines = [json.loads(line) for line in output.splitlines()]
    assert {"app.access", "app.store.seeds", "uvicorn.error"} <= {x["logger"] for x in lines}
