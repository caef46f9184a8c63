"""pytango 10 client side of alarm-events.test.ts: the alarm scenario on one device of alarm10_device.py, JSON on stdout.

    alarm10_client.py <port> <device>      (a -nodb server: tango://127.0.0.1:<port>/<device>#dbase=no)
    alarm10_client.py ref <device>         (a device of the TANGO_HOST database, e.g. pyref/test/1 on Tango 9.3)
"""

import json
import sys
import time

import tango


def errors(e):
    return [{"reason": x.reason, "desc": x.desc} for x in e.args]


def item(e):
    if e.err:
        return {"kind": "error", "reasons": [x.reason for x in e.errors]}
    v = e.attr_value
    t = v.time
    return {
        "kind": "value",
        "value": v.value,
        "quality": str(v.quality),
        "timeUs": t.tv_sec * 1_000_000 + t.tv_usec,
    }


def wait_for(got, n, timeout=5.0):
    end = time.time() + timeout
    while len(got) < n and time.time() < end:
        time.sleep(0.02)


def scenario(port, device):
    d = tango.DeviceProxy(f"tango://127.0.0.1:{port}/{device}#dbase=no")
    out = {"event_type": int(tango.EventType.ALARM_EVENT)}
    level = []
    eid = d.subscribe_event("level", tango.EventType.ALARM_EVENT, lambda e: level.append(item(e)))
    time.sleep(0.2)
    for v in [1.0, 6.0, 7.0, 11.0, 0.0, -6.0]:
        d.SetLevel(v)
    wait_for(level, 6)
    time.sleep(0.2)
    d.unsubscribe_event(eid)
    out["level"] = level
    tagged = []
    eid = d.subscribe_event("tagged", tango.EventType.ALARM_EVENT, lambda e: tagged.append(item(e)))
    time.sleep(0.2)
    d.PushTagged([42, 2, 1700000000, 123456])
    d.PushTaggedError()
    wait_for(tagged, 3)
    time.sleep(0.2)
    d.unsubscribe_event(eid)
    out["tagged"] = tagged
    try:
        d.subscribe_event("plain", tango.EventType.ALARM_EVENT, lambda e: None)
        out["plain"] = "subscribed"
    except tango.DevFailed as e:
        out["plain"] = errors(e)
    return out


def ref(device):
    d = tango.DeviceProxy(device)
    try:
        d.subscribe_event("temperature", tango.EventType.ALARM_EVENT, lambda e: None)
        return {"ref": "subscribed"}
    except tango.DevFailed as e:
        return {"ref": errors(e)}


if __name__ == "__main__":
    if sys.argv[1] == "ref":
        print(json.dumps(ref(sys.argv[2])))
    else:
        print(json.dumps(scenario(sys.argv[1], sys.argv[2])))
    sys.stdout.flush()
