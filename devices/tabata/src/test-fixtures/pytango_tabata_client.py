"""PyTango client for the tabata interop test: drives our Counter/Tabata/AsyncTabata servers through a Tango
database (TANGO_HOST) the way the ska-tango-examples tests do, and prints one JSON object with what it saw.

Usage: pytango_tabata_client.py <scenario>   (scenarios: tabata, stop, counter-events, async)
"""
import json
import sys
import time

import tango
from tango import DevState

TIMEOUT_S = 60
ROLES = ["prepare", "work", "rest", "cycles", "tabatas"]


def err_text(e):
    if isinstance(e, tango.DevFailed):
        return " | ".join("%s: %s" % (x.reason, x.desc) for x in e.args)
    return "%s: %s" % (type(e).__name__, e)


def counters(prefix):
    return {r: tango.DeviceProxy("test/%s/%s" % (prefix, r)).value for r in ROLES}


def setup(p, prepare, work, rest, cycles, tabatas):
    p.prepare = prepare
    p.work = work
    p.rest = rest
    p.cycles = cycles
    p.tabatas = tabatas


def watch(p, poll_s):
    """Distinct states and running states (as label strings) until State is OFF."""
    states, phases = [], []
    start = time.time()
    while True:
        st = str(p.state())
        rs = p.running_state
        rs = rs.name if hasattr(rs, "name") else int(rs)
        if not states or states[-1] != st:
            states.append(st)
        if not phases or phases[-1] != rs:
            phases.append(rs)
        if st == "OFF":
            return states, phases
        if time.time() - start > TIMEOUT_S:
            raise RuntimeError("timeout, phases %s" % phases)
        time.sleep(poll_s)


def scenario_tabata():
    p = tango.DeviceProxy("test/tabata/1")
    out = {"initial_state": str(p.state()), "initial_status": p.status()}
    out["defaults"] = [p.prepare, p.work, p.rest, p.cycles, p.tabatas]
    out["enum_labels"] = list(p.get_attribute_config("running_state").enum_labels)
    setup(p, 5, 5, 5, 1, 1)
    p.ResetCounters()
    out["after_reset"] = counters("counter")
    p.Start()
    try:
        p.Start()
        out["second_start"] = "accepted"
    except Exception as e:  # noqa: BLE001
        out["second_start"] = err_text(e)
    try:
        p.work = 3
        out["write_while_on"] = "accepted"
    except Exception as e:  # noqa: BLE001
        out["write_while_on"] = err_text(e)
    t0 = time.time()
    out["states"], out["phases"] = watch(p, 0.02)
    out["workout_s"] = time.time() - t0
    out["final"] = counters("counter")
    try:
        p.work = 0
        out["write_zero"] = "accepted"
    except Exception as e:  # noqa: BLE001
        out["write_zero"] = err_text(e)
    return out


def scenario_stop():
    p = tango.DeviceProxy("test/tabata/1")
    setup(p, 2, 50, 5, 2, 1)
    p.ResetCounters()
    p.Start()
    while p.running_state.name != "WORK":
        time.sleep(0.02)
    time.sleep(0.5)
    t0 = time.time()
    p.Stop()
    out = {"stop_s": time.time() - t0, "state_after_stop": str(p.state())}
    out["frozen"] = counters("counter")
    out["phase_after_stop"] = p.running_state.name
    time.sleep(0.5)
    out["later"] = counters("counter")
    p.ResetCounters()
    out["after_reset"] = counters("counter")
    out["phase_after_reset"] = p.running_state.name
    return out


def scenario_counter_events():
    c = tango.DeviceProxy("test/counter/work")
    c.CounterReset(3)
    c.fire_event_at = 0
    events = []
    cb = lambda ev: events.append(None if ev.err else ev.attr_value.value)  # noqa: E731
    eid = c.subscribe_event("value", tango.EventType.CHANGE_EVENT, cb)
    time.sleep(0.3)
    c.decrement()  # 2
    c.decrement()  # 1
    c.decrement()  # 0 -> event
    c.increment()  # 1
    c.fire_event_at = 5
    c.CounterReset(5)  # -> event 5
    c.CounterReset(0)  # no event any more
    time.sleep(0.5)
    c.unsubscribe_event(eid)
    c.fire_event_at = 0
    out = {"value_events": events}
    polled = []
    cbp = lambda ev: polled.append(None if ev.err else ev.attr_value.value)  # noqa: E731
    c.CounterReset(7)
    # Let the 1000 ms polling record 7 first: the subscription read comes from the polling buffer (CACHE_DEV).
    time.sleep(1.5)
    pid = c.subscribe_event("polled_value", tango.EventType.CHANGE_EVENT, cbp)
    time.sleep(1.5)
    c.increment()  # 8
    time.sleep(2.5)
    c.CounterReset(8)  # no change
    time.sleep(2.5)
    c.unsubscribe_event(pid)
    out["polled_events"] = polled
    out["poll_period"] = c.get_attribute_poll_period("polled_value")
    out["value_poll_period"] = c.get_attribute_poll_period("value")
    out["state"] = str(c.state())
    out["status"] = c.status()
    return out


def scenario_async():
    p = tango.DeviceProxy("test/asynctabata/1")
    p.set_timeout_millis(3000)
    setup(p, 2, 2, 2, 1, 1)
    cid = p.command_inout_asynch("ResetCounters")
    p.command_inout_reply(cid, 3000)
    out = {"after_reset": counters("acounter")}
    # The reply to Run comes when the workout is over: the call timeout must cover it (as test_async_tabata.py does).
    p.set_timeout_millis(30000)
    t0 = time.time()
    rid = p.command_inout_asynch("Run")
    while str(p.state()) != "ON":
        time.sleep(0.02)
    try:
        p.command_inout("Run")
        out["second_run"] = "accepted"
    except Exception as e:  # noqa: BLE001
        out["second_run"] = err_text(e)
    out["states"], out["phases"] = watch(p, 0.1)
    out["workout_s"] = time.time() - t0
    p.command_inout_reply(rid, 10000)
    out["run_reply_s"] = time.time() - t0
    out["final"] = counters("acounter")
    # Stop mid-run
    setup(p, 1, 30, 5, 1, 1)
    p.ResetCounters()
    rid = p.command_inout_asynch("Run")
    while p.running_state.name != "WORK":
        time.sleep(0.05)
    time.sleep(1.2)
    t0 = time.time()
    p.Stop()
    out["stop_s"] = time.time() - t0
    p.command_inout_reply(rid, 5000)
    out["run_end_after_stop_s"] = time.time() - t0
    out["frozen"] = counters("acounter")
    p.ResetCounters()
    out["after_reset2"] = counters("acounter")
    out["phase_after_reset"] = p.running_state.name
    return out


if __name__ == "__main__":
    result = {"tabata": scenario_tabata, "stop": scenario_stop, "counter-events": scenario_counter_events, "async": scenario_async}[sys.argv[1]]()
    print(json.dumps(result))
