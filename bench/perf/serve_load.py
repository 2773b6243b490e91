"""Load test of `digitcli serve`: many single-image requests of phone-photo JPEGs, on 127.0.0.1.

Starts `digitcli serve --workers W` on a free port of 127.0.0.1, sends REQUESTS requests (each
one JPEG as a raw body) from CONCURRENCY keep-alive clients, and reports requests/s, latency
percentiles, errors, and the server's memory (all its processes) at the 1,000th and the last
request. The baseline is what a job pays without a server: one `digitcli predict` per image.
Bounded: at most --requests requests and --max-seconds seconds.

    python bench/perf/serve_load.py                       # 10,000 requests, 32 clients, 2 workers
    python bench/perf/serve_load.py --requests 2000 --baseline 0
    python bench/perf/serve_load.py --before ../before --rounds 3 --requests 3000

--before CHECKOUT compares two checkouts on the same machine: each round serves the same
requests from that checkout's server, then from this one's (each with its own bundled model),
so that a busy machine slows both alike; it prints each round and the medians.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import numpy as np

REPO = Path(__file__).resolve().parents[2]
sys.path[:0] = [
    str(Path(__file__).resolve().parents[1] / kind) for kind in (".", "build", "checks", "perf")
]
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests"))
sys.path.insert(0, str(REPO / "tests" / "generators"))

from predict_scaling import tree_rss_bytes  # noqa: E402

from make_photos import load_mnist, make_photo_set  # noqa: E402
from serving import running_server  # noqa: E402


def phone_photos(folder: Path, count: int) -> list[bytes]:
    """`count` phone-photo JPEGs (300-1500 px, dark ink on lit paper) of MNIST test digits."""
    x, y = load_mnist("t10k")
    made = make_photo_set(x[: count * 4], y[: count * 4], folder, count * 4, seed=3)
    jpegs = [path for path, _ in made if "paper_jpeg" in path.name][:count]
    return [path.read_bytes() for path in jpegs]


async def load(
    port: int, bodies: list[bytes], requests: int, concurrency: int, pid: int, max_seconds: float
) -> dict:
    """Raw HTTP/1.1 keep-alive clients: light enough not to be what is measured."""
    latencies: list[float] = []
    errors = 0
    memory: dict[int, int] = {}
    counter = iter(range(requests))
    deadline = time.perf_counter() + max_seconds

    async def client() -> None:
        nonlocal errors
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        for index in counter:
            if time.perf_counter() > deadline:
                break
            body = bodies[index % len(bodies)]
            head = (
                f"POST /v1/predict HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: image/jpeg\r\n"
                f"Content-Length: {len(body)}\r\n\r\n"
            ).encode()
            start = time.perf_counter()
            writer.write(head + body)
            status = (await reader.readline()).split(b" ")[1]
            length = 0
            while (line := await reader.readline()) != b"\r\n":
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            answer = await reader.readexactly(length)
            latencies.append(time.perf_counter() - start)
            if status != b"200" or b'"digit"' not in answer:
                errors += 1
            if index + 1 in (1000, requests):
                memory[index + 1] = tree_rss_bytes(pid)
        writer.close()

    start, cpu, own = time.perf_counter(), tree_cpu_seconds(pid), own_cpu_seconds()
    await asyncio.gather(*(client() for _ in range(concurrency)))
    elapsed = time.perf_counter() - start
    return {
        "server_cpu": tree_cpu_seconds(pid) - cpu,
        "client_cpu": own_cpu_seconds() - own,
        "done": len(latencies),
        "seconds": elapsed,
        "errors": errors,
        "latencies": np.array(latencies),
        "memory": memory,
    }


def own_cpu_seconds() -> float:
    """CPU seconds (user and system) this process, the clients, has used so far: on the same
    cores as the server, what the load generator itself takes from it."""
    used = resource.getrusage(resource.RUSAGE_SELF)
    return used.ru_utime + used.ru_stime


def tree_cpu_seconds(pid: int) -> float:
    """CPU seconds (user and system) used so far by `pid` and its descendants (Linux /proc)."""
    ticks, pending = 0, [pid]
    while pending:
        current = pending.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue  # it ended between two reads
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
        pending += [int(child) for child in children]
    return ticks / os.sysconf("SC_CLK_TCK")


def predict_loop(folder: Path, bodies: list[bytes], count: int) -> float:
    """Images/s of one `digitcli predict` process per image (start-up included)."""
    paths = []
    for i, body in enumerate(bodies[:count]):
        paths.append(folder / f"one-{i}.jpg")
        paths[-1].write_bytes(body)
    start = time.perf_counter()
    for path in paths:
        subprocess.run(
            [sys.executable, "-m", "digitcli", "predict", str(path)],
            check=True,
            capture_output=True,
        )
    return len(paths) / (time.perf_counter() - start)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--photos", type=int, default=100, help="distinct JPEGs, cycled")
    parser.add_argument("--baseline", type=int, default=20, help="images for the predict loop")
    parser.add_argument("--max-seconds", type=float, default=300)
    parser.add_argument("--model", default=None, help="default: the bundled model")
    parser.add_argument("--before", type=Path, help="a checkout to compare, round by round")
    parser.add_argument("--after", type=Path, default=REPO, help="compared with --before")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of --before's comparison")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        bodies = phone_photos(folder / "photos", args.photos)
        sizes = [len(b) for b in bodies]
        print(f"{len(bodies)} phone-photo JPEGs, {min(sizes) // 1024}-{max(sizes) // 1024} KiB")
        if args.before is not None:
            compare(folder, bodies, args)
            return 0
        result = serve_and_load(folder, bodies, args, env=None)
        loop_rate = predict_loop(folder, bodies, args.baseline) if args.baseline else None
    report(result, loop_rate, args)
    return 0


def serve_and_load(
    folder: Path, bodies: list[bytes], args: argparse.Namespace, env: dict | None
) -> dict:
    """One server (`env`: whose digitcli it runs; None: this checkout's) under the load."""
    serve_args = [*([args.model] if args.model else []), "--workers", str(args.workers)]
    with running_server(*serve_args, log=folder / "serve.log", env=env) as server:
        httpx.post(server.url + "/v1/predict", content=bodies[0]).raise_for_status()  # warm
        result = asyncio.run(
            load(
                server.port,
                bodies,
                args.requests,
                args.concurrency,
                server.process.pid,
                args.max_seconds,
            )
        )
        # Stopped as a user stops it: a checkout whose workers outlive a killed server
        # would leave them to take the next round's cores.
        server.process.send_signal(signal.SIGTERM)
        server.process.wait(timeout=60)
        return result


def compare(folder: Path, bodies: list[bytes], args: argparse.Namespace) -> None:
    """--before: rounds of the same load on each checkout's server in turn, and the medians."""
    trees = {"before": args.before.resolve(), "after": args.after.resolve()}
    os.chdir(folder)  # `python -m digitcli` would import the current folder's digitcli first
    figures: dict[str, list[tuple[float, ...]]] = {name: [] for name in trees}
    for round_ in range(args.rounds):
        for name, tree in trees.items():
            env = dict(os.environ, PYTHONPATH=str(tree))
            result = serve_and_load(folder, bodies, args, env)
            rate = result["done"] / result["seconds"]
            p50, p99 = np.percentile(result["latencies"], [50, 99]) * 1000
            cpu = result["server_cpu"] * 1000 / result["done"]
            client = result["client_cpu"] * 1000 / result["done"]
            figures[name].append((rate, p50, p99, cpu, client))
            print(f"round {round_ + 1} {name}: {rate:.0f} requests/s, p50 {p50:.1f} ms, "
                  f"p99 {p99:.1f} ms, server CPU {cpu:.2f} ms a request, client CPU "
                  f"{client:.2f} ms, {result['errors']} errors", flush=True)  # fmt: skip
    medians = {name: [statistics.median(f[i] for f in rows) for i in range(5)]
               for name, rows in figures.items()}  # fmt: skip
    for name, (rate, p50, p99, cpu, client) in medians.items():
        print(f"{name}: {rate:.0f} requests/s, p50 {p50:.1f} ms, p99 {p99:.1f} ms, server "
              f"CPU {cpu:.2f} ms a request, client CPU {client:.2f} ms (medians)")  # fmt: skip
    after, before = medians["after"], medians["before"]
    print(
        f"after/before throughput: {after[0] / before[0]:.2f}x, "
        f"server CPU a request before/after: {before[3] / after[3]:.2f}x"
    )


def report(result: dict, loop_rate: float | None, args: argparse.Namespace) -> None:
    rate = result["done"] / result["seconds"]
    p50, p99 = np.percentile(result["latencies"], [50, 99]) * 1000
    memory = result["memory"]
    growth = (
        (memory[max(memory)] / memory[1000] - 1)
        if 1000 in memory and len(memory) > 1
        else float("nan")
    )
    rows = [
        ("requests answered", f"{result['done']:,} in {result['seconds']:.1f} s", ""),
        ("throughput", f"{rate:.0f} requests/s", ">= 300"),
        ("latency p50 / p99", f"{p50:.1f} / {p99:.1f} ms", "p99 <= 100 ms"),
        ("server CPU a request", f"{result['server_cpu'] * 1000 / result['done']:.2f} ms", ""),
        ("client CPU a request", f"{result['client_cpu'] * 1000 / result['done']:.2f} ms", ""),
        ("errors", f"{result['errors']}", "0"),
        (
            "server memory, 1,000th -> last request",
            " -> ".join(f"{m / 2**20:.0f} MiB" for _, m in sorted(memory.items()))
            + f" ({growth:+.1%})",
            "<= +10%",
        ),
    ]
    if loop_rate is not None:
        rows.append(
            (
                "one `digitcli predict` per image",
                f"{loop_rate:.1f} images/s",
                f"server: {rate / loop_rate:.0f}x",
            )
        )
    print(
        f"\n`digitcli serve --workers {args.workers}`, {args.concurrency} clients, "
        f"{os.cpu_count()} cores\n"
    )
    print("| measure | result | target |\n|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    sys.exit(main())
