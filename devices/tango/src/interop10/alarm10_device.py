"""Tango 10 ALARM event fixture (pytango 10): run with /opt/pytango10/bin/python.

    alarm10_device.py <instance> -nodb -dlist <device> -ORBendPoint giop:tcp:127.0.0.1:<port>

Attributes:
- level (DevDouble, READ): min_alarm -10, min_warning -5, max_warning 5, max_alarm 10; alarm events pushed by code
  (set_alarm_event(implemented=True, detect=True)): SetLevel(v) sets the value and pushes an alarm event with the
  quality cppTango computes from the limits (push_alarm_event(name, value) → check_alarm).
- tagged (DevLong, READ): alarm events pushed by code with an explicit quality and time stamp, PushTagged(
  [value, quality, sec, usec]); PushTaggedError() pushes a DevFailed (reason "AlarmFixture_Failure").
- plain (DevDouble, READ): no alarm event declared (subscription refused).
- drift (DevDouble, READ, polled every 100 ms, same limits as level): alarm events detected by the polling,
  SetDrift(v) sets the value.
"""

import sys

import tango
from tango import AttrQuality, AttrWriteType, DevFailed, DevState, Except
from tango.server import Device, attribute, command


class Alarm10(Device):
    def init_device(self):
        super().init_device()
        self._level = 0.0
        self._drift = 0.0
        self._tagged = 0
        self._tagged_q = AttrQuality.ATTR_VALID
        self._tagged_t = None
        self.set_state(DevState.ON)
        self.set_alarm_event("level", True, True)
        self.set_alarm_event("tagged", True, False)

    @attribute(
        dtype=float,
        access=AttrWriteType.READ,
        min_alarm=-10.0,
        min_warning=-5.0,
        max_warning=5.0,
        max_alarm=10.0,
    )
    def level(self):
        return self._level

    @attribute(dtype=tango.DevLong, access=AttrWriteType.READ)
    def tagged(self):
        if self._tagged_t is None:
            return self._tagged
        return self._tagged, self._tagged_t, self._tagged_q

    @attribute(dtype=float, access=AttrWriteType.READ)
    def plain(self):
        return 1.5

    @attribute(
        dtype=float,
        access=AttrWriteType.READ,
        polling_period=100,
        min_alarm=-10.0,
        min_warning=-5.0,
        max_warning=5.0,
        max_alarm=10.0,
    )
    def drift(self):
        return self._drift

    @command(dtype_in=float)
    def SetDrift(self, v):
        self._drift = v

    @command(dtype_in=float)
    def SetLevel(self, v):
        self._level = v
        self.push_alarm_event("level", v)

    @command(dtype_in=[float])
    def PushTagged(self, argin):
        value, quality, sec, usec = argin
        self._tagged = int(value)
        self._tagged_q = AttrQuality(int(quality))
        self._tagged_t = sec + usec / 1e6
        self.push_alarm_event("tagged", int(value), self._tagged_t, self._tagged_q)

    @command
    def PushTaggedError(self):
        try:
            Except.throw_exception("AlarmFixture_Failure", "tagged failed on purpose", "Alarm10.PushTaggedError")
        except DevFailed as e:
            self.push_alarm_event("tagged", e)


if __name__ == "__main__":
    Alarm10.run_server(args=["Alarm10", *sys.argv[1:]])
