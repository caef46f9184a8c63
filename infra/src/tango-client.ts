/**
 * The narrow client surface the harness and the BDD world need (ping, read/write/command, events, database
 * look-ups). The real implementation adapts @tango-bdd/tango (tango-adapter.ts); tests can pass a fake.
 */

export interface IoOptions {
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

export type EventKind = "change" | "periodic" | "archive" | "user";

/** One item delivered by a subscription: a value, or an error event (which does not end the subscription). */
export type ReceivedEvent =
  | {
      readonly kind: "value";
      readonly value: unknown;
      readonly quality?: string;
      /** The synchronous read delivered when the subscription is made (or re-made). */
      readonly synchronous?: boolean;
      /** Reception time, ms since the epoch. */
      readonly receivedAt?: number;
    }
  | { readonly kind: "error"; readonly error: unknown; readonly receivedAt?: number };

export interface Subscription extends AsyncIterable<ReceivedEvent>, AsyncDisposable {
  close(): Promise<void>;
}

export interface DeviceClient {
  readonly name: string;
  /** Round trip in microseconds. */
  ping(opts?: IoOptions): Promise<number>;
  state(opts?: IoOptions): Promise<string>;
  status(opts?: IoOptions): Promise<string>;
  read(attribute: string, opts?: IoOptions): Promise<unknown>;
  write(attribute: string, value: unknown, opts?: IoOptions): Promise<void>;
  command(name: string, argin?: unknown, opts?: IoOptions): Promise<unknown>;
  subscribe(attribute: string, kind: EventKind, opts?: IoOptions): Promise<Subscription>;
  /** Labels of a DevEnum attribute ([] for other types). */
  enumLabels?(attribute: string, opts?: IoOptions): Promise<readonly string[]>;
}

export interface DeviceDbInfo {
  readonly name: string;
  readonly exported: boolean;
  readonly server: string;
  readonly tangoClass: string;
}

export interface TangoClient extends AsyncDisposable {
  readonly tangoHost: string;
  /** A proxy to `name` (cached per client). */
  device(name: string, opts?: IoOptions): Promise<DeviceClient>;
  /** Device names matching a wildcard pattern (`test/counter/*`), from the database. */
  deviceNames(pattern: string, opts?: IoOptions): Promise<string[]>;
  /** What the database knows about one device. */
  deviceInfo(name: string, opts?: IoOptions): Promise<DeviceDbInfo>;
  /** Value of a device property in the database. */
  deviceProperty(device: string, property: string, opts?: IoOptions): Promise<string[]>;
  putDeviceProperty(device: string, property: string, values: readonly string[], opts?: IoOptions): Promise<void>;
  close(): Promise<void>;
}

export type TangoClientFactory = (tangoHost: string) => Promise<TangoClient> | TangoClient;
