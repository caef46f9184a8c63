#!/usr/bin/python3
"""PyTango client loop of bench/server-bench.sh: read_attribute(<attr>) on <device> for <seconds> (after 200 warm-up
reads), one call at a time, like tango-reference/tools/bench.py. Prints one JSON object."""
import sys

import tango
from benchloop import measure, report

name, attr, dur = sys.argv[1], sys.argv[2], float(sys.argv[3])
d = tango.DeviceProxy(name)
report({"device": name, **measure(lambda: d.read_attribute(attr), dur)})
