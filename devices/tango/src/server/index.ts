/** @tango-bdd/tango/server: the device-server runtime and its authoring API. */

/** The blob forms of pipe handlers (the client's: a blob read with DeviceProxy.readPipe can be returned as it is). */
export type { PipeBlobInput, PipeBlobValue, PipeDataType, PipeElementInput, PipeReadElement } from "../client/pipe-blob.ts";
export {
  type AttributeOptions,
  type AttrReading,
  attr,
  attribute,
  type CommandOptions,
  classProperty,
  cmd,
  command,
  type DefineDeviceOptions,
  type DeviceOptions,
  defineDevice,
  device,
  deviceProperty,
  getDeviceClassSpec,
  type PipeBlobReturn,
  type PipeOptions,
  type PlainAttribute,
  type PlainCommand,
  type PlainPipe,
  type PlainProperty,
  type PropertyOptions,
  pipe,
  reading,
} from "./decorators.ts";
export { Device, type DeviceHost, type PushOptions, type Quality } from "./device.ts";
export type { AttrResult, DeviceClass, DeviceRuntime, DeviceStore, EventSink, PolledObject, PollRecord } from "./device-runtime.ts";
export * from "./dtypes.ts";
export { MemoryStore } from "./memory-store.ts";
export { OrbServer, type OrbServerOptions, type Servant } from "./orb-server.ts";
export { type RunServerOptions, runServer, type ServerHandle } from "./run-server.ts";
export { type DeviceEntry, DeviceServer, type DeviceServerOptions, type ExportedDevice, type ServerDatabase } from "./server.ts";
export { dbLinkServerDatabase } from "./server-database.ts";
export type {
  AttrAccess,
  AttributeSpec,
  CommandSpec,
  DataFormat,
  DeviceClassSpec,
  EventSpec,
  PipeAccess,
  PipeSpec,
  PropertySpec,
  SerialModel,
} from "./spec.ts";
