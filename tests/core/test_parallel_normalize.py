"""Normalizing a large batch on two processes: the same forms as one process, whatever happens
to the second."""

import io
import logging
import pickle

import pytest

import app.core.normalize_worker as worker
import app.core.parallel as parallel
from app.core.normalize import try_normalize_name
from app.core.types import NameForm

NAMES = [
    *["Takht Ravanchi", "CHO, Yong Chol", "Sergey Viktorovich Lavrov", "al Qaida", "Krueger"],
    *["القذافي", "Зеленский", "", "!!!", "Mao Tse-tung", "Mr. Benjamin Netanyahu's"],
] * 3


def _deep(form: NameForm | None) -> object:
    """A form with what its equality leaves out: its readings and the gluing flag."""
    if form is None:
        return None
    return (form, form.gluable, _deep(form.korean), _deep(form.mandarin), _deep(form.bare))


def _serial(names: list[str]) -> list[object]:
    return [_deep(try_normalize_name(n)) for n in names]


@pytest.fixture
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "PARALLEL_MIN_NAMES", 10)


@pytest.mark.usefixtures("small_batches")
def test_two_processes_give_the_serial_forms_in_order(caplog: pytest.LogCaptureFixture) -> None:
    counted: list[int] = []
    with caplog.at_level(logging.WARNING, logger="app.core.parallel"):
        forms = parallel.normalize_names(NAMES, workers=2, progress=counted.append)
    assert not caplog.records  # the second process did its share: nothing was redone here
    assert [_deep(f) for f in forms] == _serial(NAMES)
    assert forms[7] is None
    assert forms[8] is None
    assert forms[1] is not None
    assert forms[1].korean is not None
    assert forms[0] is not None
    assert forms[0].bare is None
    assert sum(counted) == len(NAMES)
    assert parallel.normalize_names(NAMES, workers=1) == forms


def test_the_worker_writes_framed_chunks_in_order(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(worker, "CHUNK", 4)
    source, sink = io.BytesIO(pickle.dumps(NAMES)), io.BytesIO()
    worker.serve(source, sink)
    sink.seek(0)
    chunks = []
    while head := sink.read(worker.HEADER.size):
        (size,) = worker.HEADER.unpack(head)
        chunks.append(pickle.loads(sink.read(size)))
    assert [len(c) for c in chunks] == [4, 4, 4, 4, 4, 4, 4, 4, 1]
    assert [_deep(f) for c in chunks for f in c] == _serial(NAMES)


@pytest.mark.usefixtures("small_batches")
def test_a_second_process_that_fails_is_replaced_by_this_one(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(parallel, "_WORKER", "import sys; sys.stderr.write('boom'); sys.exit(3)")
    counted: list[int] = []
    with caplog.at_level(logging.WARNING, logger="app.core.parallel"):
        forms = parallel.normalize_names(NAMES, workers=2, progress=counted.append)
    assert [_deep(f) for f in forms] == _serial(NAMES)
    assert sum(counted) == len(NAMES)
    assert "normalizing its names here" in caplog.text
    assert "boom" in caplog.text


@pytest.mark.usefixtures("small_batches")
def test_a_second_process_that_cannot_start_is_replaced_by_this_one(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(parallel.sys, "executable", "/nonexistent/python3")
    with caplog.at_level(logging.WARNING, logger="app.core.parallel"):
        forms = parallel.normalize_names(NAMES, workers=2)
    assert [_deep(f) for f in forms] == _serial(NAMES)
    assert "no second process" in caplog.text


@pytest.mark.usefixtures("small_batches")
def test_an_app_package_in_the_working_directory_is_not_imported(
    monkeypatch: pytest.MonkeyPatch, tmp_path, caplog: pytest.LogCaptureFixture
) -> None:
    # A caller's own project with an ``app`` package (a common name): the second process must
    # still run this package's normalizer.
    core = tmp_path / "app" / "core"
    core.mkdir(parents=True)
    (tmp_path / "app" / "__init__.py").write_text("")
    (core / "__init__.py").write_text("")
    (core / "normalize_worker.py").write_text("raise SystemExit('the wrong app')\n")
    monkeypatch.chdir(tmp_path)
    with caplog.at_level(logging.WARNING, logger="app.core.parallel"):
        forms = parallel.normalize_names(NAMES, workers=2)
    assert not caplog.records
    assert [_deep(f) for f in forms] == _serial(NAMES)


@pytest.mark.usefixtures("small_batches")
def test_a_second_process_that_writes_much_error_output_does_not_stall(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # More than a pipe holds: read only once the process has ended, a pipe would stall it.
    flood = "import sys; sys.stderr.write('w' * 300_000 + 'the end'); sys.exit(5)"
    monkeypatch.setattr(parallel, "_WORKER", flood)
    with caplog.at_level(logging.WARNING, logger="app.core.parallel"):
        forms = parallel.normalize_names(NAMES, workers=2)
    assert [_deep(f) for f in forms] == _serial(NAMES)
    assert "the end" in caplog.text
