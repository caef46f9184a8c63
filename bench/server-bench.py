#!/usr/bin/python3
"""PyTango client loop of bench/server-bench.sh: read_attribute(<attr>) on <device> for <seconds> (after 200 warm-up
reads), one call at a time, like tango-reference/tools/bench.py. Prints one JSON object."""
import json
import statistics
import sys
import time

import tango

name, attr, dur = sys.argv[1], sys.argv[2], float(sys.argv[3])
d = tango.DeviceProxy(name)
for _ in range(200):
    d.read_attribute(attr)
lat = []
pc = time.perf_counter
t_end = pc() + dur
t0 = pc()
while True:
    a = pc()
    d.read_attribute(attr)
    b = pc()
    lat.append(b - a)
    if b >= t_end:
        break
total = pc() - t0
lat.sort()
print(json.dumps({"device": name, "calls": len(lat), "per_s": round(len(lat) / total, 1),
                  "lat_median_us": round(statistics.median(lat) * 1e6, 1),
                  "lat_p99_us": round(lat[int(0.99 * (len(lat) - 1))] * 1e6, 1)}))
