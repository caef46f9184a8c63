#!/usr/bin/env python3
"""pytango 10 client side of the Tango 10 interop suites (interop10/*.test.ts).

Run with the pytango 10 venv (scripts/pytango10-install.sh): /opt/pytango10/bin/python py10_client.py <scenario> <device>
and ORBclientTransportRule='* tcp' (so omniORB talks TCP, not the servers' unix sockets).
Prints one JSON document on stdout with what pytango 10 saw; the TypeScript tests assert on it.

Scenarios:
  ref <device>   the PyRef / TsRef scenario: state, status, info, IDL version, attributes, commands, errors,
                 change events on temperature (SetTemperature + PushBurst)
  db <device>    Database client calls about <device> (through TANGO_HOST): info, properties, device info, lists
"""
import json
import sys
import threading
import time

import tango


def err(e):
    return [{"reason": x.reason, "desc": x.desc, "origin": x.origin} for x in e.args]


def attempt(fn):
    try:
        v = fn()
        if hasattr(v, "item"):
            v = v.item()
        return {"ok": v}
    except tango.DevFailed as e:
        return {"error": err(e)}
    except Exception as e:  # client-side conversion errors
        return {"pyerror": "%s: %s" % (type(e).__name__, e)}


def wait_until(pred, timeout=10.0):
    end = time.time() + timeout
    while time.time() < end:
        if pred():
            return True
        time.sleep(0.02)
    return False


def scenario_ref(name):
    d = tango.DeviceProxy(name)
    d.set_timeout_millis(5000)
    out = {}
    out["state"] = str(d.state())
    out["status"] = d.status()
    info = d.info()
    out["info"] = {"dev_class": info.dev_class, "server_id": info.server_id, "server_version": info.server_version}
    out["idl"] = d.get_idl_version()
    out["adm_name"] = d.adm_name()
    out["commands"] = sorted(d.get_command_list())
    out["attributes"] = sorted(d.get_attribute_list())
    t = d.read_attribute("temperature")
    out["temperature"] = {"value": t.value, "quality": str(t.quality), "type": str(t.type)}
    cfg = d.get_attribute_config("temperature")
    out["temperature_config"] = {"unit": cfg.unit, "label": cfg.label, "format": cfg.format}
    d.write_attribute("counter", 11)
    c = d.read_attribute("counter")
    out["counter"] = {"value": int(c.value), "w_value": int(c.w_value)}
    out["scale"] = attempt(lambda: d.command_inout("Scale", 5))
    out["set_temperature"] = attempt(lambda: d.command_inout("SetTemperature", 30.0))
    out["temperature_after"] = d.read_attribute("temperature").value
    out["write_read"] = attempt(lambda: int(d.write_read_attribute("counter", 12).value))
    errors = {}
    errors["write_above_max"] = attempt(lambda: d.write_attribute("counter", 5000000))
    errors["unknown_command"] = attempt(lambda: d.command_inout("NoSuchCommand"))
    errors["unknown_attribute"] = attempt(lambda: d.read_attribute("no_such_attribute"))
    errors["bad_argin"] = attempt(lambda: d.command_inout("Scale", "not a number"))
    errors["not_writable"] = attempt(lambda: d.write_attribute("temperature", 1.0))
    out["errors"] = errors

    values = []
    errs = []
    lock = threading.Lock()

    def cb(e):
        with lock:
            if e.err:
                errs.append(e.errors[0].reason)
            else:
                values.append(e.attr_value.value)

    eid = d.subscribe_event("temperature", tango.EventType.CHANGE_EVENT, cb)
    wait_until(lambda: len(values) >= 1)
    d.command_inout("SetTemperature", 42.0)
    wait_until(lambda: 42.0 in values)
    n = 20
    d.command_inout("PushBurst", n)
    wait_until(lambda: d.command_inout("BurstDone"))
    wait_until(lambda: len(values) >= 2 + n)
    d.unsubscribe_event(eid)
    with lock:
        out["events"] = {"values": list(values), "errors": list(errs)}
    return out


def scenario_db(name):
    db = tango.Database()
    out = {}
    out["db_name"] = db.get_db_host() + ":" + str(db.get_db_port())
    out["info_head"] = db.get_info().splitlines()[0]
    out["gain"] = list(db.get_device_property(name, ["Gain"])["Gain"])
    db.put_device_property(name, {"Py10Prop": ["a", "b"]})
    out["put_get"] = list(db.get_device_property(name, ["Py10Prop"])["Py10Prop"])
    db.delete_device_property(name, ["Py10Prop"])
    out["deleted"] = list(db.get_device_property(name, ["Py10Prop"])["Py10Prop"])
    i = db.get_device_info(name)
    out["device_info"] = {"class": i.class_name, "server": i.ds_full_name, "exported": bool(i.exported), "version": i.version}
    imp = db.import_device(name)
    out["import"] = {"exported": bool(imp.exported), "ior_prefix": imp.ior[:4], "version": imp.version}
    out["class"] = db.get_class_for_device(name)
    out["exported_list"] = list(db.get_device_exported(name))
    srv = tango.DeviceProxy("sys/database/2")
    out["db_device"] = {"state": str(srv.state()), "idl": srv.get_idl_version()}
    return out


SCENARIOS = {"ref": scenario_ref, "db": scenario_db}

if __name__ == "__main__":
    scenario, device = sys.argv[1], sys.argv[2]
    try:
        result = SCENARIOS[scenario](device)
    except tango.DevFailed as e:
        result = {"fatal": err(e)}
    result["pytango"] = tango.__version__
    print(json.dumps(result))
    sys.stdout.flush()
