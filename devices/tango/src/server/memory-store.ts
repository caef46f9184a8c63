/** In-memory DeviceStore: device/class/attribute properties for servers without a database and for test contexts. */
import type { DeviceStore } from "./device-runtime.ts";

export type PropertyInput = string | number | boolean | bigint | readonly (string | number | boolean | bigint)[];

function toStrings(v: PropertyInput): string[] {
  return (Array.isArray(v) ? (v as readonly unknown[]) : [v]).map((x) => String(x));
}

export interface MemoryStoreInit {
  /** device name → property name → value(s). */
  readonly deviceProperties?: Readonly<Record<string, Readonly<Record<string, PropertyInput>>>>;
  /** class name → property name → value(s). */
  readonly classProperties?: Readonly<Record<string, Readonly<Record<string, PropertyInput>>>>;
}

export class MemoryStore implements DeviceStore {
  readonly #dev = new Map<string, Map<string, string[]>>();
  readonly #cls = new Map<string, Map<string, string[]>>();
  /** device → attr → prop → values. */
  readonly #attr = new Map<string, Map<string, Map<string, string[]>>>();
  /** device → pipe → prop → values. */
  readonly #pipe = new Map<string, Map<string, Map<string, string[]>>>();

  constructor(init: MemoryStoreInit = {}) {
    for (const [d, props] of Object.entries(init.deviceProperties ?? {})) {
      for (const [k, v] of Object.entries(props)) this.#props(this.#dev, d).set(k.toLowerCase(), toStrings(v));
    }
    for (const [c, props] of Object.entries(init.classProperties ?? {})) {
      for (const [k, v] of Object.entries(props)) this.#props(this.#cls, c).set(k.toLowerCase(), toStrings(v));
    }
  }

  #props(map: Map<string, Map<string, string[]>>, key: string): Map<string, string[]> {
    let m = map.get(key.toLowerCase());
    if (!m) {
      m = new Map();
      map.set(key.toLowerCase(), m);
    }
    return m;
  }

  async deviceProperties(device: string): Promise<Record<string, string[]>> {
    return Object.fromEntries(this.#props(this.#dev, device));
  }
  async classProperties(tangoClass: string): Promise<Record<string, string[]>> {
    return Object.fromEntries(this.#props(this.#cls, tangoClass));
  }
  async attributeProperties(device: string, attrs: readonly string[]): Promise<Record<string, Record<string, string[]>>> {
    return objectProps(this.#attr, device, attrs);
  }
  async putAttributeProperties(device: string, attr: string, props: Readonly<Record<string, readonly string[]>>): Promise<void> {
    putObjectProps(this.#attr, device, attr, props);
  }
  async pipeProperties(device: string, pipes: readonly string[]): Promise<Record<string, Record<string, string[]>>> {
    return objectProps(this.#pipe, device, pipes);
  }
  async putPipeProperties(device: string, pipe: string, props: Readonly<Record<string, readonly string[]>>): Promise<void> {
    putObjectProps(this.#pipe, device, pipe, props);
  }
  async deletePipeProperties(device: string, pipe: string, names: readonly string[]): Promise<void> {
    const m = this.#pipe.get(device.toLowerCase())?.get(pipe.toLowerCase());
    for (const n of names) m?.delete(n);
  }
  async putDeviceProperty(device: string, name: string, values: readonly string[]): Promise<void> {
    this.#props(this.#dev, device).set(name.toLowerCase(), [...values]);
  }
  async deleteDeviceProperty(device: string, name: string): Promise<void> {
    this.#props(this.#dev, device).delete(name.toLowerCase());
  }
}

type ObjectProps = Map<string, Map<string, Map<string, string[]>>>;

/** object (lower-case) → prop → values, for the named objects (attributes or pipes) of a device that have some. */
function objectProps(map: ObjectProps, device: string, names: readonly string[]): Record<string, Record<string, string[]>> {
  const d = map.get(device.toLowerCase());
  const out: Record<string, Record<string, string[]>> = {};
  for (const a of names) {
    const m = d?.get(a.toLowerCase());
    if (m) out[a.toLowerCase()] = Object.fromEntries(m);
  }
  return out;
}

function putObjectProps(map: ObjectProps, device: string, name: string, props: Readonly<Record<string, readonly string[]>>): void {
  let d = map.get(device.toLowerCase());
  if (!d) {
    d = new Map();
    map.set(device.toLowerCase(), d);
  }
  let m = d.get(name.toLowerCase());
  if (!m) {
    m = new Map();
    d.set(name.toLowerCase(), m);
  }
  for (const [k, v] of Object.entries(props)) m.set(k, [...v]);
}
