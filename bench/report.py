"""The run's figures as one table, teleframe beside the floor, with the targets of issue 16."""

from __future__ import annotations

from typing import Any

from bench.stats import ratio, table

HEADERS = ("measure", "floor", "teleframe", "teleframe / floor", "target")


def _get(data: dict[str, Any], *path: str) -> Any:
    for key in path:
        if not isinstance(data, dict) or key not in data:
            return None
        data = data[key]
    return data


def _x(value: float | None) -> str | None:
    return None if value is None else f"{value:.2f}x"


def _worker_mb(memory: dict[str, Any] | None) -> float | None:
    values = [memory.get("main_mb"), memory.get("child_max_mb")] if memory else []
    known = [v for v in values if v is not None]
    return max(known) if known else None


def rows(out: dict[str, Any]) -> list[tuple[object, ...]]:
    floor_rps = _get(out, "floor", "http", "rps")
    tf_rps = _get(out, "teleframe", "http", "rps")
    floor_done = _get(out, "floor", "items_per_s")
    tf_done = _get(out, "teleframe", "items_per_s")
    result: list[tuple[object, ...]] = [
        ("HTTP requests/s answered (wrk, mixed check-ins)", floor_rps, tf_rps, _x(ratio(tf_rps, floor_rps)), ""),
        ("1-2. check-ins/s to drained / stored verdict", floor_done, tf_done, _x(ratio(tf_done, floor_done)), ">= 0.6x"),
    ]  # fmt: skip
    latency, waited = out.get("latency") or {}, out.get("latency_wait") or {}
    wide = out.get("latency_wait_16") or {}
    rate = latency.get("target_rate")
    result += [
        (f"3. submit to verdict p50 / p99 ms, Prefer: wait (at {waited.get('target_rate')}/s)", None,
         _pair(waited, "p50_ms", "p99_ms"), None, "< 20 / < 100 ms"),
        (f"3. the same, Prefer: wait, API 2 workers x 16 threads (at {wide.get('target_rate')}/s)", None,
         _pair(wide, "p50_ms", "p99_ms"), None, "< 20 / < 100 ms"),
        *(
            (f"3. the same, Prefer: wait, at {share} of (2) ({probe.get('target_rate', '-')}/s)", None,
             _pair(probe, "p50_ms", "p99_ms"), None, "")
            for share, probe in (
                ("a quarter", out.get("latency_wait_quarter") or {}),
                ("a tenth", out.get("latency_wait_tenth") or {}),
            )
        ),
        (f"3. submit to verdict p50 / p99 ms, polling (at {rate}/s)", None,
         _pair(latency, "p50_ms", "p99_ms"), None, ""),
        ("3. server side evaluated - submitted, p50 / p99 ms", None,
         _pair(latency, "server_p50_ms", "server_p99_ms"), None, ""),
    ]  # fmt: skip
    hooks = out.get("teleframe_hooks") or {}
    if "skipped" in hooks:
        result.append(
            ("4. hook ingest events/s (2xx)", "-", f"skipped: {hooks['skipped']}", None, ">= 0.6x")
        )
    else:
        floor_hooks = _get(out, "floor_hooks", "events_per_s_2xx")
        tf_hooks = hooks.get("events_per_s_2xx")
        result.append((
            "4. hook ingest events/s (2xx; floor = one insert)", floor_hooks, tf_hooks,
            _x(ratio(tf_hooks, floor_hooks)), ">= 0.6x",
        ))  # fmt: skip
    policy = out.get("policy_eval") or {}
    result.append((
        "5. policy evaluation us/check-in", None,
        policy.get("us_per_eval_median", f"skipped: {policy.get('skipped')}") if policy else None,
        None, "< 100 us",
    ))  # fmt: skip
    build = _get(out, "report_build", "by_events") or {}
    for size, row in build.items():
        result.append((f"6. report build ms, {int(size):,} events", None, row["build"]["median_ms"], None,
                       "< 50 ms" if int(size) == 10_000 else "linear"))  # fmt: skip
    if _get(out, "report_build", "skipped"):
        result.append(
            ("6. report build", None, f"skipped: {out['report_build']['skipped']}", None, "")
        )
    api_floor = _get(out, "floor_memory", "api", "child_max_mb")
    api_tf = _get(out, "teleframe_memory", "api", "child_max_mb")
    worker_floor = _worker_mb(_get(out, "floor_memory", "worker"))
    worker_tf = _worker_mb(_get(out, "teleframe_memory", "worker"))
    result += [
        ("7. peak RSS MB, gunicorn API worker", api_floor, api_tf, _x(ratio(api_tf, api_floor)), "< 120 MB"),
        ("7. peak RSS MB, Celery worker process", worker_floor, worker_tf, _x(ratio(worker_tf, worker_floor)), "< 150 MB"),
    ]  # fmt: skip
    return result + cpu_rows(out) + shapes(out, floor_done, tf_done)


CPU_PARTS = ("api", "worker", "postgres", "redis")


def _cpu(data: dict[str, Any] | None) -> str | None:
    """ "API / worker / PostgreSQL / Redis = total" CPU ms per item."""
    if not data or "api" not in data:
        return None
    parts = [float(data.get(part, 0.0)) for part in CPU_PARTS]
    return " / ".join(f"{part:.2f}" for part in parts) + f" = {sum(parts):.2f}"


def _cpu_total(data: dict[str, Any] | None) -> float | None:
    return sum(float(data.get(part, 0.0)) for part in CPU_PARTS) if data else None


def cpu_rows(out: dict[str, Any]) -> list[tuple[object, ...]]:
    """CPU ms per item, by part: steadier than throughput on a shared machine. The floor's
    ratio is total against total (the inverse of what the machine's CPU allows each)."""
    rows: list[tuple[object, ...]] = []
    for label, floor_key, tf_key in (
        ("check-in to stored verdict", "floor", "teleframe"),
        ("hook event to processed (floor: the insert only)", "floor_hooks", "teleframe_hooks"),
    ):
        floor_cpu = _get(out, floor_key, "cpu_ms_per_item")
        tf_cpu = _get(out, tf_key, "cpu_ms_per_item")
        if tf_cpu is None:
            continue
        rows.append((
            f"7b. CPU ms per {label}: API / worker / PostgreSQL / Redis = total",
            _cpu(floor_cpu), _cpu(tf_cpu), _x(ratio(_cpu_total(floor_cpu), _cpu_total(tf_cpu))), "",
        ))  # fmt: skip
    return rows


def _pair(data: dict[str, Any], first: str, second: str) -> str | None:
    return f"{data.get(first)} / {data.get(second)}" if data else None


def shapes(
    out: dict[str, Any], floor_done: float | None, tf_done: float | None
) -> list[tuple[object, ...]]:
    """8: does throughput grow with processes (1 + 1 against the 2 + 2 above)? 9: the
    embedded default (`teleframe serve`) beside the production shape."""
    small = _get(out, "scaling_1_1", "items_per_s")
    embedded = out.get("embedded") or {}
    done = embedded.get("items_per_s")
    waited = embedded.get("latency_wait") or {}
    if small is None and not embedded:
        return []
    return [
        ("8. check-ins/s to verdict, 1 API + 1 worker process", floor_done, small, _x(ratio(small, floor_done)), ""),
        ("8. 2 + 2 processes / 1 + 1 (check-ins/s to verdict)", None, _x(ratio(tf_done, small)), None, "> 1x"),
        ("9. embedded `teleframe serve`: check-ins/s to verdict", floor_done, done, _x(ratio(done, floor_done)), ""),
        (f"9. embedded: submit to verdict p50 / p99 ms, Prefer: wait (at {waited.get('target_rate')}/s)",
         None, _pair(waited, "p50_ms", "p99_ms"), None, ""),
    ]  # fmt: skip


def render(out: dict[str, Any]) -> str:
    head = (
        f"teleframe bench {out.get('started_at', '')[:19]}Z, {_get(out, 'machine', 'cpus')} CPUs "
        f"({_get(out, 'machine', 'cpu_model')}), Python {_get(out, 'machine', 'python')}\n"
        f"shape: {out.get('shape')}; load: {out.get('load')}\n"
        f"1-min load average before -> after the floor phase "
        f"{_get(out, 'floor', 'loadavg_1m_before_after')}, the teleframe phase "
        f"{_get(out, 'teleframe', 'loadavg_1m_before_after')} (2 would be this run alone)\n"
        "ratios: each row against the floor's check-ins/s or hook events/s of this same run\n"
    )
    return head + table(HEADERS, rows(out))
