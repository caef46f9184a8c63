"""The timing loop shared by the Python bench clients (db-bench.py, server-bench.py, raw-client.py): the same loop as
tango-reference/tools/bench.py — 200 warm-up calls, then one call at a time for `seconds`, latency per call."""
import json
import statistics
import time


def measure(fn, seconds, warmup=200):
    """Runs fn() after `warmup` calls until `seconds` have passed; returns calls, calls/s, median and p99 latency."""
    for _ in range(warmup):
        fn()
    lat = []
    pc = time.perf_counter
    t0 = pc()
    t_end = t0 + seconds
    while True:
        a = pc()
        fn()
        b = pc()
        lat.append(b - a)
        if b >= t_end:
            break
    total = pc() - t0
    lat.sort()
    return {"calls": len(lat), "per_s": round(len(lat) / total, 1),
            "lat_median_us": round(statistics.median(lat) * 1e6, 1),
            "lat_p99_us": round(lat[int(0.99 * (len(lat) - 1))] * 1e6, 1)}


def report(fields):
    print(json.dumps(fields))
