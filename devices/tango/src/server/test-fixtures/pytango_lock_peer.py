"""
A PyTango 9.3 client (the real cppTango client library) for locking.interop.test.ts: the second client of a device
that our client locks, and a locker our client observes.

Usage: pytango_lock_peer.py <device>   (TANGO_HOST and ORBclientTransportRule='* tcp' in the environment)

Prints {"ready": true, "pid": <pid>} once connected, then answers one JSON request per stdin line with one JSON line:
{"ok": true, ...} or {"ok": false, "errors": [{"reason", "desc", "origin"}, ...]} (the DevFailed stack, root cause
first). Requests: {"op": "write", "attr", "value"} | {"op": "read", "attr"} | {"op": "command", "cmd", "arg"?}
| {"op": "label", "attr", "label"} (set_attribute_config) | {"op": "lock", "validity"} | {"op": "unlock", "force"}
| {"op": "status"}. Exits when stdin closes.
"""
import json
import os
import sys

import tango


def status(dev):
    out = {
        "locked": dev.is_locked(),
        "status": dev.locking_status(),
        "is_locked_by_me": dev.is_locked_by_me(),
    }
    info = tango.LockerInfo()
    if dev.get_locker(info):
        out["locker"] = {
            "ll": str(info.ll),
            "li": info.li if isinstance(info.li, int) else list(info.li),
            "locker_host": info.locker_host,
            "locker_class": info.locker_class,
        }
    return out


def handle(dev, req):
    op = req["op"]
    if op == "write":
        dev.write_attribute(req["attr"], req["value"])
        return {}
    if op == "read":
        return {"value": dev.read_attribute(req["attr"]).value}
    if op == "command":
        res = dev.command_inout(req["cmd"], req["arg"]) if "arg" in req else dev.command_inout(req["cmd"])
        return {"result": res if isinstance(res, (int, float, str, bool)) or res is None else str(res)}
    if op == "label":
        cfg = dev.get_attribute_config(req["attr"])
        cfg.label = req["label"]
        dev.set_attribute_config(cfg)
        return {}
    if op == "lock":
        dev.lock(req.get("validity", tango.constants.DEFAULT_LOCK_VALIDITY))
        return {}
    if op == "unlock":
        dev.unlock(req.get("force", False))
        return {}
    if op == "status":
        return status(dev)
    raise ValueError("unknown op %r" % op)


def main():
    dev = tango.DeviceProxy(sys.argv[1])
    dev.ping()
    print(json.dumps({"ready": True, "pid": os.getpid()}), flush=True)
    for line in sys.stdin:
        if not line.strip():
            continue
        req = json.loads(line)
        try:
            res = handle(dev, req)
            res["ok"] = True
        except tango.DevFailed as e:
            res = {"ok": False, "errors": [{"reason": x.reason, "desc": x.desc, "origin": x.origin} for x in e.args]}
        except Exception as e:  # noqa: BLE001 - reported to the test, which fails on it
            res = {"ok": False, "errors": [{"reason": "PEER_" + type(e).__name__, "desc": str(e), "origin": "peer"}]}
        print(json.dumps(res), flush=True)


if __name__ == "__main__":
    main()
