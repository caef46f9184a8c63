#!/usr/bin/python3
"""DbImportDevice calls/s through PyTango's Database client (same third-party client for every database).
Usage: TANGO_HOST=h:p ORBclientTransportRule='* tcp' /usr/bin/python3 bench/db-bench.py [seconds] [device]
Prints one JSON object."""
import sys

import tango
from benchloop import measure, report

DUR = float(sys.argv[1]) if len(sys.argv) > 1 else 3.0
DEV = sys.argv[2] if len(sys.argv) > 2 else "sys/database/2"
db = tango.Database()
report(measure(lambda: db.command_inout("DbImportDevice", DEV), DUR))
