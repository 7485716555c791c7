"""A client generated from /openapi.json by a third-party generator (openapi-python-client,
offline) calls the running service: the document is complete enough to be used as is, and the
operation ids become readable function names (`resolution_resolve`, `pairs_compare`)."""

import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.api.test_openapi import EXPECTED_OPERATION_IDS

pytestmark = pytest.mark.slow

BIN = Path(sys.executable).parent
PACKAGE = "canonym_client"
# The bulk import also takes JSON Lines, a media type the generator does not know: bytes.
CONFIG = {
    "package_name_override": PACKAGE,
    "content_type_overrides": {"application/x-ndjson": "application/octet-stream"},
}


@pytest.fixture(scope="module")
def generated(live_server, tmp_path_factory):
    root = tmp_path_factory.mktemp("generated")
    (root / "openapi.json").write_text(httpx.get(f"{live_server}/openapi.json").text, "utf-8")
    (root / "config.json").write_text(json.dumps(CONFIG), "utf-8")
    command = [
        str(BIN / "openapi-python-client"),
        "generate",
        "--path",
        str(root / "openapi.json"),
        "--config",
        str(root / "config.json"),
        "--meta",
        "none",
        "--output-path",
        str(root / PACKAGE),
        "--fail-on-warning",
    ]
    # The generator formats its output with ruff, which it looks up on PATH.
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    sys.path.insert(0, str(root))
    try:
        yield root / PACKAGE
    finally:
        sys.path.remove(str(root))
        for name in [m for m in sys.modules if m == PACKAGE or m.startswith(f"{PACKAGE}.")]:
            del sys.modules[name]


def _api(name):
    tag = name.split("_")[0]
    return importlib.import_module(f"{PACKAGE}.api.{tag}.{name}")


def test_operation_ids_become_readable_functions(generated):
    modules = {p.stem for p in (generated / "api").glob("*/*.py") if p.stem != "__init__"}
    assert modules == {op.replace("-", "_") for op in EXPECTED_OPERATION_IDS.values()}


def test_generated_client_calls_the_service(generated, live_server):
    client_module = importlib.import_module(f"{PACKAGE}.client")
    models = importlib.import_module(f"{PACKAGE}.models")
    with client_module.Client(base_url=live_server, raise_on_unexpected_status=True) as client:
        health = _api("system_healthz").sync(client=client)
        assert health.status == "ok"
        body = models.ResolveRequest(names=["Qaddafi", "Jane Roe"], top_k=1)
        resolved = _api("resolution_resolve").sync(client=client, body=body)
        assert [r.decision.value for r in resolved.results] == ["matched", "new"]
        assert resolved.results[0].candidates[0].canonical == "Muammar Gaddafi"
        pair = models.NamePair(a="Takht Rwanchi", b="Majid Takht-Ravanchi")
        compared = _api("pairs_compare").sync(
            client=client, body=models.CompareRequest(pairs=[pair], explain=True)
        )
        assert compared.results[0].match is True
        assert "Rwanchi = Ravanchi" in compared.results[0].summary
        page = _api("entities_list_entities").sync(client=client, q="Tehran", limit=5)
        assert page.data[0].canonical == "Tehran"
        # Errors come back as the documented ErrorResponse model.
        missing = _api("entities_get_entity").sync_detailed(client=client, entity_id="ent_nope")
        assert missing.status_code == 404
        assert missing.parsed.error.code == "entity_not_found"
        form = models.ReconciliationForm(queries=json.dumps({"q0": {"query": "Teheran"}}))
        reconciled = _api("reconciliation_reconcile_post").sync(client=client, body=form)
        assert reconciled["q0"].result[0].name == "Tehran"
