"""`shots --cluster`: a real Dask LocalCluster (2 worker processes, 1 thread each) gives the rows
of a local run, by shared path and with ``--send``; bad files, the cache, a worker that dies,
Ctrl-C, and the command's refusals, each said in one Chinese sentence.

The fast tests use a fake engine that reads the PNG's own ``fake_text`` note; its classes live
at the top of this module so the workers can unpickle them (they import this module by name:
the worker processes are spawned with this process's ``sys.path``). The fake engine logs every
picture it reads to a file, since the workers are other processes.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import socketserver
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from distributed import Client, LocalCluster
from loguru import logger
from PIL import Image
from plain_chinese import english_sentences
from shot_files import make_png

from interceptor import RuleSet
from interceptor.cli import main
from interceptor.cluster import ClusterUnavailable
from interceptor.ocr import OcrLine
from interceptor.privacy import mask_captures
from interceptor.shots import BatchResult, ShotResult, check_shots, collect_files

SHOTS = Path(__file__).resolve().parent.parent / "fixtures" / "shots"
EXPECTED: dict[str, dict[str, Any]] = json.loads((SHOTS / "expected.json").read_text(encoding="utf-8"))


# --- a fake engine the workers can unpickle ------------------------------------------------------


class LoggingFakeEngine:
    """Reads the PNG's ``fake_text``; appends it to ``log``. ``CRASH-ONCE`` in the text ends the
    worker process the first time (a marker file remembers), ``CRASH-ALWAYS`` every time."""

    name = "fake-cluster-1"

    def __init__(self, log: str, markers: str) -> None:
        self.log = log
        self.markers = markers

    def recognize(self, image: Image.Image) -> list[OcrLine]:
        text = image.info.get("fake_text", "")
        with open(self.log, "a", encoding="utf-8") as handle:
            handle.write(text.replace("\n", " ") + "\n")
        if "CRASH-ALWAYS" in text:
            os._exit(1)
        if "CRASH-ONCE" in text:
            marker = Path(self.markers) / "crashed-once"
            if not marker.exists():
                marker.touch()
                os._exit(1)
        return [
            OcrLine(t, (10, 10 + 30 * i, 10 + 14 * len(t), 30 + 30 * i), 0.99)
            for i, t in enumerate(text.splitlines())
            if t
        ]


@dataclass(frozen=True)
class FakeFactory:
    log: str
    markers: str

    def __call__(self) -> LoggingFakeEngine:
        return LoggingFakeEngine(self.log, self.markers)

    def reads(self) -> list[str]:
        """The texts the engine was asked to read, on every worker so far."""
        path = Path(self.log)
        return path.read_text(encoding="utf-8").splitlines() if path.exists() else []


@pytest.fixture
def fake(tmp_path: Path) -> FakeFactory:
    return FakeFactory(str(tmp_path / "reads.log"), str(tmp_path))




def rows(batch: BatchResult) -> list[dict[str, Any]]:
    return [r.to_dict() for r in batch.results]


# --- the cluster -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cluster() -> Iterator[LocalCluster]:
    # allowed_failures=1: a task whose worker died twice is given up (the default 3 would only
    # make the "dies every time" test wait for more worker restarts).
    with LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        scheduler_kwargs={"allowed_failures": 1},
    ) as local:
        yield local


def assert_nothing_left(cluster: LocalCluster) -> None:
    """The batch's client has gone and took its tasks and worker plugin with it."""
    scheduler = cluster.scheduler
    assert set(scheduler.clients) <= {"fire-and-forget"}
    assert not [key for key in scheduler.tasks if str(key).startswith("interceptor-shot")]
    assert not [name for name in scheduler.worker_plugins if name.startswith("interceptor-shots-")]


# --- the real engine: the same rows as a local run -----------------------------------------------


# Every third picture of the training split (23 of 67, by name): every UI kit, chat copies,
# photos, crops, downscaled copies, notices, success toasts and pictures without an error. The
# whole split would cost three OCR passes of 67 pictures (local, shared path, --send), about
# 3 minutes on our 2 cores; tests/test_shots.py already checks the whole split locally.
DEV_SUBSET = sorted(EXPECTED)[::3]


@pytest.fixture(scope="module")
def dev_files() -> list[Path]:
    return [SHOTS / name for name in DEV_SUBSET]


@pytest.fixture(scope="module")
def local_rows(dev_files: list[Path], ruleset: RuleSet) -> list[dict[str, Any]]:
    batch = check_shots(dev_files, rules=ruleset, workers=2)
    assert not batch.interrupted
    return rows(batch)


@pytest.mark.parametrize("send", [False, True], ids=["shared-path", "send"])
def test_dev_set_on_the_cluster_gives_the_rows_of_a_local_run(
    send: bool,
    dev_files: list[Path],
    local_rows: list[dict[str, Any]],
    cluster: LocalCluster,
    ruleset: RuleSet,
) -> None:
    """A third of the training split (see DEV_SUBSET) through the bundled engine on 2 workers."""
    seen: list[int] = []
    batch = check_shots(
        dev_files,
        rules=ruleset,
        cluster=cluster.scheduler_address,
        send=send,
        on_result=lambda result, done, total: seen.append(done),
    )
    assert not batch.interrupted
    assert seen == list(range(1, len(dev_files) + 1))  # the progress bar moved once per file
    assert rows(batch) == local_rows
    # Not merely equal to each other: right, but for the odd chat copy the local run misses too.
    wrong = [
        name
        for r, name in zip(batch.results, DEV_SUBSET, strict=True)
        if (r.rule, r.rules, r.captures)
        != (EXPECTED[name]["rule"], EXPECTED[name]["rules"], mask_captures(EXPECTED[name]["captures"]))
    ]
    assert len(wrong) <= 2, wrong
    assert all(r.error is None for r in batch.results)
    assert_nothing_left(cluster)


def test_shots_command_on_the_cluster_writes_the_report(
    cluster: LocalCluster, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    names = ["images/girder-household-s1.png", "images/layui-two-errors-s1.png", "images/hall-menu-only-s1.png"]
    report = tmp_path / "r.json"
    code = main(
        [
            "shots",
            *(str(SHOTS / name) for name in names),
            "--cluster",
            cluster.scheduler_address,
            "--send",
            "--json",
            str(report),
            "--no-cache",
        ]
    )
    assert code == 0
    got = json.loads(report.read_text(encoding="utf-8"))
    assert [(r["rule"], r["rules"]) for r in got] == [(EXPECTED[n]["rule"], EXPECTED[n]["rules"]) for n in names]
    err = capfd.readouterr().err
    assert english_sentences(err) == [] and "distributed" not in err


# --- the fake engine: bad files, cache, dying workers, Ctrl-C ------------------------------------


@pytest.mark.parametrize("send", [False, True], ids=["shared-path", "send"])
def test_bad_files_stay_rows_through_the_cluster(
    send: bool, bad_folder: Path, fake: FakeFactory, cluster: LocalCluster, ruleset: RuleSet
) -> None:
    missing = bad_folder / "missing.png"
    local = check_shots([bad_folder, missing], rules=ruleset, engine_factory=fake, workers=1)
    remote = check_shots(
        [bad_folder, missing], rules=ruleset, engine_factory=fake, cluster=cluster.scheduler_address, send=send
    )
    assert rows(remote) == rows(local)
    by_name = {Path(r.file).name: r for r in remote.results}
    assert by_name["a-error.png"].rule == "household-type-missing"
    assert by_name["b-menu.png"].error is None and by_name["b-menu.png"].rule is None
    assert "0 字节" in (by_name["c-empty.png"].error or "")
    for bad in ("d-text.jpg", "e-truncated.png", "missing.png"):
        assert by_name[bad].error and by_name[bad].rule is None, bad
    assert remote.counts == {"household-type-missing": 1, "error": 4, "unknown": 1}


def test_the_cache_stays_here_and_spares_the_cluster(
    tmp_path: Path, fake: FakeFactory, cluster: LocalCluster, ruleset: RuleSet
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    make_png(folder / "a.png", "户籍性质为空")
    make_png(folder / "b.png", "未获取到人员基本信息")
    cache = tmp_path / "cache"
    first = check_shots(
        [folder], rules=ruleset, engine_factory=fake, cache_dir=cache, cluster=cluster.scheduler_address
    )
    assert sorted(fake.reads()) == ["户籍性质为空", "未获取到人员基本信息"]
    assert not any(r.cached for r in first.results)
    assert any(cache.rglob("*.json"))  # written by this process, from what the workers read
    second = check_shots(
        [folder], rules=ruleset, engine_factory=fake, cache_dir=cache, cluster=cluster.scheduler_address
    )
    assert len(fake.reads()) == 2  # not read again
    assert all(r.cached for r in second.results)
    assert [r.rule for r in second.results] == ["household-type-missing", "person-info-not-found"]


def test_a_worker_that_dies_has_its_picture_read_elsewhere(
    tmp_path: Path, fake: FakeFactory, cluster: LocalCluster, ruleset: RuleSet
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    make_png(folder / "a-crash.png", "户籍性质为空\nCRASH-ONCE")
    for i in range(4):
        make_png(folder / f"b-{i}.png", "未获取到人员基本信息")
    batch = check_shots([folder], rules=ruleset, engine_factory=fake, cluster=cluster.scheduler_address)
    assert (tmp_path / "crashed-once").exists()  # a worker process really ended on it
    assert fake.reads().count("户籍性质为空 CRASH-ONCE") == 2  # read once more, after the crash
    assert [r.error for r in batch.results] == [None] * 5
    assert [r.rule for r in batch.results] == ["household-type-missing"] + ["person-info-not-found"] * 4


def test_a_picture_that_kills_every_worker_becomes_its_error_row(
    tmp_path: Path, fake: FakeFactory, cluster: LocalCluster, ruleset: RuleSet
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    make_png(folder / "a-poison.png", "户籍性质为空\nCRASH-ALWAYS")
    for i in range(6):
        make_png(folder / f"b-fine-{i}.png", "未获取到人员基本信息")
    batch = check_shots([folder], rules=ruleset, engine_factory=fake, cluster=cluster.scheduler_address)
    assert not batch.interrupted
    poison, *fine = batch.results
    assert poison.rule is None and "识别进程异常退出" in (poison.error or "")
    # Twice with its queue neighbours (allowed_failures=1), twice more alone.
    assert fake.reads().count("户籍性质为空 CRASH-ALWAYS") == 4
    # Pictures queued on the workers it killed were suspected too, and were read again.
    assert [(r.error, r.rule) for r in fine] == [(None, "person-info-not-found")] * 6
    assert_nothing_left(cluster)


def test_ctrl_c_cancels_the_rest_and_closes_the_client(
    tmp_path: Path, fake: FakeFactory, cluster: LocalCluster, ruleset: RuleSet
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(40):
        make_png(folder / f"p{i:02}.png", "户籍性质为空")

    def stop_after_two(result: ShotResult, done: int, total: int) -> None:
        if done == 2:
            raise KeyboardInterrupt

    batch = check_shots(
        [folder], rules=ruleset, engine_factory=fake, cluster=cluster.scheduler_address, on_result=stop_after_two
    )
    assert batch.interrupted
    assert [r.file for r in batch.results] == [str(p) for p in collect_files([folder])]
    assert sum(1 for r in batch.results if r.rule == "household-type-missing") == 2
    assert sum(1 for r in batch.results if r.skipped and "中断" in (r.error or "")) == 38
    assert_nothing_left(cluster)


def test_workers_with_other_code_are_named() -> None:
    from interceptor.cluster import _check_workers, installed_code

    ours = installed_code()

    class OtherCode:
        """A client whose cluster has one worker like us, one older and one patched."""

        def wait_for_workers(self, n: int, timeout: float) -> None:
            pass

        def run(self, function: Any) -> dict[str, tuple[str, str]]:
            return {"tcp://a:1": ours, "tcp://b:1": ("0.0.9", "x"), "tcp://c:1": (ours[0], "y")}

    with pytest.raises(ClusterUnavailable) as caught:
        _check_workers(OtherCode(), "tcp://s:8786")  # type: ignore[arg-type]
    message = str(caught.value)
    assert "tcp://b:1（0.0.9）" in message and f"tcp://c:1（{ours[0]}，文件有改动）" in message
    assert "tcp://a:1" not in message


def test_a_scheduler_that_goes_away_ends_the_batch_with_rows_and_no_english(
    tmp_path: Path, fake: FakeFactory, ruleset: RuleSet, monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(40):
        make_png(folder / f"p{i:02}.png", "户籍性质为空")
    address = f"tcp://127.0.0.1:{free_port()}"
    dask = Path(sys.executable).parent / "dask"
    # Its own scheduler, in a process of its own that the test can kill; the workers find the
    # fake engine through PYTHONPATH.
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parent)}
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "env": env}
    scheduler = subprocess.Popen(
        [dask, "scheduler", "--port", address.rsplit(":", 1)[1], "--dashboard-address", ":0"], **quiet
    )
    worker = subprocess.Popen([dask, "worker", address, "--nworkers", "1", "--nthreads", "1"], **quiet)
    try:
        with Client(address, timeout=60, set_as_default=False) as watcher:
            watcher.wait_for_workers(1, timeout=60)
        monkeypatch.setattr("interceptor.cluster.CONNECT_TIMEOUT", 2.0)  # how long it tries to reconnect

        def kill_the_scheduler(result: ShotResult, done: int, total: int) -> None:
            if done == 1:
                scheduler.kill()

        # Dask logs the lost scheduler to the terminal through handlers of its own (in English,
        # with tracebacks): during the batch they must go to our debug log instead.
        on_terminal: list[logging.LogRecord] = []
        terminal = logging.Handler()
        terminal.emit = on_terminal.append  # type: ignore[method-assign]
        logging.getLogger("distributed.client").addHandler(terminal)
        debug: list[str] = []
        sink = logger.add(debug.append, level="DEBUG")
        try:
            batch = check_shots(
                [folder], rules=ruleset, engine_factory=fake, cluster=address, on_result=kill_the_scheduler
            )
        finally:
            logging.getLogger("distributed.client").removeHandler(terminal)
            logger.remove(sink)
    finally:
        for process in (worker, scheduler):
            process.kill()
            process.wait(timeout=60)
    assert on_terminal == []
    assert any("Failed to reconnect to scheduler" in line for line in debug)
    assert not batch.interrupted
    right = [r for r in batch.results if r.error is None and r.rule == "household-type-missing"]
    lost = [r for r in batch.results if "与 Dask 集群的连接断了" in (r.error or "")]
    assert right and lost and len(right) + len(lost) == 40
    err = capfd.readouterr().err
    assert english_sentences(err) == [] and "Traceback" not in err, err


# --- what the command refuses, in one sentence -----------------------------------------------------


SHOT = SHOTS / "images" / "girder-unknown-s1.png"


def test_send_without_a_cluster_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["shots", str(SHOT), "--send", "--no-cache"]) == 2
    err = capsys.readouterr().err
    assert "--send 要和 --cluster 一起用" in err and english_sentences(err) == []


def test_workers_with_a_cluster_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["shots", str(SHOT), "--cluster", "tcp://127.0.0.1:8786", "--workers", "2"]) == 2
    err = capsys.readouterr().err
    assert "--workers 不能和 --cluster 一起用" in err and english_sentences(err) == []


@pytest.mark.parametrize("address", ["192.168.1.20:8786", "http://h:8786", "tcp://h", "tcp://h:99999", "tcp://a b:1"])
def test_a_misspelt_address_is_said_before_anything_runs(address: str, capfd: pytest.CaptureFixture[str]) -> None:
    assert main(["shots", str(SHOT), "--cluster", address, "--no-cache"]) == 2
    err = capfd.readouterr().err
    assert f"集群地址 {address} 的写法不对" in err and english_sentences(err) == []


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def test_an_unreachable_scheduler_is_one_sentence(
    monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("interceptor.cluster.CONNECT_TIMEOUT", 1.0)
    address = f"tcp://127.0.0.1:{free_port()}"
    assert main(["shots", str(SHOT), "--cluster", address, "--no-cache"]) == 2
    err = capfd.readouterr().err
    assert err.strip() == f"连不上 Dask 集群 {address}：请确认调度器已启动、地址和端口写对。"


class _Garbage(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        self.request.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n" * 4)


def test_another_service_on_that_port_is_one_sentence(
    monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    # e.g. the dashboard's port (8787) typed for the scheduler's (8786)
    monkeypatch.setattr("interceptor.cluster.CONNECT_TIMEOUT", 2.0)
    with socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Garbage) as server:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        address = f"tcp://127.0.0.1:{server.server_address[1]}"
        code = main(["shots", str(SHOT), "--cluster", address, "--no-cache"])
        server.shutdown()
    assert code == 2
    err = capfd.readouterr().err
    assert err.strip() == f"连不上 Dask 集群 {address}：请确认调度器已启动、地址和端口写对。"


def test_tls_without_certificates_is_said(capfd: pytest.CaptureFixture[str]) -> None:
    assert main(["shots", str(SHOT), "--cluster", f"tls://127.0.0.1:{free_port()}", "--no-cache"]) == 2
    err = capfd.readouterr().err
    assert "tls:// 地址需要证书" in err and english_sentences(err) == []


def test_a_scheduler_without_workers_is_said(
    monkeypatch: pytest.MonkeyPatch, fake: FakeFactory, tmp_path: Path, ruleset: RuleSet
) -> None:
    monkeypatch.setattr("interceptor.cluster.CONNECT_TIMEOUT", 1.0)
    make_png(tmp_path / "a.png", "户籍性质为空")
    with (
        LocalCluster(n_workers=0, processes=True, dashboard_address=":0") as empty,
        pytest.raises(ClusterUnavailable, match="里还没有识别进程"),
    ):
        check_shots([tmp_path / "a.png"], rules=ruleset, engine_factory=fake, cluster=empty.scheduler_address)
    assert fake.reads() == []


def test_workers_without_interceptor_are_said(fake: FakeFactory, tmp_path: Path, ruleset: RuleSet) -> None:
    make_png(tmp_path / "a.png", "户籍性质为空")
    with LocalCluster(n_workers=0, processes=True, dashboard_address=":0") as bare:
        # A worker in a process where `import interceptor` fails, as on a machine without it.
        code = (
            "import sys; sys.modules['interceptor'] = None; "
            "from distributed.cli.dask_worker import main; "
            f"sys.argv = ['dask worker', {bare.scheduler_address!r}, '--no-nanny', '--nthreads', '1']; main()"
        )
        worker = subprocess.Popen(
            [sys.executable, "-c", code], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            with Client(bare.scheduler_address, set_as_default=False) as watcher:
                watcher.wait_for_workers(1, timeout=60)
            with pytest.raises(ClusterUnavailable, match="没有安装 interceptor"):
                check_shots(
                    [tmp_path / "a.png"], rules=ruleset, engine_factory=fake, cluster=bare.scheduler_address
                )
        finally:
            worker.terminate()
            worker.wait(timeout=60)
    assert fake.reads() == []
