#!/usr/bin/python3
"""PyTango client side of the server interop suite (pytango.interop.test.ts).

Usage: pytango_client.py <scenario> <device> [extra...]
Prints one JSON document on stdout with what PyTango saw; the TypeScript test asserts on it.
Run with ORBclientTransportRule='* tcp'.
"""
import json
import sys
import time

import numpy
import tango


def plain(v):
    """JSON-friendly form of a PyTango value."""
    if isinstance(v, numpy.ndarray):
        return plain(v.tolist())
    if isinstance(v, (list, tuple)):
        return [plain(x) for x in v]
    if isinstance(v, numpy.generic):
        return v.item()
    if isinstance(v, tango.DevState):
        return str(v)
    if isinstance(v, bytes):
        return list(v)
    if isinstance(v, float) and v != v:
        return "NaN"
    if isinstance(v, int) and abs(v) > 2**53:
        return str(v)
    if hasattr(v, "name") and hasattr(v, "real"):  # enums
        return str(v)
    return v


def err(e):
    return [{"reason": x.reason, "desc": x.desc, "origin": x.origin} for x in e.args]


def attempt(fn):
    try:
        return {"ok": plain(fn())}
    except tango.DevFailed as e:
        return {"error": err(e)}
    except Exception as e:  # client-side conversion errors
        return {"pyerror": "%s: %s" % (type(e).__name__, e)}


TYPES = ["boolean", "short", "long", "float", "double", "ushort", "ulong", "uchar", "long64", "ulong64", "string", "state"]
NEW = {
    "boolean": False,
    "short": 31000,
    "long": -2000000000,
    "float": -0.25,
    "double": 1e300,
    "ushort": 1,
    "ulong": 7,
    "uchar": 255,
    "long64": 9007199254740993,
    "ulong64": 18446744073709551000,
    "string": "wörld",
    "state": tango.DevState.ALARM,
}


def scenario_types(d):
    out = {}
    for t in TYPES:
        for fmt in ("scalar", "spectrum", "image"):
            name = "%s_%s" % (t, fmt)
            if t == "state" and fmt == "image":
                continue
            r = {}
            a = d.read_attribute(name)
            r["read"] = plain(a.value)
            r["type"] = str(a.type)
            r["format"] = str(a.data_format)
            v = NEW[t]
            if fmt == "spectrum":
                v = [v, v]
            elif fmt == "image":
                v = [[v, v, v], [v, v, v]]
            w = attempt(lambda: d.write_attribute(name, v))
            if "ok" not in w:
                r["write"] = w
            a = d.read_attribute(name)
            r["after"] = plain(a.value)
            r["w_value"] = plain(a.w_value)
            r["dims"] = [a.dim_x, a.dim_y]
            out[name] = r
    out["mode"] = {"read": plain(d.read_attribute("mode").value)}
    d.write_attribute("mode", 2)
    out["mode"]["after"] = plain(d.read_attribute("mode").value)
    out["mode"]["labels"] = list(d.get_attribute_config("mode").enum_labels)
    e = d.read_attribute("encoded").value
    out["encoded"] = {"format": e[0], "data": list(e[1])}
    return out


def scenario_commands(d):
    samples = {
        "EchoBoolean": True,
        "EchoShort": -32768,
        "EchoLong": 2147483647,
        "EchoFloat": 0.5,
        "EchoDouble": -1.25e-10,
        "EchoUShort": 65535,
        "EchoULong": 4294967295,
        "EchoLong64": -9223372036854775808,
        "EchoULong64": 18446744073709551615,
        "EchoString": "héllo",
        "EchoState": tango.DevState.FAULT,
        "EchoEncoded": ("json", b'{"a":1}'),
        "EchoVarCharArray": [0, 1, 255],
        "EchoVarShortArray": [1, -2, 3],
        "EchoVarLongArray": [1, -2, 3],
        "EchoVarFloatArray": [1.5, -2.5],
        "EchoVarDoubleArray": [1.5, -2.5, 1e300],
        "EchoVarUShortArray": [1, 65535],
        "EchoVarULongArray": [1, 4294967295],
        "EchoVarLong64Array": [1, -9223372036854775808],
        "EchoVarULong64Array": [1, 18446744073709551615],
        "EchoVarStringArray": ["a", "", "ç"],
        "EchoVarLongStringArray": [[1, 2, 3], ["x", "y"]],
        "EchoVarDoubleStringArray": [[1.5], ["x", "y", "z"]],
    }
    out = {}
    for cmd, arg in samples.items():
        r = attempt(lambda: d.command_inout(cmd, arg))
        if cmd == "EchoEncoded" and "ok" in r:
            r = {"ok": [r["ok"][0], list(r["ok"][1])]}
        out[cmd] = r
    out["Void"] = attempt(lambda: d.command_inout("Void"))
    info = d.command_query("EchoDouble")
    out["query"] = {"in": str(info.in_type), "out": str(info.out_type), "in_desc": info.in_type_desc, "out_desc": info.out_type_desc}
    out["list"] = sorted(c.cmd_name for c in d.command_list_query())
    return out


def scenario_config(d):
    c = d.get_attribute_config("limited")
    out = {
        "before": {
            "label": c.label, "unit": c.unit, "format": c.format, "min_value": c.min_value, "max_value": c.max_value,
            "min_alarm": c.alarms.min_alarm, "max_alarm": c.alarms.max_alarm, "description": c.description,
            "writable": str(c.writable), "data_type": str(c.data_type),
        }
    }
    c.label = "New label"
    c.unit = "um"
    c.max_value = "20"
    d.set_attribute_config(c)
    c2 = d.get_attribute_config("limited")
    out["after"] = {"label": c2.label, "unit": c2.unit, "max_value": c2.max_value}
    out["write15"] = attempt(lambda: d.write_attribute("limited", 15))
    d.write_attribute("limited", 6)
    out["alarm_quality"] = str(d.read_attribute("limited").quality)
    out["attributes"] = list(d.get_attribute_list())
    out["black_box"] = list(d.black_box(3))
    return out


def scenario_init(d):
    d.write_attribute("double_scalar", 99.0)
    before = d.read_attribute("double_scalar").value
    d.command_inout("SetState", "OFF")
    s1 = str(d.state())
    d.command_inout("Init")
    return {"before": before, "after": d.read_attribute("double_scalar").value, "state_before": s1, "state_after": str(d.state()),
            "status": d.status()}


def scenario_errors(d):
    out = {
        "write_above_max": attempt(lambda: d.write_attribute("limited", 50)),
        "write_below_min": attempt(lambda: d.write_attribute("limited", -50)),
        "enum_out_of_range": attempt(lambda: d.write_attribute("mode", 7)),
        "unknown_attribute": attempt(lambda: d.read_attribute("no_such_attr")),
        "unknown_command": attempt(lambda: d.command_inout("NoSuchCommand")),
        "failing_read": attempt(lambda: d.read_attribute("failing")),
        "failing_command": attempt(lambda: d.command_inout("Fail")),
        "not_writable": attempt(lambda: d.write_attribute("encoded", ("raw", b"x"))),
        "invalid_quality": attempt(lambda: str(d.read_attribute("invalid").quality)),
    }
    d.command_inout("SetState", "OFF")
    out["command_not_allowed"] = attempt(lambda: d.command_inout("OnlyWhenOn"))
    out["attribute_not_allowed"] = attempt(lambda: d.read_attribute("only_on"))
    d.command_inout("SetState", "ON")
    out["event_without_polling"] = attempt(lambda: d.subscribe_event("double_scalar", tango.EventType.CHANGE_EVENT, lambda e: None))
    out["history_not_polled"] = attempt(lambda: d.attribute_history("double_scalar", 2))
    return out


def scenario_events(d):
    got = []

    def cb(ev):
        if ev.err:
            got.append({"attr": ev.attr_name.split("/")[-1], "event": ev.event, "error": ev.errors[0].reason})
        else:
            got.append({"attr": ev.attr_name.split("/")[-1], "event": ev.event, "value": plain(ev.attr_value.value)})

    ids = [
        d.subscribe_event("pushed_value", tango.EventType.CHANGE_EVENT, cb),
        d.subscribe_event("polled_value", tango.EventType.PERIODIC_EVENT, cb),
        d.subscribe_event("polled_value", tango.EventType.CHANGE_EVENT, cb),
    ]
    time.sleep(0.5)
    for v in (1.0, 2.0, 3.0):
        d.command_inout("PushValue", v)
        time.sleep(0.25)
    time.sleep(1.2)
    for i in ids:
        d.unsubscribe_event(i)
    history = [plain(h.value) for h in d.attribute_history("polled_value", 3)]
    return {"events": got, "history": history}


def main():
    scenario, name = sys.argv[1], sys.argv[2]
    d = tango.DeviceProxy(name)
    d.set_timeout_millis(5000)
    out = {"state": str(d.state()), "status": d.status(), "class": d.info().dev_class, "adm_name": d.adm_name()}
    out[scenario] = globals()["scenario_" + scenario](d)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
