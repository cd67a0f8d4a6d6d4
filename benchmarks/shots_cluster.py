"""Pictures per second of ``check_shots`` on a Dask cluster: 1 and 2 workers, against local processes.

Each run is one :func:`interceptor.shots.check_shots` call over the same pictures with the cache
off, timed from the call to its return, so it includes what a person waits for: connecting,
loading the engine on every worker (the worker plugin) and sending back the readings. The
clusters are :class:`distributed.LocalCluster` on this machine (worker processes, one thread
each, the engine with one thread per worker, as ``dask worker --nworkers N --nthreads 1``
gives), so the figures show the cost of going through Dask, not the gain of more machines;
the local run with 2 processes (``--workers 2``, one engine thread each) is the reference.

    python benchmarks/shots_cluster.py [--limit N] [--engine openvino|onnxruntime] [--send] [FOLDER]

FOLDER defaults to ``fixtures/shots/images``; ``--limit N`` takes the first N pictures by name.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.append(str(REPO))

from loguru import logger  # noqa: E402

from interceptor import load_rules  # noqa: E402
from interceptor.ocr import BACKENDS, pick_backend  # noqa: E402
from interceptor.shots import BatchResult, check_shots, collect_files  # noqa: E402


def timed(run: str, files: list[Path], **options: Any) -> tuple[str, float, BatchResult]:
    start = time.perf_counter()
    batch = check_shots(files, **options)
    return run, time.perf_counter() - start, batch


def main(argv: list[str] | None = None) -> int:
    from distributed import LocalCluster

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", nargs="?", default=str(REPO / "fixtures" / "shots" / "images"))
    parser.add_argument("--limit", type=int, help="only the first N pictures")
    parser.add_argument("--engine", choices=BACKENDS, help="default: as interceptor shots")
    parser.add_argument("--send", action="store_true", help="send the pictures' bytes instead of their paths")
    args = parser.parse_args(argv)
    # The library logs Dask's own chatter at debug level; a benchmark prints only its table.
    logger.remove()
    logger.add(sys.stderr, level="WARNING")

    files = collect_files([args.folder])[: args.limit]
    rules = load_rules()
    backend = pick_backend(args.engine)
    common: dict[str, Any] = {"rules": rules, "engine": backend, "cache_dir": None}
    runs = [timed("local, 2 processes", files, workers=2, **common)]
    for workers in (1, 2):
        with LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as cluster:
            runs.append(
                timed(
                    f"Dask, {workers} worker{'s' if workers > 1 else ''}",
                    files,
                    cluster=cluster.scheduler_address,
                    send=args.send,
                    **common,
                )
            )

    reference = [r.to_dict() for r in runs[0][2].results]
    print(f"{len(files)} pictures, engine {backend}, {'--send' if args.send else 'shared path'}, cache off")
    print(f"| {'run':<20} | {'seconds':>8} | {'pictures/s':>10} | same rows as local |")
    print(f"|{'-' * 22}|{'-' * 9}:|{'-' * 11}:|{'-' * 20}|")
    for name, seconds, batch in runs:
        same = "yes" if [r.to_dict() for r in batch.results] == reference else "NO"
        print(f"| {name:<20} | {seconds:>8.1f} | {len(files) / seconds:>10.2f} | {same:<18} |")
    return 0


if __name__ == "__main__":  # the workers are spawned processes that import this file again
    sys.exit(main())
