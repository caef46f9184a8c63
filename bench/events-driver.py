#!/usr/bin/python3
"""Drives push-to-delivery latency benches: SetTemperature(i) on pyref/test/1 at RATE Hz for SECONDS (absolute
schedule, so both clients see the same push pattern), then prints {"sent": n, "rate_per_s": r} on stdout.
Usage: TANGO_HOST=127.0.0.1:10000 ORBclientTransportRule='* tcp' /usr/bin/python3 bench/events-driver.py RATE SECONDS"""
import json
import sys
import time

import tango

RATE = float(sys.argv[1]) if len(sys.argv) > 1 else 1000.0
SECONDS = float(sys.argv[2]) if len(sys.argv) > 2 else 3.0
p = tango.DeviceProxy("pyref/test/1")
p.command_inout("SetTemperature", 0.0)  # connection set-up outside the measured window
pc = time.perf_counter
period = 1.0 / RATE
t0 = pc()
n = 0
while True:
    nxt = t0 + n * period
    now = pc()
    if nxt - now > 0:
        time.sleep(nxt - now)
    if pc() - t0 >= SECONDS:
        break
    n += 1
    p.command_inout("SetTemperature", float(n))
print(json.dumps({"sent": n, "rate_per_s": round(n / (pc() - t0), 1)}))
