/**
 * Request-argument and reply-result codecs of the Tango Device (IDL 1-5) operations and CORBA pseudo-operations,
 * keyed by their wire name, plus the reply-body codecs of user and system exceptions.
 * Used by the golden-vector tests, the wire fuzzer and anything that needs to decode a body by operation name.
 */
import type { CdrReader, CdrWriter } from "../cdr/cdr.ts";
import { type AnyValue, readAny, writeAny } from "../corba/typecode.ts";
import { type DevError, type NamedDevError, ProtocolError } from "../errors/errors.ts";
import { DevStateNames, REPO_DEVFAILED, REPO_MULTIDEVFAILED } from "./constants.ts";
import { type DevPipeData, type PipeConfig, readDevPipeData, readPipeConfigList, writeDevPipeData, writePipeConfigList } from "./pipe.ts";
import {
  type AttrConfigVersion,
  type AttributeConfig,
  type AttributeValue5,
  type AttributeValueAny,
  type ClntIdent,
  type DevCmdInfo,
  type DevInfo,
  readAttributeConfig,
  readAttributeValue5,
  readAttributeValueAny,
  readClntIdent,
  readDevAttrHistory5,
  readDevCmdHistory4,
  readDevCmdInfo,
  readDevErrorList,
  readDevInfo,
  readNamedDevErrorList,
  writeAttributeConfig,
  writeAttributeValue5,
  writeAttributeValueAny,
  writeClntIdent,
  writeDevAttrHistory5,
  writeDevCmdHistory4,
  writeDevCmdInfo,
  writeDevErrorList,
  writeDevInfo,
  writeNamedDevErrorList,
} from "./structs.ts";

/** Reads and writes one side (arguments or result) of an operation. */
export interface BodyCodec<T> {
  read(r: CdrReader): T;
  write(w: CdrWriter, v: T): void;
}

export interface OperationCodec<A, R> {
  readonly args: BodyCodec<A>;
  readonly result: BodyCodec<R>;
}

// ------------------------------------------------------------------------------------------------- building blocks

const VOID: BodyCodec<undefined> = { read: () => undefined, write: () => {} };
const STRING: BodyCodec<string> = { read: (r) => r.string(), write: (w, v) => w.string(v) };
const BOOLEAN: BodyCodec<boolean> = { read: (r) => r.boolean(), write: (w, v) => w.boolean(v) };
const STRINGS: BodyCodec<string[]> = { read: (r) => r.stringSeq(), write: (w, v) => w.stringSeq(v) };
const ANY: BodyCodec<AnyValue> = { read: (r) => readAny(r), write: (w, v) => writeAny(w, v.type, v.value) };

/** Reads a DevState (enum ordinal), rejecting ordinals outside ON..UNKNOWN. */
export function readDevState(r: CdrReader): number {
  const v = r.ulong();
  if (v >= DevStateNames.length) throw new ProtocolError(`DevState: ordinal ${v} out of range`);
  return v;
}
/** Reads a DevSource (DEV, CACHE, CACHE_DEV). */
export function readDevSource(r: CdrReader): number {
  const v = r.ulong();
  if (v > 2) throw new ProtocolError(`DevSource: ordinal ${v} out of range`);
  return v;
}

function configs(version: AttrConfigVersion): BodyCodec<AttributeConfig[]> {
  return {
    read: (r) => r.sequence(4, (x) => readAttributeConfig(x, version), `AttributeConfigList (v${version})`),
    write: (w, v) => w.sequence(v, (x, c) => writeAttributeConfig(x, c, version)),
  };
}
function cmdInfos(v2: boolean): BodyCodec<DevCmdInfo[]> {
  return {
    read: (r) => r.sequence(4, (x) => readDevCmdInfo(x, v2), "DevCmdInfoList"),
    write: (w, v) => w.sequence(v, (x, c) => writeDevCmdInfo(x, c, v2)),
  };
}
function cmdInfo(v2: boolean): BodyCodec<DevCmdInfo> {
  return { read: (r) => readDevCmdInfo(r, v2), write: (w, v) => writeDevCmdInfo(w, v, v2) };
}
function devInfo(v3: boolean): BodyCodec<DevInfo> {
  return { read: (r) => readDevInfo(r, v3), write: (w, v) => writeDevInfo(w, v, v3) };
}
/** AttributeValueList_4 (v5 = false) or AttributeValueList_5 (v5 = true). */
function values45(v5: boolean): BodyCodec<AttributeValue5[]> {
  return {
    read: (r) => r.sequence(4, (x) => readAttributeValue5(x, v5), v5 ? "AttributeValueList_5" : "AttributeValueList_4"),
    write: (w, v) => w.sequence(v, (x, a) => writeAttributeValue5(x, a, v5)),
  };
}
/** AttributeValueList (IDL 1/2, v3 = false) or AttributeValueList_3 (v3 = true): the value is an Any. */
function valuesAny(v3: boolean): BodyCodec<AttributeValueAny[]> {
  return {
    read: (r) => r.sequence(4, (x) => readAttributeValueAny(x, v3), v3 ? "AttributeValueList_3" : "AttributeValueList"),
    write: (w, v) => w.sequence(v, (x, a) => writeAttributeValueAny(x, a, v3)),
  };
}

// ------------------------------------------------------------------------------------------------- argument shapes

export interface CommandInoutArgs {
  readonly command: string;
  readonly argin: AnyValue;
  /** command_inout_2 and later. */
  readonly source?: number;
  /** command_inout_4 and later. */
  readonly client?: ClntIdent;
}
export interface ReadAttributesArgs {
  readonly names: readonly string[];
  readonly source?: number;
  readonly client?: ClntIdent;
}
export interface WriteAttributes4Args {
  readonly values: readonly AttributeValue5[];
  readonly client: ClntIdent;
}
export interface WriteReadAttributes5Args {
  readonly values: readonly AttributeValue5[];
  readonly readNames: readonly string[];
  readonly client: ClntIdent;
}
export interface SetAttributeConfigArgs {
  readonly configs: readonly AttributeConfig[];
  readonly client?: ClntIdent;
}
export interface HistoryArgs {
  readonly name: string;
  readonly n: number;
}

function commandInout(level: 1 | 2 | 4): BodyCodec<CommandInoutArgs> {
  return {
    read: (r) => {
      const command = r.string();
      const argin = readAny(r);
      if (level === 1) return { command, argin };
      const source = readDevSource(r);
      if (level === 2) return { command, argin, source };
      return { command, argin, source, client: readClntIdent(r) };
    },
    write: (w, v) => {
      w.string(v.command);
      writeAny(w, v.argin.type, v.argin.value);
      if (level >= 2) w.ulong(v.source ?? 0);
      if (level >= 4) writeClntIdent(w, v.client ?? { lang: "CPP", pid: 0 });
    },
  };
}

function readAttributes(level: 1 | 2 | 4): BodyCodec<ReadAttributesArgs> {
  return {
    read: (r) => {
      const names = r.stringSeq();
      if (level === 1) return { names };
      const source = readDevSource(r);
      if (level === 2) return { names, source };
      return { names, source, client: readClntIdent(r) };
    },
    write: (w, v) => {
      w.stringSeq(v.names);
      if (level >= 2) w.ulong(v.source ?? 0);
      if (level >= 4) writeClntIdent(w, v.client ?? { lang: "CPP", pid: 0 });
    },
  };
}

function setAttributeConfig(version: AttrConfigVersion, withClient: boolean): BodyCodec<SetAttributeConfigArgs> {
  const list = configs(version);
  return {
    read: (r) => {
      const c = list.read(r);
      return withClient ? { configs: c, client: readClntIdent(r) } : { configs: c };
    },
    write: (w, v) => {
      list.write(w, [...v.configs]);
      if (withClient) writeClntIdent(w, v.client ?? { lang: "CPP", pid: 0 });
    },
  };
}

const WRITE_ATTRIBUTES_4: BodyCodec<WriteAttributes4Args> = {
  read: (r) => ({ values: values45(false).read(r), client: readClntIdent(r) }),
  write: (w, v) => {
    values45(false).write(w, [...v.values]);
    writeClntIdent(w, v.client);
  },
};
const WRITE_READ_ATTRIBUTES_5: BodyCodec<WriteReadAttributes5Args> = {
  read: (r) => ({ values: values45(false).read(r), readNames: r.stringSeq(), client: readClntIdent(r) }),
  write: (w, v) => {
    values45(false).write(w, [...v.values]);
    w.stringSeq(v.readNames);
    writeClntIdent(w, v.client);
  },
};
const HISTORY_ARGS: BodyCodec<HistoryArgs> = {
  read: (r) => ({ name: r.string(), n: r.long() }),
  write: (w, v) => {
    w.string(v.name);
    w.long(v.n);
  },
};

export interface ReadPipe5Args {
  readonly name: string;
  readonly client: ClntIdent;
}
export interface WritePipe5Args {
  readonly data: DevPipeData;
  readonly client: ClntIdent;
}
const READ_PIPE_5: BodyCodec<ReadPipe5Args> = {
  read: (r) => ({ name: r.string(), client: readClntIdent(r) }),
  write: (w, v) => {
    w.string(v.name);
    writeClntIdent(w, v.client);
  },
};
const WRITE_PIPE_5: BodyCodec<WritePipe5Args> = {
  read: (r) => ({ data: readDevPipeData(r), client: readClntIdent(r) }),
  write: (w, v) => {
    writeDevPipeData(w, v.data);
    writeClntIdent(w, v.client);
  },
};
export interface SetPipeConfig5Args {
  readonly configs: PipeConfig[];
  readonly client: ClntIdent;
}
const PIPE_DATA: BodyCodec<DevPipeData> = { read: readDevPipeData, write: writeDevPipeData };
const PIPE_CONFIGS: BodyCodec<PipeConfig[]> = { read: readPipeConfigList, write: writePipeConfigList };
/** set_pipe_config_5(PipeConfigList, ClntIdent) (idl/pipe-request-set_pipe_config_5.golden.hex). */
const SET_PIPE_CONFIG_5: BodyCodec<SetPipeConfig5Args> = {
  read: (r) => ({ configs: readPipeConfigList(r), client: readClntIdent(r) }),
  write: (w, v) => {
    writePipeConfigList(w, v.configs);
    writeClntIdent(w, v.client);
  },
};

const op = <A, R>(args: BodyCodec<A>, result: BodyCodec<R>): OperationCodec<A, R> => ({ args, result });

/**
 * Codecs of every operation a Tango 9 client or server exchanges, by wire name.
 * `args` is the request body, `result` the NO_EXCEPTION reply body.
 */
export const TANGO_OPERATIONS = {
  _is_a: op(STRING, BOOLEAN),
  _non_existent: op(VOID, BOOLEAN),
  _get_name: op(VOID, STRING),
  _get_description: op(VOID, STRING),
  _get_status: op(VOID, STRING),
  _get_adm_name: op(VOID, STRING),
  _get_state: op(VOID, { read: readDevState, write: (w: CdrWriter, v: number) => w.ulong(v) }),
  ping: op(VOID, VOID),
  black_box: op({ read: (r: CdrReader) => r.long(), write: (w: CdrWriter, v: number) => w.long(v) }, STRINGS),
  info: op(VOID, devInfo(false)),
  info_3: op(VOID, devInfo(true)),
  command_query: op(STRING, cmdInfo(false)),
  command_query_2: op(STRING, cmdInfo(true)),
  command_list_query: op(VOID, cmdInfos(false)),
  command_list_query_2: op(VOID, cmdInfos(true)),
  command_inout: op(commandInout(1), ANY),
  command_inout_2: op(commandInout(2), ANY),
  command_inout_4: op(commandInout(4), ANY),
  get_attribute_config: op(STRINGS, configs(1)),
  get_attribute_config_2: op(STRINGS, configs(2)),
  get_attribute_config_3: op(STRINGS, configs(3)),
  get_attribute_config_5: op(STRINGS, configs(5)),
  set_attribute_config: op(setAttributeConfig(1, false), VOID),
  set_attribute_config_3: op(setAttributeConfig(3, false), VOID),
  set_attribute_config_4: op(setAttributeConfig(3, true), VOID),
  set_attribute_config_5: op(setAttributeConfig(5, true), VOID),
  read_attributes: op(readAttributes(1), valuesAny(false)),
  read_attributes_2: op(readAttributes(2), valuesAny(false)),
  read_attributes_3: op(readAttributes(2), valuesAny(true)),
  read_attributes_4: op(readAttributes(4), values45(false)),
  read_attributes_5: op(readAttributes(4), values45(true)),
  write_attributes: op(valuesAny(false), VOID),
  write_attributes_3: op(valuesAny(false), VOID),
  write_attributes_4: op(WRITE_ATTRIBUTES_4, VOID),
  write_read_attributes_4: op(WRITE_ATTRIBUTES_4, values45(false)),
  write_read_attributes_5: op(WRITE_READ_ATTRIBUTES_5, values45(true)),
  command_inout_history_4: op(HISTORY_ARGS, { read: readDevCmdHistory4, write: writeDevCmdHistory4 }),
  read_attribute_history_5: op(HISTORY_ARGS, { read: readDevAttrHistory5, write: writeDevAttrHistory5 }),
  get_pipe_config_5: op(STRINGS, PIPE_CONFIGS),
  set_pipe_config_5: op(SET_PIPE_CONFIG_5, VOID),
  read_pipe_5: op(READ_PIPE_5, PIPE_DATA),
  write_pipe_5: op(WRITE_PIPE_5, VOID),
  write_read_pipe_5: op(WRITE_PIPE_5, PIPE_DATA),
} as const;
export type TangoOperationName = keyof typeof TANGO_OPERATIONS;

/** The codec of an operation by wire name, or undefined when it is not a known Tango operation. */
export function operationCodec(name: string): OperationCodec<unknown, unknown> | undefined {
  if (!Object.hasOwn(TANGO_OPERATIONS, name)) return undefined;
  return TANGO_OPERATIONS[name as TangoOperationName] as unknown as OperationCodec<unknown, unknown>;
}

// ------------------------------------------------------------------------------------------------- exceptions

/** A USER_EXCEPTION reply body: the repository id, then the exception members. */
export type UserExceptionBody =
  | { readonly kind: "DevFailed"; readonly repoId: string; readonly errors: readonly DevError[] }
  | { readonly kind: "MultiDevFailed"; readonly repoId: string; readonly namedErrors: readonly NamedDevError[] }
  | { readonly kind: "unknown"; readonly repoId: string };

export function readUserException(r: CdrReader): UserExceptionBody {
  const repoId = r.string();
  if (repoId === REPO_DEVFAILED) return { kind: "DevFailed", repoId, errors: readDevErrorList(r) };
  if (repoId === REPO_MULTIDEVFAILED) return { kind: "MultiDevFailed", repoId, namedErrors: readNamedDevErrorList(r) };
  return { kind: "unknown", repoId };
}
export function writeUserException(w: CdrWriter, e: UserExceptionBody): void {
  w.string(e.repoId);
  if (e.kind === "DevFailed") writeDevErrorList(w, e.errors);
  else if (e.kind === "MultiDevFailed") writeNamedDevErrorList(w, e.namedErrors);
}

/** A SYSTEM_EXCEPTION reply body. */
export interface SystemExceptionBody {
  readonly repoId: string;
  readonly minor: number;
  readonly completed: "YES" | "NO" | "MAYBE";
}
const COMPLETION = ["YES", "NO", "MAYBE"] as const;
export function readSystemExceptionBody(r: CdrReader): SystemExceptionBody {
  const repoId = r.string();
  const minor = r.ulong();
  const c = r.ulong();
  const completed = COMPLETION[c];
  if (completed === undefined) throw new ProtocolError(`system exception: completion status ${c} out of range`);
  return { repoId, minor, completed };
}
export function writeSystemExceptionBody(w: CdrWriter, e: SystemExceptionBody): void {
  w.string(e.repoId);
  w.ulong(e.minor);
  w.ulong(COMPLETION.indexOf(e.completed));
}
