"""GET /healthz, GET /readyz, and the app factory."""

from fastapi.testclient import TestClient

import app
from app.api.app import create_app
from app.api.deps import get_app_settings
from tests.conftest import make_settings


def test_healthz(client):
    r = client.get("/healthz")
    assert r.status_code == 200
    assert r.json() == {"status": "ok", "version": app.__version__}


def test_readyz_once_the_matcher_is_loaded(client):
    r = client.get("/readyz")
    assert r.status_code == 200
    assert r.json() == {"status": "ready"}


def test_not_ready_before_the_lifespan_ran(settings):
    # Without `with`, the lifespan does not run and the matcher is not loaded.
    c = TestClient(create_app(settings))
    r = c.get("/readyz")
    assert r.status_code == 503
    assert r.json() == {"error": {"code": "not_ready", "message": "the matcher is not loaded yet"}}
    assert c.get("/healthz").status_code == 200
    r = c.post("/v1/normalize", json={"names": ["Gaddafi"]})
    assert r.status_code == 503
    assert r.json()["error"]["code"] == "not_ready"


def test_settings_are_injected_not_global(client_with):
    small = client_with(max_names_per_request=1)
    r = small.post("/v1/normalize", json={"names": ["Gaddafi", "Qaddafi"]})
    assert r.status_code == 413
    assert r.json()["error"]["message"] == (
        "batch of 2 names exceeds the limit of 1 (CANONYM_MAX_NAMES_PER_REQUEST)"
    )


def test_settings_can_be_overridden_by_dependency(settings):
    application = create_app(settings)
    application.dependency_overrides[get_app_settings] = lambda: make_settings(max_name_length=3)
    with TestClient(application) as c:
        r = c.post("/v1/normalize", json={"names": ["Gaddafi"]})
    assert r.status_code == 413
    assert r.json()["error"]["code"] == "name_too_long"


def test_app_metadata(client):
    info = client.get("/openapi.json").json()["info"]
    assert info["title"] == "Canonym"
    assert info["version"] == app.__version__
    assert info["description"].strip()


def test_unknown_path_and_method_use_the_error_shape(client):
    r = client.get("/v1/nothing")
    assert r.status_code == 404
    assert r.json() == {"error": {"code": "not_found", "message": "Not Found"}}
    r = client.get("/v1/normalize")
    assert r.status_code == 405
    assert r.json()["error"]["code"] == "method_not_allowed"


def test_unexpected_errors_are_json_500_without_traces(settings, caplog):
    application = create_app(settings)

    @application.get("/boom")
    def boom() -> None:
        msg = "secret internal detail"
        raise RuntimeError(msg)

    with TestClient(application, raise_server_exceptions=False) as c:
        r = c.get("/boom")
    assert r.status_code == 500
    assert r.json() == {
        "error": {
            "code": "internal_error",
            "message": "internal error; the service logged the details",
        }
    }
    assert "secret" not in r.text
    assert "secret internal detail" in caplog.text


def test_interactive_docs_are_served(client):
    response = client.get("/docs")
    assert response.status_code == 200
    assert "swagger-ui" in response.text.lower()
    assert client.get("/openapi.json").json()["info"]["title"] == "Canonym"
