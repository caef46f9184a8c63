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
    const d = this.#attr.get(device.toLowerCase());
    const out: Record<string, Record<string, string[]>> = {};
    for (const a of attrs) {
      const m = d?.get(a.toLowerCase());
      if (m) out[a.toLowerCase()] = Object.fromEntries(m);
    }
    return out;
  }
  async putAttributeProperties(device: string, attr: string, props: Readonly<Record<string, readonly string[]>>): Promise<void> {
    let d = this.#attr.get(device.toLowerCase());
    if (!d) {
      d = new Map();
      this.#attr.set(device.toLowerCase(), d);
    }
    let m = d.get(attr.toLowerCase());
    if (!m) {
      m = new Map();
      d.set(attr.toLowerCase(), m);
    }
    for (const [k, v] of Object.entries(props)) m.set(k, [...v]);
  }
  async putDeviceProperty(device: string, name: string, values: readonly string[]): Promise<void> {
    this.#props(this.#dev, device).set(name.toLowerCase(), [...values]);
  }
  async deleteDeviceProperty(device: string, name: string): Promise<void> {
    this.#props(this.#dev, device).delete(name.toLowerCase());
  }
}
