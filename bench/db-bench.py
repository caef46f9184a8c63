#!/usr/bin/python3
"""DbImportDevice calls/s through PyTango's Database client (same third-party client for every database).
Usage: TANGO_HOST=h:p ORBclientTransportRule='* tcp' /usr/bin/python3 bench/db-bench.py [seconds] [device]
Prints one JSON object."""
import json
import statistics
import sys
import time

import tango

DUR = float(sys.argv[1]) if len(sys.argv) > 1 else 3.0
DEV = sys.argv[2] if len(sys.argv) > 2 else "sys/database/2"
db = tango.Database()
for _ in range(200):
    db.command_inout("DbImportDevice", DEV)
lat = []
pc = time.perf_counter
t0 = pc()
t_end = t0 + DUR
while True:
    a = pc()
    db.command_inout("DbImportDevice", DEV)
    b = pc()
    lat.append(b - a)
    if b >= t_end:
        break
total = pc() - t0
lat.sort()
print(json.dumps({"calls": len(lat), "per_s": round(len(lat) / total, 1),
                  "lat_median_us": round(statistics.median(lat) * 1e6, 1),
                  "lat_p99_us": round(lat[int(0.99 * (len(lat) - 1))] * 1e6, 1)}))
