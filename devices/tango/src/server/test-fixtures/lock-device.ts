/**
 * `LockTest`: the part of cppTango's TangoTest the locking suites use, so one scenario runs against both —
 * `double_scalar` (READ_WRITE DevDouble) and `DevDouble` (DevDouble → DevDouble), plus `Reset` (a void command a
 * class property AllowedAccessCmd can open to other clients while the device is locked).
 */
import type { Device } from "../device.ts";
import { DevDouble } from "../dtypes.ts";
import { attr, cmd, defineDevice } from "../index.ts";

export interface LockTestDevice extends Device {
  value: number;
  resets: number;
}

export const LockTest = defineDevice<LockTestDevice>({
  tangoClass: "LockTest",
  attributes: {
    double_scalar: attr({
      dtype: DevDouble,
      access: "READ_WRITE",
      read: (d: LockTestDevice) => d.value,
      write: (d: LockTestDevice, v) => {
        d.value = v;
      },
    }),
  },
  commands: {
    DevDouble: cmd({ in: DevDouble, out: DevDouble, execute: (_d: LockTestDevice, x) => x }),
    Reset: cmd({
      execute: (d: LockTestDevice) => {
        d.resets++;
        d.value = 0;
      },
    }),
  },
  init: (d) => {
    d.value = 0;
    d.resets ??= 0;
    d.setState("ON");
  },
});
