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
import sys
import threading

import numpy as np
import tango

INT_TYPES = {
    "DevShort", "DevLong", "DevLong64", "DevUChar", "DevUShort", "DevULong", "DevULong64",
    "DevVarShortArray", "DevVarLongArray", "DevVarLong64Array", "DevVarCharArray", "DevVarUShortArray",
    "DevVarULongArray", "DevVarULong64Array",
}


def canon_blob(blob):
    name, elements = blob
    return {"name": name, "elements": [canon_element(e) for e in elements]}


def canon_element(e):
    dtype = str(e["dtype"])
    v = e["value"]
    if dtype == "DevPipeBlob":
        v = canon_blob(v)
    elif dtype == "DevEncoded":
        v = [v[0], list(bytearray(v[1]))]
    elif dtype == "DevState":
        v = str(v)
    else:
        if hasattr(v, "tolist"):
            v = v.tolist()
        if dtype in INT_TYPES:
            v = [str(x) for x in v] if isinstance(v, list) else str(v)
    return {"name": e["name"], "dtype": dtype, "value": v}


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


BLOB = (
    "from_pytango",
    [
        {"name": "label", "value": "written by PyTango"},
        {"name": "count", "value": 12},
        {"name": "ratio", "value": 0.125},
        {"name": "on", "value": False},
        {"name": "small", "value": -7, "dtype": tango.DevShort},
        {"name": "big", "value": 2 ** 64 - 2, "dtype": tango.DevULong64},
        {"name": "state", "value": tango.DevState.ALARM},
        {"name": "floats", "value": np.array([1.5, -2.25], dtype=np.float32)},
        {"name": "words", "value": ["x", "y"]},
        {"name": "bytes", "value": [0, 128, 255], "dtype": (tango.DevUChar,)},
        {"name": "enc", "value": ("bin", b"\x00\xff"), "dtype": tango.DevEncoded},
        {"name": "nested", "value": ("inner", [{"name": "k", "value": 1}, {"name": "l", "value": ("leaf", [{"name": "z", "value": [1.0, 2.0]}])}])},
    ],
)

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
