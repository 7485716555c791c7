"""The OpenAPI document is product: walk /openapi.json and fail on any gap."""

import pytest
from prometheus_client import CONTENT_TYPE_LATEST

from app.api.app import TAGS

ERROR_REF = "#/components/schemas/ErrorResponse"
EXPECTED_OPERATION_IDS = {
    ("post", "/v1/normalize"): "names-normalize",
    ("post", "/v1/compare"): "pairs-compare",
    ("post", "/v1/cluster"): "clusters-cluster",
    ("post", "/v1/resolve"): "resolution-resolve",
    ("post", "/v1/entities"): "entities-create-entity",
    ("get", "/v1/entities"): "entities-list-entities",
    ("post", "/v1/entities/import"): "entities-import-entities",
    ("get", "/v1/entities/{entity_id}"): "entities-get-entity",
    ("patch", "/v1/entities/{entity_id}"): "entities-update-entity",
    ("delete", "/v1/entities/{entity_id}"): "entities-delete-entity",
    ("get", "/v1/entities/{entity_id}/aliases"): "entities-list-aliases",
    ("post", "/v1/entities/{entity_id}/aliases"): "entities-add-alias",
    ("delete", "/v1/entities/{entity_id}/aliases/{alias_id}"): "entities-delete-alias",
    ("post", "/v1/judgements"): "judgements-create-judgement",
    ("get", "/v1/judgements"): "judgements-list-judgements",
    ("get", "/reconcile"): "reconciliation-reconcile-get",
    ("post", "/reconcile"): "reconciliation-reconcile-post",
    ("get", "/reconcile/suggest/entity"): "reconciliation-suggest-entity",
    ("get", "/reconcile/suggest/type"): "reconciliation-suggest-type",
    ("get", "/reconcile/suggest/property"): "reconciliation-suggest-property",
    ("get", "/reconcile/preview"): "reconciliation-preview",
    ("get", "/reconcile/view/{entity_id}"): "reconciliation-view",
    ("get", "/reconcile/v1"): "reconciliation-manifest-v1",
    ("post", "/reconcile/v1/match"): "reconciliation-match",
    ("get", "/reconcile/v1/suggest/entity"): "reconciliation-suggest-entity-v1",
    ("get", "/reconcile/v1/suggest/type"): "reconciliation-suggest-type-v1",
    ("get", "/reconcile/v1/suggest/property"): "reconciliation-suggest-property-v1",
    ("get", "/reconcile/v1/preview"): "reconciliation-preview-v1",
    ("get", "/healthz"): "system-healthz",
    ("get", "/readyz"): "system-readyz",
    ("get", "/metrics"): "system-metrics",
}


@pytest.fixture(scope="module")
def spec(client):
    r = client.get("/openapi.json")
    assert r.status_code == 200
    return r.json()


def _operations(spec):
    for path, item in spec["paths"].items():
        for method, op in item.items():
            yield method, path, op


def _error_ref(response):
    return response.get("content", {}).get("application/json", {}).get("schema", {}).get("$ref")


def test_operation_ids_are_tag_name(spec):
    found = {(m, p): op["operationId"] for m, p, op in _operations(spec)}
    assert found == EXPECTED_OPERATION_IDS


def test_every_operation_is_documented(spec):
    tag_names = {t["name"] for t in spec["tags"]}
    for method, path, op in _operations(spec):
        where = f"{method.upper()} {path}"
        assert op.get("summary"), where
        assert len(op.get("description", "")) > 40, where
        assert op.get("tags"), where
        assert set(op["tags"]) <= tag_names, where
        assert op.get("operationId"), where
        success = {"200", "201"} & set(op["responses"])
        assert success, where
        content = op["responses"][success.pop()]["content"]
        # JSON, except the Prometheus text of /metrics and the HTML pages of the
        # reconciliation service (entity preview and view).
        if path == "/metrics":
            media = CONTENT_TYPE_LATEST
        elif path.startswith("/reconcile/") and "json" not in str(content):
            media = "text/html"
        else:
            media = "application/json"
        assert content[media]["schema"], where
        assert _error_ref(op["responses"]["500"]) == ERROR_REF, where


def test_operations_with_a_body_document_their_errors(spec):
    with_body = [(m, p, op) for m, p, op in _operations(spec) if "requestBody" in op]
    assert len(with_body) == 11
    for method, path, op in with_body:
        # The reconciliation protocol posts HTML forms as well as JSON: no 415 there.
        statuses = (
            ("400", "413", "422") if path.startswith("/reconcile") else ("400", "413", "415", "422")
        )
        for status in statuses:
            assert _error_ref(op["responses"][status]) == ERROR_REF, f"{method} {path} {status}"
            assert op["responses"][status]["description"], f"{method} {path} {status}"


def test_readyz_documents_503(spec):
    assert _error_ref(spec["paths"]["/readyz"]["get"]["responses"]["503"]) == ERROR_REF


def test_default_validation_schema_is_replaced(spec):
    assert "HTTPValidationError" not in spec["components"]["schemas"]


def test_every_request_body_has_examples(spec):
    for method, path, op in _operations(spec):
        if "requestBody" not in op:
            continue
        # JSON bodies, and the form that OpenRefine posts to /reconcile.
        bodies = op["requestBody"]["content"]
        content = bodies.get("application/json") or bodies["application/x-www-form-urlencoded"]
        examples = content.get("examples", {})
        assert examples, f"{method} {path}"
        for name, example in examples.items():
            assert example.get("summary"), name
            assert example.get("value"), name


def test_request_examples_use_real_variant_sets(spec):
    text = str([op.get("requestBody") for _, _, op in _operations(spec)])
    for name in ("Gaddafi", "Qaddafi", "Kadhafi", "القذافي", "Takht Rwanchi", "Зеленский"):
        assert name in text
    assert "Pizshakyan" in text


def test_tags_are_title_case_with_descriptions(spec):
    assert [t["name"] for t in spec["tags"]] == [t["name"] for t in TAGS]
    for tag in spec["tags"]:
        assert tag["name"] == tag["name"].title()
        assert tag["description"]


def _properties(schema_name, schema):
    for prop_name, prop in schema.get("properties", {}).items():
        yield f"{schema_name}.{prop_name}", prop


def test_every_schema_property_has_a_description(spec):
    for schema_name, schema in spec["components"]["schemas"].items():
        assert schema.get("description") or schema.get("properties") is None, schema_name
        for where, prop in _properties(schema_name, schema):
            assert prop.get("description"), where


def test_every_schema_property_has_examples(spec):
    for schema_name, schema in spec["components"]["schemas"].items():
        for where, prop in _properties(schema_name, schema):
            assert prop.get("examples"), where


def test_probability_is_the_only_top_level_score(spec):
    # Only calibrated probabilities appear outside evidence[] (house naming rule).
    schemas = spec["components"]["schemas"]
    for schema_name, schema in schemas.items():
        for where, _ in _properties(schema_name, schema):
            assert not where.endswith(("_similarity", "_distance")), where
    assert "probability" in schemas["CompareResult"]["properties"]


WRITES = [(m, p) for (m, p) in EXPECTED_OPERATION_IDS if m in ("post", "patch", "delete")]
READS_AND_PURE = {
    ("post", "/v1/normalize"),
    ("post", "/v1/compare"),
    ("post", "/v1/cluster"),
    ("post", "/v1/resolve"),
    ("post", "/reconcile"),
    ("post", "/reconcile/v1/match"),
}


def test_every_write_documents_its_api_key(spec):
    for method, path in WRITES:
        op = spec["paths"][path][method]
        if (method, path) in READS_AND_PURE:
            assert "security" not in op, f"{method} {path}"
            continue
        assert op.get("security"), f"{method} {path}"
        for status in ("401", "403"):
            assert _error_ref(op["responses"][status]) == ERROR_REF, f"{method} {path} {status}"


def test_registry_routes_document_not_found(spec):
    for path, item in spec["paths"].items():
        if "{entity_id}" in path:
            for method, op in item.items():
                assert _error_ref(op["responses"]["404"]) == ERROR_REF, f"{method} {path}"
