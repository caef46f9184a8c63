/**
 * The admin device `dserver/<Server>/<instance>` (class DServer), declared with the plain-object authoring API.
 * Command names, argument types and layouts follow cppTango's DServerClass (tango-protocol.md §4).
 */
import { DevFailed } from "../errors/errors.ts";
import { cmd, defineDevice, getDeviceClassSpec } from "./decorators.ts";
import type { Device } from "./device.ts";
import { DevLong, DevString, DevVarLongStringArray, DevVarStringArray, DevVoid } from "./dtypes.ts";
import type { DeviceServer } from "./server.ts";

type PollType = "attribute" | "command";

function pollType(s: string | undefined): PollType {
  const t = (s ?? "").toLowerCase();
  if (t === "attribute" || t === "command") return t;
  throw DevFailed.from("API_NotSupported", `Object type ${s} not supported (use "attribute" or "command")`, "DServer::add_obj_polling");
}

function need(v: readonly unknown[] | undefined, n: number, cmdName: string): void {
  if (!v || v.length < n)
    throw DevFailed.from("API_WrongNumberOfArgs", `Incorrect number of inout arguments for ${cmdName}`, `DServer::${cmdName}`);
}

export function createAdminClass(server: DeviceServer): new () => Device {
  const loggingLevels = new Map<string, number>();
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
          await server.poller.update(rt, pollType(a.svalue[1]), a.svalue[2] as string, a.lvalue[0] as number, { persist: true });
        },
      }),
      RemObjPolling: cmd({
        in: DevVarStringArray,
        inDesc: "Str[0]=Device name. Str[1]=Object type. Str[2]=Object name",
        execute: async (_d, a) => {
          need(a, 3, "RemObjPolling");
          const rt = server.device(a[0] as string);
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
      AddLoggingTarget: cmd({ in: DevVarStringArray, inDesc: "Str[i]=Device-name. Str[i+1]=Target-type::Target-name", execute: () => {} }),
      RemoveLoggingTarget: cmd({
        in: DevVarStringArray,
        inDesc: "Str[i]=Device-name. Str[i+1]=Target-type::Target-name",
        execute: () => {},
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
    },
  });
}
