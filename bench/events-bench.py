#!/usr/bin/python3
"""PyTango 9.3.6 side of bench/compare-events.sh, same measures and output fields as bench/events-bench.ts.
Usage: TANGO_HOST=127.0.0.1:10000 ORBclientTransportRule='* tcp' /usr/bin/python3 bench/events-bench.py throughput N
                                                                 /usr/bin/python3 bench/events-bench.py latency SECONDS [RATE]
throughput: PushBurst(N) change events of pyref/test/1 temperature; received/s over the receive span (first to last
  event), lost = N - received, lost_reported = sum of the gaps cppTango reported (API_MissedEvents error events).
latency: the events of bench/events-driver.py (SetTemperature at RATE Hz, another process); latency = callback
  time - attribute time stamp (both CLOCK_REALTIME on this host); p99 also for the first 2 s of pushes and the rest."""
import json
import os
import resource
import subprocess
import sys
import threading
import time

import tango

MODE = sys.argv[1] if len(sys.argv) > 1 else "throughput"
HERE = os.path.dirname(os.path.abspath(__file__))
p = tango.DeviceProxy("pyref/test/1")
lock = threading.Lock()
COLD_S = 2  # latency p99 is also given for the first 2 s of pushes and for the rest, as in events-bench.ts


def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def throughput(n):
    times = []
    st = {"missed_events": 0, "errors": 0, "marker": False, "cpu0": 0.0, "cpu1": 0.0, "cpu_n": 0}

    def cb(ev):
        if ev.err:
            st["errors"] += 1
            if ev.errors and ev.errors[0].reason == "API_MissedEvents":
                st["missed_events"] += 1
            return
        v = ev.attr_value.value
        if v == -1.0:
            st["marker"] = True
            return
        if not times:
            st["cpu0"] = cpu()
        times.append(time.perf_counter())
        if len(times) % 256 == 0:
            st["cpu1"] = cpu()
            st["cpu_n"] = len(times)

    eid = p.subscribe_event("temperature", tango.EventType.CHANGE_EVENT, cb)
    time.sleep(0.3)
    p.command_inout("SetTemperature", 0.0)  # counter baseline
    time.sleep(0.2)
    del times[:]
    t0 = time.perf_counter()
    p.command_inout("PushBurst", n)
    while not p.command_inout("BurstDone"):
        time.sleep(0.02)
    push_s = time.perf_counter() - t0
    time.sleep(0.2)
    p.command_inout("SetTemperature", -1.0)  # its counter reveals losses at the end of the burst
    for _ in range(100):
        if st["marker"]:
            break
        time.sleep(0.05)
    p.unsubscribe_event(eid)
    got = len(times)
    span = times[-1] - times[0] if got > 1 else 0.0
    return {"pushed": n, "received": got, "lost": n - got,
            # cppTango reports a gap as one error event without its size: the count of such events is given
            "lost_reported_by_counters": None, "missed_event_errors": st["missed_events"],
            "push_duration_s": round(push_s, 3), "server_push_rate_per_s": round(n / push_s),
            "receive_span_s": round(span, 3),
            "received_per_s": round((got - 1) / span) if span > 0 else None,
            "cpu_us_per_event": round((st["cpu1"] - st["cpu0"]) * 1e6 / st["cpu_n"], 2) if st["cpu_n"] else None}


def latency(seconds, rate):
    lat = []
    cold_n = COLD_S * rate
    st = {"errors": 0}

    def cb(ev):
        now = time.time()
        if ev.err:
            st["errors"] += 1
            return
        v = ev.attr_value.value
        if v < 1:
            return  # the driver's set-up push
        t = ev.attr_value.time
        lat.append((v <= cold_n, (now - (t.tv_sec + t.tv_usec * 1e-6)) * 1e6))

    eid = p.subscribe_event("temperature", tango.EventType.CHANGE_EVENT, cb)
    time.sleep(0.5)
    del lat[:]
    env = dict(os.environ, ORBclientTransportRule="* tcp")
    out = subprocess.run(["/usr/bin/python3", os.path.join(HERE, "events-driver.py"), str(rate), str(seconds)],
                         env=env, check=True, capture_output=True, text=True).stdout
    drv = json.loads(out)
    time.sleep(0.3)
    p.unsubscribe_event(eid)

    def q(xs, x):
        xs = sorted(xs)
        return round(xs[min(len(xs) - 1, int(x * (len(xs) - 1)))]) if xs else None

    every = [l for _, l in lat]
    return {"sent": drv["sent"], "rate_per_s": drv["rate_per_s"], "received": len(lat), "errors": st["errors"],
            "lat_median_us": q(every, 0.5), "lat_p99_us": q(every, 0.99), "lat_p999_us": q(every, 0.999),
            "lat_max_us": q(every, 1.0),
            "lat_p99_first_2s_us": q([l for c, l in lat if c], 0.99),
            "lat_p99_after_2s_us": q([l for c, l in lat if not c], 0.99)}


if MODE == "throughput":
    res = throughput(int(sys.argv[2]) if len(sys.argv) > 2 else 20000)
else:
    res = latency(float(sys.argv[2]) if len(sys.argv) > 2 else 3.0, float(sys.argv[3]) if len(sys.argv) > 3 else 1000.0)
print(json.dumps({"client": "PyTango " + tango.__version__, MODE: res}))
