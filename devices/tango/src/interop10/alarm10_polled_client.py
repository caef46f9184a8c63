"""pytango 10 client side of alarm-events-our-server.test.ts: ALARM events detected by polling, JSON on stdout.

    alarm10_polled_client.py <port> <device>      (a -nodb server: tango://127.0.0.1:<port>/<device>#dbase=no)

Subscribes ALARM_EVENT on `drift` (polled every 100 ms, warning ±5, alarm ±10), calls SetDrift 1, 6, 7, 11 with
0.4 s between (several polls each) and prints the items received.
"""

import json
import sys
import time

import tango

from alarm10_client import item, wait_for


def main(port, device):
    d = tango.DeviceProxy(f"tango://127.0.0.1:{port}/{device}#dbase=no")
    got = []
    eid = d.subscribe_event("drift", tango.EventType.ALARM_EVENT, lambda e: got.append(item(e)))
    time.sleep(0.4)
    for v in [1.0, 6.0, 7.0, 11.0]:
        d.SetDrift(v)
        time.sleep(0.4)
    wait_for(got, 4)
    d.unsubscribe_event(eid)
    d.SetDrift(0.0)
    return {"drift": got}


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], sys.argv[2])))
    sys.stdout.flush()
