"""Readers of the deployment files for the tests: Dockerfile instructions by stage, and the
Compose file's variable interpolation (``${VAR}``, ``${VAR:-default}``, ``${VAR:?error}``)."""

import re
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).parents[1]
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
COMPOSE = ROOT / "docker-compose.yml"
NGINX_CONF = ROOT / "deploy" / "nginx.conf"
COMPOSE_SCHEMA = ROOT / "tests" / "data" / "compose-spec" / "compose-spec.json"


@dataclass
class Stage:
    """One ``FROM`` of a Dockerfile and the instructions after it, as (keyword, arguments)."""

    base: str
    name: str | None
    instructions: list[tuple[str, str]] = field(default_factory=list)

    def all(self, keyword):
        return [args for kw, args in self.instructions if kw == keyword]


def dockerfile_instructions(text):
    """(KEYWORD, arguments) of each instruction, continuation lines joined, comments dropped."""
    logical, current = [], ""
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("#") or not stripped:
            continue
        if stripped.endswith("\\"):
            current += stripped[:-1] + " "
            continue
        logical.append(current + stripped)
        current = ""
    out = []
    for line in logical:
        keyword, _, args = line.partition(" ")
        out.append((keyword.upper(), args.strip()))
    return out


def dockerfile_stages(text):
    stages = []
    for keyword, args in dockerfile_instructions(text):
        if keyword == "FROM":
            parts = args.split()
            name = parts[2] if len(parts) >= 3 and parts[1].upper() == "AS" else None
            stages.append(Stage(parts[0], name))
        elif stages:
            stages[-1].instructions.append((keyword, args))
    return stages


def env_pairs(args):
    """The ``KEY=value`` pairs of an ``ENV`` instruction (values without spaces or quoted)."""
    return {
        key: value.strip('"')
        for key, value in re.findall(r'([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|\S+)', args)
    }


class MissingVariable(Exception):
    def __init__(self, name, message):
        super().__init__(f"{name}: {message}")
        self.name = name
        self.message = message


_VARIABLE = re.compile(r"\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}")


def interpolate(value, env):
    """A Compose string with its variables replaced, as ``docker compose`` does."""

    def replace(match):
        if match.group(0) == "$$":
            return "$"
        name, operator, argument = match.groups()
        # With a colon, an empty value counts as unset.
        is_set = name in env and (env[name] != "" or not (operator or "").startswith(":"))
        if operator in (":-", "-"):
            return env[name] if is_set else argument
        if operator in (":?", "?"):
            if not is_set:
                raise MissingVariable(name, argument)
            return env[name]
        return env.get(name, "")

    return _VARIABLE.sub(replace, value)


def interpolate_all(node, env, missing):
    """The Compose document with every string interpolated; missing required variables are
    collected in ``missing`` (name -> message)."""
    if isinstance(node, dict):
        return {k: interpolate_all(v, env, missing) for k, v in node.items()}
    if isinstance(node, list):
        return [interpolate_all(v, env, missing) for v in node]
    if isinstance(node, str):
        try:
            return interpolate(node, env)
        except MissingVariable as exc:
            missing[exc.name] = exc.message
            return ""
    return node
