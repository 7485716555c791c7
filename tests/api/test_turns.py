"""Requests take turns in the matching core (app.api.turns); the probes never wait for it."""

import threading

import pytest

from app.api.turns import CORE

ROUTES = [
    ("/v1/compare", {"pairs": [{"a": "Gaddafi", "b": "Qaddafi"}]}),
    ("/v1/normalize", {"names": ["Takht-Ravanchi"]}),
    ("/v1/cluster", {"names": ["Takht Ravanchi", "Takht Rwanchi"], "resolve": True}),
    ("/v1/resolve", {"names": ["Qaddafi"]}),
]


@pytest.mark.parametrize(("path", "body"), ROUTES)
def test_a_request_waits_while_another_is_in_the_core(client, path, body):
    answers = []
    worker = threading.Thread(target=lambda: answers.append(client.post(path, json=body)))
    with CORE:  # another request is in the core
        worker.start()
        worker.join(timeout=1.0)
        assert worker.is_alive()
        assert not answers
        # Probes and reads outside the core still answer meanwhile.
        assert client.get("/healthz").status_code == 200
        assert client.get("/readyz").status_code == 200
    worker.join(timeout=30)
    assert answers[0].status_code == 200, answers[0].text
