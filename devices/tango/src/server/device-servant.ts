/**
 * The Device_5 servant: decodes each IDL operation's arguments, runs it on a DeviceRuntime (under the serialization
 * monitor where cppTango takes it) and encodes the result.
 */
import type { CdrWriter } from "../cdr/cdr.ts";
import { type AnyValue, readAny, writeAny } from "../corba/typecode.ts";
import { DevFailed, MultiDevFailed } from "../errors/errors.ts";
import { CmdArgType, type CmdArgTypeName, DEVICE_REPO_IDS, DevSource, DevStateNames, TANGO_DEV_VERSION } from "../idl/constants.ts";
import { readDevPipeData, readPipeConfigList, writeDevPipeData, writePipeConfig } from "../idl/pipe.ts";
import {
  type AttrConfigVersion,
  type AttributeConfig,
  type ClntIdent,
  readAttributeConfig,
  readAttributeValue5,
  readAttributeValueAny,
  readClntIdent,
  timeValNow,
  writeAttributeConfig,
  writeAttributeValue5,
  writeAttributeValueAny,
  writeDevAttrHistory5,
  writeDevCmdHistory4,
  writeDevCmdInfo,
  writeDevInfo,
} from "../idl/structs.ts";
import type { AttrRuntime } from "./attribute.ts";
import { type AttrResult, attrResultAny, type DeviceRuntime, type PollRecord, toAttributeValue5 } from "./device-runtime.ts";
import { type LockTable, lockClient } from "./locking.ts";
import { callWithMonitor, isThenable, withMonitor } from "./monitor.ts";
import { badOperation, type IncomingRequest, type ReplyBody, type Servant } from "./orb-server.ts";
import { anyOfItems, itemsOfAny, itemsOfUnion } from "./values.ts";

const CORBA_OBJECT = "IDL:omg.org/CORBA/Object:1.0";
const DOC_URL = "Doc URL = http://www.tango-controls.org";
const POLL_OLD_FACTOR = 4;

export interface ServantContext {
  readonly serverId: string;
  readonly hostName: string;
  readonly adminName: string;
  /** The server's device locks (none: locking is not enforced). */
  readonly locks?: LockTable;
}

const seqWriter =
  <T>(list: readonly T[], item: (w: CdrWriter, v: T) => void) =>
  (w: CdrWriter): void =>
    w.sequence(list, item);

export class DeviceServant implements Servant {
  readonly rt: DeviceRuntime;
  readonly ctx: ServantContext;
  /** This servant is the admin device: its commands run as the calling client (LockDevice & co. need it). */
  readonly #admin: boolean;

  constructor(rt: DeviceRuntime, ctx: ServantContext) {
    this.rt = rt;
    this.ctx = ctx;
    this.#admin = rt.lname === ctx.adminName.toLowerCase();
  }

  /**
   * cppTango check_lock for an operation a lock guards (`meth` names it in the error origin). `ident` is the ClntIdent
   * of IDL 4/5 operations; without one the client is not identified and is refused by any lock.
   */
  #checkLock(meth: string, address: string, ident: ClntIdent | undefined, cmd?: string): void {
    const l = this.ctx.locks?.entry(this.rt.lname);
    if (l) l.check(meth, lockClient(address, ident), cmd, this.rt.allowedAccessCmds);
  }

  dispatch(req: IncomingRequest): Promise<ReplyBody> | ReplyBody {
    const op = req.operation;
    const rt = this.rt;
    const r = req.body;
    switch (op) {
      case "_is_a": {
        const id = r.string();
        const yes = (DEVICE_REPO_IDS as readonly string[]).includes(id) || id === CORBA_OBJECT;
        return (w) => w.boolean(yes);
      }
      case "_non_existent":
        return (w) => w.boolean(false);
      case "_interface":
      case "_repository_id":
      case "_component":
        throw badOperation(op);
      case "_get_name":
        return (w) => w.string(rt.name);
      case "_get_description":
        return (w) => w.string(rt.spec.description ?? "A Tango device");
      case "_get_adm_name":
        return (w) => w.string(this.ctx.adminName);
      case "_get_state":
        rt.record(`Attribute state requested from ${req.peer}`);
        return withMonitor(rt.ctx.monitor, () => rt.readState()).then((s) => (w: CdrWriter) => w.ulong(DevStateNames.indexOf(s)));
      case "_get_status":
        rt.record(`Attribute status requested from ${req.peer}`);
        return withMonitor(rt.ctx.monitor, () => rt.readStatus()).then((s) => (w: CdrWriter) => w.string(s));
      case "ping":
        rt.record(`Operation ping requested from ${req.peer}`);
        return undefined;
      case "black_box": {
        const n = r.long();
        rt.record(`Operation black_box requested from ${req.peer}`);
        if (n <= 0) throw DevFailed.from("API_BlackBoxArgument", `Argument to read black box out of range (${n})`, "BlackBox::read");
        const lines = rt.blackBoxLines(n);
        return (w) => w.stringSeq(lines);
      }
      case "info":
      case "info_3": {
        rt.record(`Operation ${op} requested from ${req.peer}`);
        const info = {
          devClass: rt.className,
          serverId: this.ctx.serverId,
          serverHost: this.ctx.hostName,
          serverVersion: TANGO_DEV_VERSION,
          docUrl: rt.spec.docUrl ? `Doc URL = ${rt.spec.docUrl}` : DOC_URL,
          devType: rt.className,
        };
        return (w) => writeDevInfo(w, info, op === "info_3");
      }
      case "command_list_query":
      case "command_list_query_2": {
        rt.record(`Operation ${op} requested from ${req.peer}`);
        const v2 = op.endsWith("_2");
        return seqWriter(rt.commandInfoList(), (w, c) => writeDevCmdInfo(w, c, v2));
      }
      case "command_query":
      case "command_query_2": {
        const name = r.string();
        rt.record(`Operation ${op} requested from ${req.peer}`);
        const c = rt.commands.get(name.toLowerCase());
        if (!c) throw DevFailed.from("API_CommandNotFound", `Command ${name} not found`, "Device_2Impl::command_query_2");
        const info = rt.commandInfo(c);
        const v2 = op.endsWith("_2");
        return (w) => writeDevCmdInfo(w, info, v2);
      }
      case "command_inout":
      case "command_inout_2":
      case "command_inout_4": {
        const name = r.string();
        const argin = readAny(r);
        const source = op === "command_inout" ? DevSource.DEV : r.ulong();
        const ident = op === "command_inout_4" ? readClntIdent(r) : undefined;
        rt.record(`Operation ${op} (cmd = ${name}) requested from ${req.peer}`);
        const locks = this.ctx.locks;
        if (this.#admin && locks) return locks.runAs(lockClient(req.address, ident), () => this.#commandInout(name, argin, source));
        // As cppTango: IDL 1 command_inout is not checked, State and Status never are.
        if (op !== "command_inout" && !isStateOrStatus(name))
          this.#checkLock(op === "command_inout_4" ? "command_inout4" : "command_inout2", req.address, ident, name);
        return this.#commandInout(name, argin, source);
      }
      case "read_attributes":
      case "read_attributes_2":
      case "read_attributes_3":
      case "read_attributes_4":
      case "read_attributes_5": {
        const names = r.stringSeq();
        const source = op === "read_attributes" ? DevSource.DEV : r.ulong();
        if (op === "read_attributes_4" || op === "read_attributes_5") readClntIdent(r);
        rt.recordAttrs(op, names, req.peer);
        const res = this.#read(names, source);
        return isThenable(res) ? res.then((x) => this.#encodeRead(op, x)) : this.#encodeRead(op, res);
      }
      case "write_attributes":
      case "write_attributes_3": {
        const list = r.sequence(8, (x) => readAttributeValueAny(x, false));
        rt.record(`Operation ${op} requested from ${req.peer}`);
        const items = list.map((v) => ({ name: v.name, decode: (a: AttrRuntime) => itemsOfAny(a.spec, v.value), dim: v.rDim }));
        return this.#write(items, op === "write_attributes_3", () => this.#checkLock(op, req.address, undefined)).then(() => undefined);
      }
      case "write_attributes_4": {
        const list = r.sequence(8, (x) => readAttributeValue5(x, false));
        const ident = readClntIdent(r);
        rt.record(`Operation ${op} requested from ${req.peer}`);
        return this.#write(this.#unionItems(list), true, () => this.#checkLock(op, req.address, ident)).then(() => undefined);
      }
      case "write_read_attributes_4":
      case "write_read_attributes_5": {
        const list = r.sequence(8, (x) => readAttributeValue5(x, false));
        const rNames = op === "write_read_attributes_5" ? r.stringSeq() : list.map((v) => v.name);
        const ident = readClntIdent(r);
        rt.record(`Operation ${op} requested from ${req.peer}`);
        return withMonitor(rt.ctx.monitor, async () => {
          this.#checkLock(op, req.address, ident);
          const failed = await rt.writeAttributes(this.#unionItems(list));
          if (failed.length > 0) throw new MultiDevFailed(failed);
          return await rt.readAttributes(rNames, { hook: false });
        }).then((res) => this.#encodeRead(op === "write_read_attributes_5" ? "read_attributes_5" : "read_attributes_4", res));
      }
      case "get_attribute_config":
      case "get_attribute_config_2":
      case "get_attribute_config_3":
      case "get_attribute_config_5": {
        const names = r.stringSeq();
        rt.record(`Operation ${op} requested from ${req.peer}`);
        const version = configVersion(op);
        const list = rt.attributeConfigs(names);
        return seqWriter(list, (w, c) => writeAttributeConfig(w, c, version));
      }
      case "set_attribute_config":
      case "set_attribute_config_3":
      case "set_attribute_config_4":
      case "set_attribute_config_5": {
        const version: AttrConfigVersion = op === "set_attribute_config" ? 1 : op === "set_attribute_config_5" ? 5 : 3;
        const list = r.sequence(8, (x) => readAttributeConfig(x, version));
        const ident = op === "set_attribute_config_4" || op === "set_attribute_config_5" ? readClntIdent(r) : undefined;
        rt.record(`Operation ${op} requested from ${req.peer}`);
        return withMonitor(rt.ctx.monitor, () => {
          this.#checkLock(op, req.address, ident);
          return rt.setAttributeConfigs(list as AttributeConfig[], version === 1 ? 1 : version);
        }).then(() => undefined);
      }
      case "read_attribute_history_5": {
        const name = r.string();
        const n = r.long();
        rt.record(`Operation ${op} requested from ${req.peer}`);
        return this.#attrHistory(name, n);
      }
      case "command_inout_history_4": {
        const name = r.string();
        const n = r.long();
        rt.record(`Operation ${op} requested from ${req.peer}`);
        return this.#cmdHistory(name, n);
      }
      case "read_attribute_history_2":
      case "read_attribute_history_3":
      case "read_attribute_history_4":
      case "command_inout_history_2":
        throw DevFailed.from(
          "API_NotSupported",
          `${op} is not supported by this server; use the IDL 5 history operations`,
          "DeviceServant::dispatch",
        );
      case "get_pipe_config_5": {
        const names = r.stringSeq();
        rt.record(`Operation ${op} requested from ${req.peer}`);
        // cppTango reads names[0] unchecked: omniORB answers an empty list with BAD_PARAM; an actionable DevFailed here.
        if (names.length === 0)
          throw DevFailed.from("API_PipeNotFound", "get_pipe_config_5 needs at least one pipe name", "Device_5Impl::get_pipe_config_5");
        const list = rt.pipeConfigs(names);
        return seqWriter(list, writePipeConfig);
      }
      case "set_pipe_config_5": {
        const list = readPipeConfigList(r);
        const ident = readClntIdent(r);
        rt.record(`Operation ${op} requested from ${req.peer}`);
        return withMonitor(rt.ctx.monitor, () => {
          this.#checkLock(op, req.address, ident);
          return rt.setPipeConfigs(list);
        }).then(() => undefined);
      }
      case "read_pipe_5": {
        const name = r.string();
        readClntIdent(r);
        rt.record(`Operation ${op} (pipe = ${name}) requested from ${req.peer}`);
        return withMonitor(rt.ctx.monitor, () => rt.readPipe(name)).then((d) => (w: CdrWriter) => writeDevPipeData(w, d));
      }
      case "write_pipe_5":
      case "write_read_pipe_5": {
        const data = readDevPipeData(r);
        const ident = readClntIdent(r);
        rt.record(`Operation ${op} (pipe = ${data.name}) requested from ${req.peer}`);
        const wr = op === "write_read_pipe_5";
        return withMonitor(rt.ctx.monitor, async () => {
          this.#checkLock(op, req.address, ident);
          await rt.writePipe(data);
          return wr ? await rt.readPipe(data.name) : undefined;
        }).then((d) => (d ? (w: CdrWriter) => writeDevPipeData(w, d) : undefined));
      }
      default:
        throw badOperation(op);
    }
  }

  async #commandInout(name: string, argin: ReturnType<typeof readAny>, source: number): Promise<ReplyBody> {
    const rt = this.rt;
    const lname = name.toLowerCase();
    if (source !== DevSource.DEV) {
      const p = rt.polled.get(`command:${lname}`);
      const last = p?.ring[p.ring.length - 1];
      if (p && last && Date.now() - last.time <= Math.max(p.period, 1) * POLL_OLD_FACTOR) {
        if (last.errors) throw new DevFailed(last.errors);
        const v = last.cmd;
        if (v) return (w) => writeAny(w, v.type, v.value);
      } else if (source === DevSource.CACHE) {
        if (!p) throw DevFailed.from("API_CmdNotPolled", `Command ${name} not polled`, "Device_2Impl::command_inout_2");
        throw DevFailed.from("API_NoDataYet", `No data available in cache for command ${name}`, "Device_2Impl::command_inout_2");
      }
    }
    // The admin device's commands manage other devices: no monitor of its own (cppTango's DServer is not blocked by them).
    const v = await withMonitor(rt.ctx.monitor, () => rt.executeCommand(name, argin));
    return (w) => writeAny(w, v.type, v.value);
  }

  #unionItems(list: ReturnType<typeof readAttributeValue5>[]) {
    return list.map((v) => ({
      name: v.name,
      decode: (a: AttrRuntime) => itemsOfUnion(a.spec, v.value),
      // cppTango clients put the written dims in w_dim (r_dim is left uninitialized).
      dim: v.wDim.x > 0 ? v.wDim : v.rDim,
    }));
  }

  async #write(
    items: { name: string; decode: (a: AttrRuntime) => unknown[]; dim: { x: number; y: number } }[],
    multi: boolean,
    checkLock: () => void,
  ): Promise<void> {
    const rt = this.rt;
    const failed = await withMonitor(rt.ctx.monitor, () => {
      checkLock();
      return rt.writeAttributes(items);
    });
    if (failed.length === 0) return;
    if (multi) throw new MultiDevFailed(failed);
    throw new DevFailed(failed[0]?.errors ?? []);
  }

  /** The readings, synchronously when the monitor is free and the device code is synchronous (else a promise). */
  #read(names: readonly string[], source: number): AttrResult[] | Promise<AttrResult[]> {
    const rt = this.rt;
    // Nothing polled: every name is read from the device, as below, unless the source is CACHE alone.
    if (source === DevSource.DEV || (rt.polled.size === 0 && source !== DevSource.CACHE)) {
      return callWithMonitor(rt.ctx.monitor, () => rt.readAttributesNow(names));
    }
    const out = new Array<AttrResult | undefined>(names.length);
    const fromDev: number[] = [];
    const now = Date.now();
    names.forEach((n, i) => {
      const p = rt.polled.get(`attribute:${n.toLowerCase()}`);
      const last: PollRecord | undefined = p?.ring[p.ring.length - 1];
      if (p && last && (p.period === 0 || now - last.time <= p.period * POLL_OLD_FACTOR)) {
        out[i] = last.attr ?? rt.errorResult(rt.attrs.get(n.toLowerCase()), n, last.errors ?? [], timeValNow(last.time));
      } else if (source === DevSource.CACHE) {
        const err = !p
          ? DevFailed.from("API_AttrNotPolled", `Attribute ${n} not polled`, "Device_3Impl::read_attributes_from_cache")
          : last
            ? DevFailed.from(
                "API_NotUpdatedAnyMore",
                `Data in cache for attribute ${n} not updated any more`,
                "Device_3Impl::read_attributes_from_cache",
              )
            : DevFailed.from("API_NoDataYet", `No data available in cache for attribute ${n}`, "Device_3Impl::read_attributes_from_cache");
        out[i] = rt.errorResult(rt.attrs.get(n.toLowerCase()), n, err.errors, timeValNow(now));
      } else {
        fromDev.push(i);
      }
    });
    if (fromDev.length === 0) return out as AttrResult[];
    const res = callWithMonitor(rt.ctx.monitor, () => rt.readAttributesNow(fromDev.map((i) => names[i] as string)));
    if (isThenable(res)) return res.then((r) => fillFromDev(out, fromDev, r));
    return fillFromDev(out, fromDev, res);
  }

  #encodeRead(op: string, res: AttrResult[]): ReplyBody {
    if (op === "read_attributes_5" || op === "read_attributes_4") {
      const v5 = op === "read_attributes_5";
      return seqWriter(res, (w, a) => writeAttributeValue5(w, toAttributeValue5(a), v5));
    }
    if (op === "read_attributes_3") {
      return seqWriter(res, (w, a) =>
        writeAttributeValueAny(
          w,
          { value: attrResultAny(a), quality: a.quality, time: a.time, name: a.name, rDim: a.rDim, wDim: a.wDim, errors: a.errors },
          true,
        ),
      );
    }
    const failed = res.find((a) => a.errors.length > 0);
    if (failed) throw new DevFailed(failed.errors);
    return seqWriter(res, (w, a) =>
      writeAttributeValueAny(
        w,
        { value: attrResultAny(a), quality: a.quality, time: a.time, name: a.name, rDim: a.rDim, wDim: { x: 0, y: 0 }, errors: [] },
        false,
      ),
    );
  }

  #attrHistory(name: string, n: number): ReplyBody {
    const rt = this.rt;
    const p = rt.polled.get(`attribute:${name.toLowerCase()}`);
    if (!p) throw DevFailed.from("API_AttrNotPolled", `Attribute ${name} not polled`, "Device_5Impl::read_attribute_history_5");
    if (p.ring.length === 0)
      throw DevFailed.from("API_NoDataYet", `No data available in cache for attribute ${name}`, "Device_5Impl::read_attribute_history_5");
    const a = rt.attr(name);
    const recs = p.ring.slice(-Math.max(1, n));
    const values: unknown[] = [];
    const dates = [];
    const quals: number[] = [];
    const qualsArray = [];
    const rDims = [];
    const rDimsArray = [];
    const wDims = [];
    const wDimsArray = [];
    const errors = [];
    const errorsArray = [];
    for (let i = 0; i < recs.length; i++) {
      const rec = recs[i] as PollRecord;
      dates.push(timeValNow(rec.time));
      const ar = rec.attr;
      if (!ar || ar.errors.length > 0) {
        errors.push(ar?.errors ?? rec.errors ?? []);
        errorsArray.push({ start: i, nbElt: 1 });
        continue;
      }
      values.push(...ar.allItems);
      quals.push(ar.quality);
      qualsArray.push({ start: i, nbElt: 1 });
      rDims.push(ar.rDim);
      rDimsArray.push({ start: i, nbElt: 1 });
      wDims.push(ar.wDim);
      wDimsArray.push({ start: i, nbElt: 1 });
    }
    const any: AnyValue =
      values.length > 0 || a.spec.dtype !== "DevEncoded" ? toAnyItems(a.spec, values) : { type: { kind: "null" }, value: null };
    const h = {
      name: a.name,
      dataFormat: ["SCALAR", "SPECTRUM", "IMAGE"].indexOf(a.spec.dataFormat),
      dataType: a.dataType,
      dates,
      value: any,
      quals,
      qualsArray,
      rDims,
      rDimsArray,
      wDims,
      wDimsArray,
      errors,
      errorsArray,
    };
    return (w) => writeDevAttrHistory5(w, h);
  }

  #cmdHistory(name: string, n: number): ReplyBody {
    const rt = this.rt;
    const c = rt.command(name);
    const p = rt.polled.get(`command:${c.name.toLowerCase()}`);
    if (!p) throw DevFailed.from("API_CmdNotPolled", `Command ${name} not polled`, "Device_4Impl::command_inout_history_4");
    if (p.ring.length === 0)
      throw DevFailed.from("API_NoDataYet", `No data available in cache for command ${name}`, "Device_4Impl::command_inout_history_4");
    const recs = p.ring.slice(-Math.max(1, n));
    const dates = [];
    const values: unknown[] = [];
    const dims = [];
    const dimsArray = [];
    const errors = [];
    const errorsArray = [];
    for (let i = 0; i < recs.length; i++) {
      const rec = recs[i] as PollRecord;
      dates.push(timeValNow(rec.time));
      if (rec.errors || !rec.cmd) {
        errors.push(rec.errors ?? []);
        errorsArray.push({ start: i, nbElt: 1 });
        continue;
      }
      const v = rec.cmd.value;
      const arr = Array.isArray(v) ? v : v instanceof Uint8Array ? Array.from(v) : [v];
      values.push(...arr);
      dims.push({ x: arr.length, y: 0 });
      dimsArray.push({ start: i, nbElt: 1 });
    }
    const el = ELEMENT_OF_OUT[c.out] ?? c.out;
    const any = toAnyItems({ dtype: el, name: c.name }, values);
    const h = { dates, value: any, dims, dimsArray, errors, errorsArray, cmdType: CmdArgType[c.out] };
    return (w) => writeDevCmdHistory4(w, h);
  }
}

function isStateOrStatus(cmd: string): boolean {
  const c = cmd.toLowerCase();
  return c === "state" || c === "status";
}

/** Puts the device readings at their places among the cached ones. */
function fillFromDev(out: (AttrResult | undefined)[], fromDev: readonly number[], res: readonly AttrResult[]): AttrResult[] {
  for (let k = 0; k < fromDev.length; k++) out[fromDev[k] as number] = res[k];
  return out as AttrResult[];
}

function configVersion(op: string): AttrConfigVersion {
  if (op === "get_attribute_config") return 1;
  if (op === "get_attribute_config_2") return 2;
  if (op === "get_attribute_config_3") return 3;
  return 5;
}

const ELEMENT_OF_OUT: Readonly<Partial<Record<CmdArgTypeName, CmdArgTypeName>>> = {
  DevVarShortArray: "DevShort",
  DevVarLongArray: "DevLong",
  DevVarFloatArray: "DevFloat",
  DevVarDoubleArray: "DevDouble",
  DevVarUShortArray: "DevUShort",
  DevVarULongArray: "DevULong",
  DevVarLong64Array: "DevLong64",
  DevVarULong64Array: "DevULong64",
  DevVarStringArray: "DevString",
  DevVarBooleanArray: "DevBoolean",
  DevVarCharArray: "DevUChar",
};

function toAnyItems(shape: { dtype: CmdArgTypeName; name: string }, items: unknown[]): AnyValue {
  return anyOfItems({ name: shape.name, dtype: shape.dtype, dataFormat: "SCALAR" }, items);
}
