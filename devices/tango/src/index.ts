/** @tango-bdd/tango: the Tango client API. */

export { TangoContext, type TangoContextOptions } from "./client/context.ts";
export { type AttrValue, type CommandValue, type DevEncodedValue, type ScalarValue, toJsonValue } from "./client/convert.ts";
export { type DbDeviceInfo, DbLink, type ImportInfo, type Properties, type PropertyValue } from "./client/db-link.ts";
export { formatTangoHosts, type ParsedDeviceName, parseDeviceName, parseTangoHost, type TangoHost } from "./client/device-name.ts";
export {
  type AttributeInfo,
  type AttributeReadError,
  type AttributeReading,
  type AttributeResult,
  type CommandInfo,
  type ConnectOptions,
  DeviceProxy,
  type PipeInfo,
  type PipeReading,
} from "./client/device-proxy.ts";
export type { LockInfo } from "./client/locking.ts";
export {
  inferPipeDataType,
  type PipeBlobInput,
  type PipeBlobValue,
  type PipeDataType,
  PipeDataTypes,
  type PipeElementInput,
  type PipeReadElement,
  type PipeReadValue,
} from "./client/pipe-blob.ts";
export { Database } from "./database/database.ts";
export * from "./errors/errors.ts";
export * from "./idl/constants.ts";
export { type PipeWriteTypeName, PipeWriteTypeNames } from "./idl/pipe.ts";
export type { AttributeConfig, AttributeDim, ClntIdent, DevInfo } from "./idl/structs.ts";
export { GiopConnection, TransportFailure } from "./iiop/connection.ts";
export { type CallOptions, type Clock, type LogFields, type Logger, silentLogger, systemClock } from "./iiop/logger.ts";
export { ConnectionPool } from "./iiop/pool.ts";
