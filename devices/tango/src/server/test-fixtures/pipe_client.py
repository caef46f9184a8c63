#!/usr/bin/python3
"""PyTango 9.3 client of the server pipe interop test (pipe.interop.test.ts): what PyTango sees of a device with the
pipes of client/fixtures/pipe_device.py (rw, typed, guarded, broken, commands PushPipe / PushPipeError), as one
canonical JSON document (integers as decimal strings, states by name, DevEncoded as [format, bytes], nested blobs as
{name, elements}, errors as their reasons with the root description and origin).

  pipe_client.py <device>

Run with ORBclientTransportRule='* tcp'. PyTango 9.3 has no write_read_pipe (the TypeScript test covers it with our
client).
"""
import json
import os
import sys
import threading

import numpy as np
import tango

# The canonical JSON form of a pipe read and the blob PyTango writes are the client pipe tests' (client/fixtures/pipe_peer.py).
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "client", "fixtures"))
from pipe_peer import BLOB, canon_blob  # noqa: E402


def plain(v):
    """A value of an event's DevicePipe (whose root elements come without their Tango type), in JSON form."""
    if isinstance(v, np.ndarray):
        return {"array": str(v.dtype), "value": plain(v.tolist())}
    if isinstance(v, list):
        return [plain(x) for x in v]
    if isinstance(v, tuple) and len(v) == 2 and isinstance(v[1], list):
        return canon_blob(v)
    if isinstance(v, tuple) and len(v) == 2 and isinstance(v[1], (bytes, bytearray)):
        return [v[0], list(bytearray(v[1]))]
    if isinstance(v, bool) or isinstance(v, float) or isinstance(v, str):
        return v
    if isinstance(v, (int, np.integer)):
        return str(v)
    return str(v)


def canon_device_pipe(p):
    return {"name": p.root_blob_name, "elements": [{"name": n, "value": plain(v)} for n, v in p.data]}


def failure(e):
    errs = list(e.args)
    return {
        "reasons": [x.reason for x in errs],
        "desc": errs[0].desc,
        "origin": errs[0].origin,
    }


def outcome(f):
    try:
        return {"ok": f()}
    except tango.DevFailed as e:
        return {"error": failure(e)}



# A nested blob without any element: on the wire an element with neither a value nor an inner blob.
EMPTY_NESTED = ("bad", [{"name": "e", "value": ("empty", [])}])


def config(c):
    return {"name": c.name, "label": c.label, "description": c.description, "level": str(c.disp_level), "writable": str(c.writable)}


def events(d):
    got = []
    cv = threading.Condition()

    def cb(ev):
        with cv:
            try:
                if ev.err:
                    got.append({"error": failure(tango.DevFailed(*ev.errors))})
                else:
                    got.append({"pipe": ev.pipe_name.split("#")[0].split("/")[-1], "blob": canon_device_pipe(ev.pipe_value)})
            except Exception as e:  # reported, not lost in the callback thread
                got.append({"callback_error": repr(e), "dir": [n for n in dir(ev) if not n.startswith("_")], "value": repr(getattr(ev, "pipe_value", None))})
            cv.notify_all()

    eid = d.subscribe_event("rw", tango.EventType.PIPE_EVENT, cb)
    try:
        with cv:
            cv.wait_for(lambda: len(got) >= 1, timeout=1.0)  # an initial event, if the client library reads one
        initial = len(got)
        d.command_inout("PushPipe")
        with cv:
            cv.wait_for(lambda: len(got) >= initial + 1, timeout=5.0)
        d.command_inout("PushPipeError")
        with cv:
            cv.wait_for(lambda: len(got) >= initial + 2, timeout=5.0)
    finally:
        d.unsubscribe_event(eid)
    return {"initial": got[:initial], "pushed": got[initial:]}


def main():
    d = tango.DeviceProxy(sys.argv[1])
    out = {}
    out["pipe_list"] = list(d.get_pipe_list())
    out["config"] = [config(c) for c in d.get_pipe_config()]
    out["typed"] = outcome(lambda: canon_blob(d.read_pipe("typed")))
    out["write_rw"] = outcome(lambda: d.write_pipe("rw", BLOB))
    out["read_rw"] = outcome(lambda: canon_blob(d.read_pipe("rw")))
    c = d.get_pipe_config("rw")
    c.label = "New label"
    c.description = "New description"
    out["set_config"] = outcome(lambda: d.set_pipe_config([c]))
    out["config_after"] = config(d.get_pipe_config("rw"))
    c.label = ""
    c.description = ""
    d.set_pipe_config([c])
    out["config_reset"] = config(d.get_pipe_config("rw"))
    c.writable = tango.PipeWriteType.PIPE_READ
    out["set_writable"] = outcome(lambda: d.set_pipe_config([c]))
    out["errors"] = {
        "read_unknown": outcome(lambda: d.read_pipe("nopipe")),
        "write_unknown": outcome(lambda: d.write_pipe("nopipe", ("b", [{"name": "v", "value": 1}]))),
        "config_unknown": outcome(lambda: config(d.get_pipe_config("nopipe"))),
        "write_read_only": outcome(lambda: d.write_pipe("typed", ("b", [{"name": "v", "value": 1}]))),
        "read_not_allowed": outcome(lambda: d.read_pipe("guarded")),
        "write_not_allowed": outcome(lambda: d.write_pipe("guarded", ("b", [{"name": "v", "value": 1}]))),
        "read_device_error": outcome(lambda: d.read_pipe("broken")),
        "write_wrong_shape": outcome(lambda: d.write_pipe("rw", EMPTY_NESTED)),
    }
    out["events"] = events(d)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
