/**
 * The admin device `dserver/<Server>/<instance>` (class DServer), declared with the plain-object authoring API.
 * Command names, argument types and layouts follow cppTango's DServerClass (tango-protocol.md §4).
 */
import { type DevError, DevFailed } from "../errors/errors.ts";
import { cmd, defineDevice, getDeviceClassSpec } from "./decorators.ts";
import type { Device } from "./device.ts";
import type { DeviceRuntime } from "./device-runtime.ts";
import { DevLong, DevString, DevVarLongStringArray, DevVarStringArray, DevVoid } from "./dtypes.ts";
import { DATABASE_CLASS, type LockClient, MAX_LOCK_VALIDITY, MIN_LOCK_VALIDITY } from "./locking.ts";
import type { DeviceServer } from "./server.ts";

type PollType = "attribute" | "command";

function pollType(s: string | undefined): PollType {
  const t = (s ?? "").toLowerCase();
  if (t === "attribute" || t === "command") return t;
  throw DevFailed.from("API_NotSupported", `Object type ${s} not supported (use "attribute" or "command")`, "DServer::add_obj_polling");
}

/** Str[0], Str[2], ...: the device names of a logging target list. */
function evenItems(a: readonly string[]): string[] {
  return a.filter((_, i) => i % 2 === 0);
}

function need(v: readonly unknown[] | undefined, n: number, cmdName: string): void {
  if (!v || v.length < n)
    throw DevFailed.from("API_WrongNumberOfArgs", `Incorrect number of inout arguments for ${cmdName}`, `DServer::${cmdName}`);
}

export function createAdminClass(server: DeviceServer): new () => Device {
  const loggingLevels = new Map<string, number>();
  const locks = server.locks;
  /** A served device (admin included) by name, with cppTango's Util::get_device_by_name error. */
  const deviceByName = (name: string): DeviceRuntime => {
    const rt = server.devices.get(name.toLowerCase());
    if (!rt) throw DevFailed.from("API_DeviceNotFound", `Device ${name} not found`, "Util::get_device_by_name()");
    return rt;
  };
  /** The client calling a locking command; refused without ClntIdent (cppTango API_ClientTooOld). */
  const identifiedCaller = (what: string, origin: string): LockClient => {
    const cl = locks.caller();
    if (!cl) throw DevFailed.from("API_CantGetClientIdent", "Cannot retrieve client identification", `DServer::${origin}`);
    if (!cl.identified) {
      throw DevFailed.from(
        "API_ClientTooOld",
        `Your client cannot ${what} devices. You are using a too old Tango release. Please, update to tango V7 or more`,
        `DServer::${origin}`,
      );
    }
    return cl;
  };
  /**
   * cppTango DServer::check_lock_owner: a polling, logging or restart command acting on a device that another client
   * locked is refused. `devName` is the name as the caller wrote it. Calls from the server itself (no caller) pass.
   */
  const checkOwner = (rt: DeviceRuntime, cmdName: string, devName: string): void => {
    const cl = locks.caller();
    const l = locks.entry(rt.lname);
    if (cl && l) l.checkOwner(cl, cmdName, devName);
  };
  /** checkOwner for every served device named in a logging command (other names: patterns, unknown devices). */
  const checkOwnerOfNames = (names: readonly string[], cmdName: string): void => {
    for (const n of names) {
      const rt = server.devices.get(n.toLowerCase());
      if (rt) checkOwner(rt, cmdName, n);
    }
  };
  /** QueryWizard*Property: triples (name, description, default) of a served class's class or device properties. */
  const wizard = (cls: string, kind: "classProperties" | "deviceProperties"): string[] => {
    const rt = server.userDevices.find((d) => d.className.toLowerCase() === cls.toLowerCase());
    return (rt?.spec[kind] ?? []).flatMap((p) => [p.name, p.description ?? "", p.default === undefined ? "" : String(p.default)]);
  };
  return defineDevice<Device>({
    tangoClass: "DServer",
    description: "Device server administration device",
    init: (dev) => {
      dev.setState("ON");
    },
    commands: {
      DevRestart: cmd({
        in: DevString,
        inDesc: "Device name",
        execute: async (_d, name) => {
          checkOwner(deviceByName(name), "restart", name);
          await server.restartDevice(name);
        },
      }),
      RestartServer: cmd({
        execute: () => {
          setTimeout(
            () => void server.restartAll().catch((e: unknown) => server.logger.error("RestartServer failed", { error: String(e) })),
            10,
          );
        },
      }),
      Kill: cmd({ execute: () => server.kill() }),
      QueryClass: cmd({
        out: DevVarStringArray,
        outDesc: "Device server class(es) list",
        execute: () => [...server.classes.values()].map((C) => getDeviceClassSpec(C).tangoClass),
      }),
      QueryDevice: cmd({
        out: DevVarStringArray,
        outDesc: "Device server device(s) list",
        execute: () => server.userDevices.map((d) => `${d.className}::${d.name}`),
      }),
      QuerySubDevice: cmd({ out: DevVarStringArray, outDesc: "Device server sub device(s) list", execute: () => [] }),
      QueryWizardClassProperty: cmd({
        in: DevString,
        out: DevVarStringArray,
        inDesc: "Class name",
        outDesc: "Class property list (name - description and default value)",
        execute: (_d, cls) => wizard(cls, "classProperties"),
      }),
      QueryWizardDevProperty: cmd({
        in: DevString,
        out: DevVarStringArray,
        inDesc: "Class name",
        outDesc: "Device property list (name - description and default value)",
        execute: (_d, cls) => wizard(cls, "deviceProperties"),
      }),
      AddObjPolling: cmd({
        in: DevVarLongStringArray,
        inDesc: "Lg[0]=Upd period. Str[0]=Device name. Str[1]=Object type. Str[2]=Object name",
        execute: async (_d, a) => {
          need(a.svalue, 3, "AddObjPolling");
          need(a.lvalue, 1, "AddObjPolling");
          const rt = server.device(a.svalue[0] as string);
          checkOwner(rt, "add_obj_polling", a.svalue[0] as string);
          await server.poller.add(rt, pollType(a.svalue[1]), a.svalue[2] as string, a.lvalue[0] as number, { persist: true });
        },
      }),
      UpdObjPollingPeriod: cmd({
        in: DevVarLongStringArray,
        inDesc: "Lg[0]=Upd period. Str[0]=Device name. Str[1]=Object type. Str[2]=Object name",
        execute: async (_d, a) => {
          need(a.svalue, 3, "UpdObjPollingPeriod");
          need(a.lvalue, 1, "UpdObjPollingPeriod");
          const rt = server.device(a.svalue[0] as string);
          // As cppTango: the "device not polled" error comes before the lock check.
          if (rt.polled.size > 0) checkOwner(rt, "upd_obj_polling_period", a.svalue[0] as string);
          await server.poller.update(rt, pollType(a.svalue[1]), a.svalue[2] as string, a.lvalue[0] as number, { persist: true });
        },
      }),
      RemObjPolling: cmd({
        in: DevVarStringArray,
        inDesc: "Str[0]=Device name. Str[1]=Object type. Str[2]=Object name",
        execute: async (_d, a) => {
          need(a, 3, "RemObjPolling");
          const rt = server.device(a[0] as string);
          if (rt.polled.size > 0) checkOwner(rt, "rem_obj_polling", a[0] as string);
          await server.poller.remove(rt, pollType(a[1]), a[2] as string, { persist: true });
        },
      }),
      StartPolling: cmd({ execute: () => server.poller.start() }),
      StopPolling: cmd({ execute: () => server.poller.stop() }),
      PolledDevice: cmd({ out: DevVarStringArray, outDesc: "Polled device name list", execute: () => server.poller.polledDevices() }),
      DevPollStatus: cmd({
        in: DevString,
        out: DevVarStringArray,
        inDesc: "Device name",
        outDesc: "Device polling status",
        execute: (_d, name) => server.poller.status(server.device(name)),
      }),
      ZmqEventSubscriptionChange: cmd({
        in: DevVarStringArray,
        out: DevVarLongStringArray,
        inDesc: "Events consumer wants to subscribe to",
        outDesc: "Str[0] = Heartbeat pub endpoint - Str[1] = Event pub endpoint - ...",
        execute: (_d, a) => server.events.subscriptionChange(a),
      }),
      EventConfirmSubscription: cmd({
        in: DevVarStringArray,
        inDesc: "Str[0] = dev1 name, Str[1] = att1 name, Str[2] = event name, Str[3] = dev2 name...",
        execute: (_d, a) => server.events.confirm(a),
      }),
      EventSubscriptionChange: cmd({
        in: DevVarStringArray,
        out: DevLong,
        inDesc: "Event consumer wants to subscribe to",
        outDesc: "Tango lib release",
        execute: () => {
          throw DevFailed.from(
            "API_NotSupported",
            "This server only supports the ZMQ event system (ZmqEventSubscriptionChange)",
            "DServer::event_subscription_change",
          );
        },
      }),
      AddLoggingTarget: cmd({
        in: DevVarStringArray,
        inDesc: "Str[i]=Device-name. Str[i+1]=Target-type::Target-name",
        execute: (_d, a) => checkOwnerOfNames(evenItems(a), "add_logging_target"),
      }),
      RemoveLoggingTarget: cmd({
        in: DevVarStringArray,
        inDesc: "Str[i]=Device-name. Str[i+1]=Target-type::Target-name",
        execute: (_d, a) => checkOwnerOfNames(evenItems(a), "remove_logging_target"),
      }),
      GetLoggingTarget: cmd({
        in: DevString,
        out: DevVarStringArray,
        inDesc: "Device name",
        outDesc: "Logging target list",
        execute: () => [],
      }),
      SetLoggingLevel: cmd({
        in: DevVarLongStringArray,
        inDesc: "Lg[i]=Logging Level. Str[i]=Device name.",
        execute: (_d, a) => {
          checkOwnerOfNames(a.svalue, "set_logging_level");
          a.svalue.forEach((dev, i) => {
            loggingLevels.set(dev.toLowerCase(), a.lvalue[i] ?? 0);
          });
        },
      }),
      GetLoggingLevel: cmd({
        in: DevVarStringArray,
        out: DevVarLongStringArray,
        inDesc: "Device list",
        outDesc: "Lg[i]=Logging Level. Str[i]=Device name.",
        execute: (_d, devs) => ({ lvalue: devs.map((d) => loggingLevels.get(d.toLowerCase()) ?? 0), svalue: [...devs] }),
      }),
      StopLogging: cmd({ in: DevVoid, execute: () => {} }),
      StartLogging: cmd({ in: DevVoid, execute: () => {} }),
      LockDevice: cmd({
        in: DevVarLongStringArray,
        inDesc: "Str[0] = Device name. Lg[0] = Lock validity",
        execute: (_d, a) => {
          need(a.svalue, 1, "LockDevice");
          need(a.lvalue, 1, "LockDevice");
          const name = a.svalue[0] as string;
          const validity = a.lvalue[0] as number;
          const cl = identifiedCaller("lock", "lock_device");
          // cppTango's server takes any validity (0 or less: a lock that lapses within a second); only its client
          // refuses < 2 s. Refused here, with a reason.
          if (validity < MIN_LOCK_VALIDITY || validity > MAX_LOCK_VALIDITY) {
            throw DevFailed.from(
              "API_MethodArgument",
              `Lock validity must be from ${MIN_LOCK_VALIDITY} to ${MAX_LOCK_VALIDITY} seconds (got ${validity})`,
              "DServer::lock_device",
            );
          }
          if (name.toLowerCase() === server.adminName.toLowerCase()) {
            throw DevFailed.from("API_DeviceUnlockable", "Impossible to lock device server administration device", "DServer::lock_device");
          }
          const rt = deviceByName(name);
          if (rt.className === DATABASE_CLASS) {
            throw DevFailed.from("API_DeviceUnlockable", "Impossible to lock database device", "DServer::lock_device");
          }
          locks.of(rt.name).lock(cl, validity);
        },
      }),
      UnLockDevice: cmd({
        in: DevVarLongStringArray,
        out: DevLong,
        inDesc: "Str[x] = Device name(s). Lg[0] = Force flag",
        outDesc: "Device global lock counter",
        execute: (_d, a) => {
          need(a.svalue, 1, "UnLockDevice");
          need(a.lvalue, 1, "UnLockDevice");
          const forced = a.lvalue[0] !== 0;
          const cl = locks.caller();
          if (!forced) identifiedCaller("un-lock", "un_lock_device");
          if (!cl) throw DevFailed.from("API_CantGetClientIdent", "Cannot retrieve client identification", "DServer::un_lock_device");
          // cppTango: the counter of the first device; 0 as soon as several devices are given.
          let ctr = 0;
          a.svalue.forEach((name, i) => {
            ctr = locks.of(deviceByName(name).name).unlock(cl, forced);
            if (i > 0) ctr = 0;
          });
          return ctr;
        },
      }),
      ReLockDevices: cmd({
        in: DevVarStringArray,
        inDesc: "Device(s) name",
        execute: (_d, names) => {
          const cl = identifiedCaller("re_lock", "re_lock_devices");
          // Every device is tried; the root cause of each failure is reported, in one DevFailed.
          const errors: DevError[] = [];
          for (const name of names) {
            try {
              locks.of(deviceByName(name).name).relock(cl);
            } catch (e) {
              if (!(e instanceof DevFailed)) throw e;
              if (e.errors[0]) errors.push(e.errors[0]);
            }
          }
          if (errors.length > 0) throw new DevFailed(errors);
        },
      }),
      DevLockStatus: cmd({
        in: DevString,
        out: DevVarLongStringArray,
        inDesc: "Device name",
        outDesc: "Device locking status",
        execute: (_d, name) => locks.status(deviceByName(name).name),
      }),
    },
  });
}
