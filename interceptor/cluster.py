"""Reading screenshots on a Dask cluster: ``interceptor shots PATH... --cluster ADDRESS [--send]``.

One machine reads a few pictures a second; a help desk with a backlog of thousands can lend
the batch the cores of other machines that run ``dask worker``. Only the OCR moves: the
machine running ``shots`` still collects the files, keeps the cache, classifies each reading
and writes the reports, so the rows are exactly those of a local run
(:func:`interceptor.shots.check_shots` hands its pending files to :func:`read_on_cluster`).

* **One engine per worker process.** A :class:`distributed.WorkerPlugin` carries the engine
  factory, the rule table and the reading function to every worker once per batch and builds
  the engine there when it arrives (models take a second or more to load); tasks carry only
  a path or a picture. A worker started with ``--nthreads`` above 1 shares its engine under a
  lock, since RapidOCR is not safe to call from two threads.
* **Where the pictures come from.** By default each worker opens the file at the same
  (absolute) path, for folders every machine mounts; with ``send`` this machine reads each
  file (refusing devices, pipes and huge files as locally) and sends its bytes, and the file's
  name stays here. At most a few pictures per worker thread are in flight, so neither this
  machine nor the scheduler holds a whole folder.
* **Failures.** A task that raises is tried again (``RETRIES``) and the scheduler gives the
  tasks of a worker that died to another, up to its ``allowed-failures``; since that also
  gives up on the pictures that were merely queued on the dying worker, each of those is tried
  once more at the end, alone. A file whose task still fails gets a row saying so and the
  batch goes on; so do the files left when the scheduler goes away for good. Ctrl-C (or a
  KeyboardInterrupt from the progress callback) cancels what is outstanding and closes the
  connection.
* **What a person sees.** Results come back as they finish, into the same ``deliver`` as a
  local run (cache, progress bar, reports). A cluster that cannot be used is one sentence
  (:class:`ClusterUnavailable`, exit 2) before any picture leaves; Dask's own English logs go
  to the debug log while the batch runs.

This module does not import :mod:`interceptor.shots` (which imports it, lazily): the reading
function comes in as an argument, so the import graph keeps flowing one way.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import queue
import re
import threading
import uuid
import warnings
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import CancelledError, ThreadPoolExecutor
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING

from distributed import Client, KilledWorker, Security, WorkerPlugin, get_worker
from distributed.client import ClosedClientError
from distributed.comm.core import CommClosedError, connect
from loguru import logger

from .errors import UsageError
from .images import UnreadableImage, read_input
from .ocr import EngineUnavailable
from .version import installed_version

if TYPE_CHECKING:
    from distributed import Future, Worker

    from .classify import RuleSet
    from .ocr import OcrEngine
    from .shots import Reading

    Outcome = tuple[Reading | None, str | None]
    # shots.ocr_bytes: (picture bytes, name for logs, engine getter, rules, partial reading).
    ReadBytes = Callable[[bytes, str, Callable[[], OcrEngine], RuleSet, Reading | None], Outcome]

# Long enough for a scheduler across a slow office network, short enough that a wrong address
# is said before the person gives up.
CONNECT_TIMEOUT = 10.0
# How often a task that raised is run again; a worker that died is the scheduler's business
# (distributed.scheduler.allowed-failures).
RETRIES = 2
# Pictures in flight per worker thread (and at least MIN_IN_FLIGHT): enough that no worker
# waits for its next picture, few enough that --send holds no whole folder in memory.
IN_FLIGHT_PER_THREAD = 4
MIN_IN_FLIGHT = 16
# Seconds to wait for the next result before looking whether the client is still connected.
WAIT_STEP = 1.0

_ADDRESS = re.compile(r"(tcp|tls)://(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+):(\d{1,5})")


class ClusterUnavailable(UsageError):
    """The Dask cluster cannot be used (wrong address, unreachable, no workers, workers without
    interceptor); the message says what to do. Exit code 2, raised before any picture is read."""


def check_address(address: str) -> None:
    """Refuse what is not ``tcp://host:port`` or ``tls://host:port``, before connecting."""
    found = _ADDRESS.fullmatch(address)
    if found is None or not 0 < int(found.group(3)) < 65536:
        raise ClusterUnavailable(
            f"集群地址 {address} 的写法不对：请写成 tcp://主机:端口（如 tcp://192.168.1.20:8786），"
            "加密连接写 tls://主机:端口。"
        )


class _EnginePlugin(WorkerPlugin):
    """What every worker needs for one batch, sent once: the engine is built in ``setup``."""

    def __init__(self, factory: Callable[[], OcrEngine], rules: RuleSet, read: ReadBytes) -> None:
        self.factory = factory
        self.rules = rules
        self.read = read
        self.engine: OcrEngine | None = None
        # Set in setup: a lock cannot be pickled, and each worker needs its own.
        self.lock: threading.Lock | None = None

    def setup(self, worker: Worker) -> None:
        self.lock = threading.Lock()
        self.engine = self.factory()

    def teardown(self, worker: Worker) -> None:
        self.engine = None  # the models are the memory worth giving back after a batch

    def get_engine(self) -> OcrEngine:
        if self.engine is None:  # setup failed on this worker (its error reached the client)
            raise RuntimeError("the OCR engine was not loaded on this worker")
        return self.engine


def _read_on_worker(plugin_name: str, source: str | bytes, name: str, partial: Reading | None) -> Outcome:
    """The task: a file's bytes (opened here when ``source`` is a path) through the batch's
    reading function with this worker's engine."""
    plugin = get_worker().plugins.get(plugin_name)
    if not isinstance(plugin, _EnginePlugin) or plugin.lock is None:
        raise RuntimeError(f"worker plugin {plugin_name} is missing on this worker")
    if isinstance(source, str):
        try:
            data = read_input(source)
        except UnreadableImage as exc:
            return None, str(exc)
    else:
        data = source
    with plugin.lock:
        return plugin.read(data, name, plugin.get_engine, plugin.rules, partial)


def _task_failure(exc: BaseException) -> str:
    """The row's error for a file whose task failed for good, in words a clerk can act on."""
    logger.debug("interceptor: cluster task failed: {!r}", exc)
    if isinstance(exc, KilledWorker):
        return "识别进程异常退出（已换其他识别进程重试，仍然失败）：这张图片可能让识别程序崩溃，请单独在本机检查它。"
    if isinstance(exc, CancelledError | ClosedClientError | CommClosedError):  # the scheduler went away
        return "与 Dask 集群的连接断了，这张图片没有识别：请确认调度器还在运行后重新运行。"
    if isinstance(exc, ImportError) or "No module named" in str(exc):
        return "集群里有机器没有安装 interceptor：请在每台机器上装同一版本的 interceptor 后重新运行。"
    return "在集群上识别这张图片失败：请重新运行；仍不行请去掉 --cluster 在本机检查它。"


class _ToDebugLog(logging.Handler):
    """A logging handler that hands records to loguru's debug level."""

    def emit(self, record: logging.LogRecord) -> None:
        with suppress(Exception):
            logger.opt(exception=record.exc_info).debug("dask: {}: {}", record.name, record.getMessage())


@contextmanager
def _dask_logs_to_debug() -> Iterator[None]:
    """Dask's and Tornado's own logs go to our debug log while a batch runs.

    Dask configures them onto the terminal, in English, with tracebacks (a scheduler that went
    away, a connection that closed); a person reads the rows and one sentence instead, and
    ``INTERCEPTOR_DEBUG=1`` still shows them.
    """
    forward = _ToDebugLog()
    saved: list[tuple[logging.Logger, list[logging.Handler]]] = []
    names = [name for name in logging.root.manager.loggerDict if name.split(".")[0] in ("distributed", "tornado")]
    for name in ("distributed", "tornado", *names):
        log = logging.getLogger(name)
        if log.handlers:
            saved.append((log, log.handlers[:]))
            log.handlers = [forward]
    try:
        yield
    finally:
        for log, handlers in saved:
            log.handlers = handlers


async def _probe(address: str, connection_args: dict[str, object], timeout: float) -> None:
    comm = await connect(address, timeout=timeout, **connection_args)  # type: ignore[no-untyped-call]
    await comm.close()


def _connect(address: str) -> Client:
    """A client of the scheduler at ``address``, or ClusterUnavailable saying why not."""
    check_address(address)
    unreachable = f"连不上 Dask 集群 {address}：请确认调度器已启动、地址和端口写对。"
    # The TLS certificates and policy of Dask's own settings (distributed.comm.tls …).
    args: dict[str, object] = Security().get_connection_args("client")  # type: ignore[no-untyped-call]
    if address.startswith("tls://") and args.get("ssl_context") is None:
        raise ClusterUnavailable(
            "tls:// 地址需要证书：请在 Dask 的设置里配好加密连接的证书和密钥（设置项 “distributed.comm.tls”），"
            f"或向集群管理员要连接 {address} 的设置。"
        )
    if address.startswith("tcp://") and args.get("require_encryption"):
        raise ClusterUnavailable(f"Dask 的设置要求加密连接：请把地址写成 {address.replace('tcp://', 'tls://', 1)}。")
    # A Client that fails in its constructor for any reason but a refused connection (another
    # service on that port answers garbage) is left half-open and prints a traceback when
    # Python exits; a bare connection, made in its own thread and loop, fails cleanly instead.
    try:
        with ThreadPoolExecutor(1) as pool:
            pool.submit(asyncio.run, _probe(address, args, CONNECT_TIMEOUT)).result()
    except Exception as exc:  # refused, timed out, name unknown, not a Dask scheduler …
        logger.debug("interceptor: cannot reach {}: {!r}", address, exc)
        raise ClusterUnavailable(unreachable) from None
    try:
        return Client(address, timeout=CONNECT_TIMEOUT, set_as_default=False)  # type: ignore[no-untyped-call]
    except Exception as exc:
        logger.debug("interceptor: cannot connect to {}: {!r}", address, exc)
        raise ClusterUnavailable(unreachable) from None


def installed_code() -> tuple[str, str]:
    """This machine's interceptor: its version and a digest of its modules and data files.

    The digest catches what the version number does not (a patched or development install):
    a worker with other reading code would give other rows than a local run, and readings
    the rules fingerprint of this machine does not accept.
    """
    from importlib import resources

    digest = hashlib.sha256()
    package = resources.files("interceptor")
    for item in sorted(package.iterdir(), key=lambda entry: entry.name):
        if item.is_file() and item.name.endswith((".py", ".json")):
            digest.update(item.name.encode("utf-8") + b"\0" + item.read_bytes())
    return installed_version(), digest.hexdigest()


def _check_workers(client: Client, address: str) -> int:
    """The cluster's worker threads, after making sure there are some and that they run the
    same interceptor as this machine (see :func:`installed_code`)."""
    try:
        client.wait_for_workers(1, timeout=CONNECT_TIMEOUT)
    except TimeoutError:
        raise ClusterUnavailable(
            f"Dask 集群 {address} 里还没有识别进程：请先在各机器上运行 "
            f"dask worker {address} --nworkers 核数 --nthreads 1。"
        ) from None
    ours = installed_code()
    try:
        theirs: dict[str, tuple[str, str]] = client.run(installed_code)
    except Exception as exc:  # a worker cannot even unpickle our function
        logger.debug("interceptor: version check failed: {!r}", exc)
        raise ClusterUnavailable(
            f"Dask 集群 {address} 里有机器没有安装 interceptor：请在每台识别机器上安装 interceptor {ours[0]}。"
        ) from None
    others = sorted(
        f"{worker}（{version}{'' if version != ours[0] else '，文件有改动'}）"
        for worker, (version, digest) in theirs.items()
        if (version, digest) != ours
    )
    if others:
        raise ClusterUnavailable(
            f"Dask 集群里这些识别进程的 interceptor 与本机（{ours[0]}）不同：{'、'.join(others)}。"
            "请在每台机器上装与本机相同的一份。"
        )
    nthreads: dict[str, int] = client.nthreads()  # type: ignore[no-untyped-call]
    return sum(nthreads.values())


def read_on_cluster(
    address: str,
    jobs: Sequence[tuple[int, str, Reading | None]],
    *,
    read: ReadBytes,
    factory: Callable[[], OcrEngine],
    rules: RuleSet,
    deliver: Callable[[int, Reading | None, str | None], None],
    send: bool = False,
) -> None:
    """Read ``jobs`` (index, file path, partial reading or None) on the cluster at ``address``
    and call ``deliver(index, reading, error)`` as each one finishes, in this thread.

    ``read`` is :func:`interceptor.shots.ocr_bytes`, run on the workers with the engine
    ``factory`` builds there. Raises :class:`ClusterUnavailable` before any picture is read when
    the cluster cannot be used; a KeyboardInterrupt (also from ``deliver``) cancels the rest
    and propagates.
    """
    with _dask_logs_to_debug():
        _read_on_cluster(address, jobs, read, factory, rules, deliver, send)


def _read_on_cluster(
    address: str,
    jobs: Sequence[tuple[int, str, Reading | None]],
    read: ReadBytes,
    factory: Callable[[], OcrEngine],
    rules: RuleSet,
    deliver: Callable[[int, Reading | None, str | None], None],
    send: bool,
) -> None:
    client = _connect(address)
    plugin_name = f"interceptor-shots-{uuid.uuid4().hex}"
    futures: dict[Future[Outcome], tuple[int, str, Reading | None]] = {}
    registered = False
    try:
        threads = _check_workers(client, address)
        try:
            # Named per batch: two help desks sharing a cluster do not swap engines or rules.
            client.register_plugin(_EnginePlugin(factory, rules, read), name=plugin_name)
            registered = True
        except EngineUnavailable as exc:
            raise ClusterUnavailable(f"集群里的识别进程加载不了文字识别引擎：{exc}") from None
        except Exception as exc:
            logger.debug("interceptor: worker plugin failed: {!r}", exc)
            raise ClusterUnavailable(
                "集群里的识别进程加载不了文字识别引擎：请在每台识别机器上运行 interceptor doctor 检查，并装同一版本的 interceptor。"
            ) from None
        in_flight = max(MIN_IN_FLIGHT, IN_FLIGHT_PER_THREAD * threads)
        pending = iter(jobs)
        again: list[tuple[int, str, Reading | None]] = []  # see the KilledWorker case below
        alone: set[int] = set()
        # Futures land here as they finish (done callbacks run in Dask's thread).
        ready: queue.SimpleQueue[Future[Outcome]] = queue.SimpleQueue()

        def submit(job: tuple[int, str, Reading | None]) -> None:
            i, path, partial = job
            source: str | bytes
            if send:
                try:
                    source = read_input(path)
                except UnreadableImage as exc:  # gone or swapped since it was listed
                    deliver(i, None, str(exc))
                    return
                name = f"#{i}"  # the workers need no file name, so they get none
            else:
                source = name = str(Path(path).absolute())
            try:
                with warnings.catch_warnings():
                    # A picture of more than 10 MB is a "large graph" to Dask; it is expected here.
                    warnings.filterwarnings("ignore", message="Sending large graph")
                    future = client.submit(
                        _read_on_worker,
                        plugin_name,
                        source,
                        name,
                        partial,
                        key=f"interceptor-shot-{i}-{uuid.uuid4().hex}",
                        retries=RETRIES,
                        pure=False,
                    )
            except Exception as exc:  # the client closed itself: the scheduler is gone
                deliver(i, None, _task_failure(exc))
                return
            futures[future] = job
            future.add_done_callback(ready.put)  # type: ignore[no-untyped-call]

        def top_up() -> None:
            while len(futures) < in_flight:
                job = next(pending, None)
                if job is None:
                    break
                submit(job)
            if not futures and again:
                job = again.pop(0)
                alone.add(job[0])
                submit(job)

        def settle(future: Future[Outcome], job: tuple[int, str, Reading | None]) -> None:
            try:
                outcome = future.result()
            except KilledWorker as exc:
                # The scheduler suspects every task that was waiting on a worker when it died,
                # so a picture that crashes workers takes its queue neighbours down with it:
                # each such file gets one more try at the end, alone on the cluster.
                if job[0] not in alone:
                    again.append(job)
                    return
                outcome = None, _task_failure(exc)
            except Exception as exc:  # a worker without interceptor, cancelled …
                outcome = None, _task_failure(exc)
            deliver(job[0], *outcome)

        top_up()
        while futures:
            # Not distributed.as_completed: when the scheduler goes away the client closes
            # itself, and a task submitted while it was trying to reconnect never finishes,
            # so as_completed would wait for ever. Each second without a result, whether the
            # client is still connected is looked at instead.
            try:
                future = ready.get(timeout=WAIT_STEP)
            except queue.Empty:
                future = None
            if future is not None:
                job = futures.pop(future, None)
                if job is not None:  # else delivered already, as lost
                    settle(future, job)
                del future  # the worker keeps the result until the last reference goes
                top_up()
            elif client.status in ("closing", "closed"):
                gone = _task_failure(ClosedClientError())
                left = sorted([*futures.values(), *again, *pending], key=lambda job: job[0])
                futures.clear()
                again.clear()
                for job in left:
                    deliver(job[0], None, gone)
    finally:
        _close(client, list(futures), plugin_name if registered else None)


def _close(client: Client, outstanding: list[Future[Outcome]], plugin_name: str | None) -> None:
    """Cancel what is left, unload the engines and disconnect; never raises (the batch's own
    outcome, or the KeyboardInterrupt, is what the caller needs to see)."""
    with suppress(Exception):
        if outstanding:
            client.cancel(outstanding)  # type: ignore[no-untyped-call]
    with suppress(Exception):
        if plugin_name is not None:
            client.unregister_worker_plugin(plugin_name)  # type: ignore[no-untyped-call]
    with suppress(Exception):
        client.close(timeout=CONNECT_TIMEOUT)  # type: ignore[no-untyped-call]


__all__ = ["CONNECT_TIMEOUT", "ClusterUnavailable", "check_address", "read_on_cluster"]
