"""`python -m bench`: teleframe beside the framework floor, in one run on this machine.

Starts its own PostgreSQL database and Redis queues, gunicorn and Celery on loopback (the same
shape for the floor and for teleframe), drives them with wrk, stops everything it started, prints
a table and writes bench/results/<timestamp>.json. See README, "Benchmarks".
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import redis

from bench import cpu, hooks, load, micro, report, shapes, stack, workload
from bench.options import machine, parse_args, stop_on_sigterm
from teleframe import tasks


class Run:
    """One run: the scratch services, the processes, and the figures gathered so far."""

    def __init__(
        self, args: argparse.Namespace, workdir: Path, db_url: str, keys: list[str]
    ) -> None:
        self.args = args
        self.workdir = workdir
        self.db_url = db_url
        self.redis = redis.Redis.from_url(stack.REDIS_URL)
        self.tag = uuid.uuid4().hex[:8]
        self.keys = keys
        self.shape = stack.Shape()
        self.wrk = load.WrkOptions(args.duration, args.threads, args.connections)
        self.procs = stack.Processes(workdir)
        self.results: dict[str, Any] = {}

    def queue(self, name: str) -> str:
        queue = f"teleframe-bench-{self.tag}-{name}"
        self.keys.extend(tasks.queues(queue))  # and each kind's queue, removed after the run
        return queue

    def prepare(self) -> None:
        from config.settings import Settings
        from teleframe import migrations
        from teleframe.db import crypto

        migrations.upgrade(self.db_url)
        from bench import floor_app

        floor_app.create_hook_table(self.db_url)
        self.settings = Settings(
            data_dir=self.workdir / "data",
            database_url=self.db_url,
            broker_url=stack.REDIS_URL,
            secret_key="bench-" + uuid.uuid4().hex,
            encryption_keys=(crypto.new_key("b1"),),
            queue=self.queue("teleframe"),
        )
        began = time.monotonic()
        from teleframe import create_app

        self.fixture = workload.populate(create_app(self.settings), sessions=self.args.sessions)
        print(
            f"  set up {len(self.fixture.session_ids)} sessions in {time.monotonic() - began:.1f}s"
        )
        self.checkin_lua = workload.write_lua(
            self.workdir / "checkins.lua",
            workload.checkin_requests(self.fixture),
            {"Content-Type": "application/json", "Authorization": f"Bearer {self.fixture.key}"},
        )

    def teleframe_env(self) -> dict[str, str]:
        s = self.settings
        return {
            "TELEFRAME_DATA_DIR": str(s.data_dir),
            "TELEFRAME_DATABASE_URL": s.database_url,
            "TELEFRAME_BROKER_URL": s.broker_url,
            "TELEFRAME_SECRET_KEY": s.secret_key,
            "TELEFRAME_ENCRYPTION_KEYS": ",".join(s.encryption_keys),
            "TELEFRAME_QUEUE": s.queue,
            "TELEFRAME_PUBLIC_URL": "http://127.0.0.1",
        }

    def floor(self) -> None:
        counter = f"teleframe-bench-{self.tag}-floor-drained"
        self.keys.append(counter)
        queue = self.queue("floor")
        env = {
            "BENCH_FLOOR_BROKER": stack.REDIS_URL,
            "BENCH_FLOOR_QUEUE": queue,
            "BENCH_FLOOR_COUNTER": counter,
            "BENCH_FLOOR_DATABASE_URL": self.db_url,
        }
        port = stack.free_port()
        print("floor: starting gunicorn and the no-op worker")
        api = stack.gunicorn(
            self.procs, "floor-api", "bench.floor_app:create_app()", port, self.shape, env
        )
        worker = stack.celery_worker(
            self.procs,
            "floor-worker",
            "bench.floor_worker",
            queue,
            stack.REDIS_URL,
            self.shape,
            env,
        )
        print(f"floor: {self.wrk.describe()} POST check-ins, then drain")
        parts = {"api": api, "worker": worker}
        with cpu.spent(parts) as per:
            result = load.to_drained(
                f"http://127.0.0.1:{port}",
                self.checkin_lua,
                self.wrk,
                lambda: int(self.redis.get(counter) or 0),
                lambda http: int(http["n2xx"]),
                self.args.drain_timeout,
            )
        result["cpu_ms_per_item"] = per(result["drained"])
        self.results["floor"] = result
        self._report_line("floor", result)
        if self.fixture.integration:
            self.results["floor_hooks"] = self.hook_load(
                port, {"id": "floor", "secret": "floor"}, "/hooks-floor/", parts, False
            )
        self.results["floor_memory"] = {"api": stack.memory(api), "worker": stack.memory(worker)}
        self.procs.stop_all()

    def teleframe(self) -> None:
        env = self.teleframe_env()
        port = stack.free_port()
        print("teleframe: starting gunicorn and the Celery worker")
        api = stack.gunicorn(
            self.procs, "teleframe-api", "teleframe:create_app()", port, self.shape, env
        )
        worker = stack.celery_worker(
            self.procs,
            "teleframe-worker",
            "workers.app",
            ",".join(tasks.queues(self.settings.queue)),  # every kind of work, as serve does
            stack.REDIS_URL,
            self.shape,
            env,
        )
        parts = {"api": api, "worker": worker}
        with shapes.evaluations_counter(self.db_url) as evaluations, cpu.spent(parts) as per:
            print(f"teleframe: {self.wrk.describe()} POST check-ins, then drain to stored verdicts")
            result = load.to_drained(
                f"http://127.0.0.1:{port}",
                self.checkin_lua,
                self.wrk,
                evaluations,
                lambda http: int(http["n2xx"]),
                self.args.drain_timeout,
            )
        result["cpu_ms_per_item"] = per(result["drained"])
        self.results["teleframe"] = result
        self._report_line("teleframe", result)
        self.results["latency"] = self.latency(port, result["items_per_s"] / 2, "poll")
        self.results["latency_wait"] = self.latency(port, result["items_per_s"] / 2, "wait")
        # where the knee is: the same probe at a quarter and a tenth of that throughput
        for name, share in (("latency_wait_quarter", 4), ("latency_wait_tenth", 10)):
            self.results[name] = self.latency(port, result["items_per_s"] / share, "wait")
        self.results["latency_wait_16"] = self.wide_wait(env, result["items_per_s"] / 2)
        if self.fixture.integration:
            self.results["teleframe_hooks"] = self.hook_load(
                port, self.fixture.integration, "/hooks/zoom/", parts
            )
        else:
            self.results["teleframe_hooks"] = {"skipped": self.fixture.hooks_skipped}
            print(f"teleframe: hook ingest skipped: {self.fixture.hooks_skipped}")
        shapes.wait_processed(self.db_url, self.args.drain_timeout)  # no backlog for the next row
        self.results["teleframe_memory"] = {
            "api": stack.memory(api),
            "worker": stack.memory(worker),
        }
        self.procs.stop_all()

    def wide_wait(self, env: dict[str, str], rate: float) -> dict[str, Any]:
        """`Prefer: wait` against an API with 16 threads per worker, before the hook load."""
        wide, port = stack.Shape(gunicorn_threads=16), stack.free_port()
        env = {**env, "TELEFRAME_VERDICT_WAITERS": "8"}  # half the threads, as by default
        api = stack.gunicorn(self.procs, "wide-api", "teleframe:create_app()", port, wide, env)
        try:
            return self.latency(port, rate, "wait", "API 2 x 16 threads")
        finally:
            self.procs.stop(api)

    def latency(self, port: int, rate: float, mode: str, api: str = "") -> dict[str, Any]:
        how = ("one GET with Prefer: wait" if mode == "wait" else "polling") + (api and f", {api}")
        print(
            f"teleframe: paced check-ins at {rate:.0f}/s for {self.args.latency_duration:g}s, {how}"
        )
        return shapes.probe(
            self.workdir, f"latency-{mode}", port, self.fixture, rate, **self.probe_config(mode)
        )

    def probe_config(self, mode: str) -> dict[str, Any]:
        return {"duration": self.args.latency_duration, "poll_ms": self.args.poll_ms, "mode": mode}

    def scaling(self) -> None:
        """1 API process + 1 worker process, against the 2 + 2 of the teleframe row."""
        env, port = self.teleframe_env(), stack.free_port()
        small = stack.Shape(gunicorn_workers=1, celery_concurrency=1)
        print("scaling: 1 gunicorn worker (4 threads) + 1 Celery process")
        stack.gunicorn(self.procs, "small-api", "teleframe:create_app()", port, small, env)
        queues = ",".join(tasks.queues(self.settings.queue))
        stack.celery_worker(
            self.procs, "small-worker", "workers.app", queues, stack.REDIS_URL, small, env
        )
        with shapes.evaluations_counter(self.db_url) as evaluations:
            result = load.to_drained(
                f"http://127.0.0.1:{port}", self.checkin_lua, self.wrk, evaluations,
                lambda http: int(http["n2xx"]), self.args.drain_timeout,
            )  # fmt: skip
        self.results["scaling_1_1"] = result
        self._report_line("1 + 1", result)
        self.procs.stop_all()

    def embedded(self) -> None:
        self.results["embedded"] = shapes.embedded(
            self.procs, self.workdir, self.wrk, self.args.sessions,
            self.probe_config("wait"), self.args.drain_timeout,
        )  # fmt: skip

    def hook_load(
        self,
        port: int,
        integration: dict[str, str],
        prefix: str,
        parts: dict[str, stack.Started],
        worker_drains: bool = True,
    ) -> dict[str, Any]:
        """wrk's 2xx/s; CPU per event counts the API during the load and the worker until it
        has processed what was stored (none for the floor's bare insert)."""
        requests, headers = hooks.zoom_requests(integration, self.fixture.room_ids, 4000, prefix)
        script = workload.write_lua(
            self.workdir / f"hooks-{integration['id']}.lua", requests, headers
        )
        print(f"hooks: {self.wrk.describe()} signed Zoom events to {prefix}...")
        with cpu.spent(parts) as per:
            result = load.run_wrk(f"http://127.0.0.1:{port}", script, self.wrk)
            if worker_drains:
                shapes.wait_processed(self.db_url, self.args.drain_timeout)
        result["cpu_ms_per_item"] = per(int(result["n2xx"]))
        result["events_per_s_2xx"] = round(result["n2xx"] / (result["duration_us"] / 1e6), 1)
        print(
            f"  {result['events_per_s_2xx']} events/s answered 2xx ({result['requests']} requests)"
        )
        return result

    @staticmethod
    def _report_line(name: str, result: dict[str, Any]) -> None:
        http = result["http"]
        print(
            f"  {name}: {http['rps']} req/s over HTTP ({http['n2xx']} 2xx, {http['n422']} 422, "
            f"{http['n5xx']} 5xx, {http['errors']} socket errors); {result['items_per_s']} items/s "
            f"to drained in {result['seconds_to_drained']}s; load average "
            f"{result['loadavg_1m_before_after'][0]} -> {result['loadavg_1m_before_after'][1]}"
            + (
                ""
                if result["complete"]
                else f" (NOT drained: {result['drained']}/{result['work_items']})"
            )
        )


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if load.wrk_path() is None:
        print(load.WRK_MISSING, file=sys.stderr)
        return 2
    stop_on_sigterm()
    started = datetime.now(UTC)
    output: dict[str, Any] = {"started_at": started.isoformat(), "machine": machine()}
    if not args.skip_micro:
        print("micro: policy evaluation and report build (in process)")
        output["policy_eval"] = micro.policy_eval()
        output["report_build"] = micro.report_build()
    with (
        tempfile.TemporaryDirectory(prefix="teleframe-bench-") as tmp,
        stack.redis_keys() as keys,
        stack.scratch_database() as db_url,
    ):
        run = Run(args, Path(tmp), db_url, keys)
        output["shape"] = run.shape.describe()
        output["load"] = run.wrk.describe()
        try:
            run.prepare()
            run.floor()
            run.teleframe()
            if not args.skip_shapes:
                run.scaling()
                run.embedded()
        except BaseException:
            for item in run.procs.started:
                print(f"--- {item.name} log tail ---\n{item.tail(1500)}", file=sys.stderr)
            raise
        finally:
            run.procs.stop_all()
            run.redis.close()
        output.update(run.results)
    output["finished_at"] = datetime.now(UTC).isoformat()
    print()
    print(report.render(output))
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"{started.strftime('%Y%m%dT%H%M%SZ')}.json"
    path.write_text(json.dumps(output, indent=2, default=str))
    print(f"\nwrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
