/** Tango error model: DevFailed with a stack of DevError frames (index 0 = root cause). */

export const ErrSeverity = { WARN: 0, ERR: 1, PANIC: 2 } as const;
export type ErrSeverityName = keyof typeof ErrSeverity;

export interface DevError {
  readonly reason: string;
  readonly desc: string;
  readonly origin: string;
  readonly severity: ErrSeverityName;
}

export function devError(reason: string, desc: string, origin = "", severity: ErrSeverityName = "ERR"): DevError {
  return { reason, desc, origin, severity };
}

/** The root cause (errors[0]) first, as people read a Tango error; the outermost frame after it when there is one. */
function messageOf(errors: readonly DevError[]): string {
  const root = errors[0];
  const top = errors[errors.length - 1];
  if (!root || !top) return "DevFailed";
  const r = `${root.reason}: ${root.desc}`;
  return root === top ? r : `${r} [${top.reason}: ${top.desc}]`;
}

export class DevFailed extends Error {
  readonly errors: readonly DevError[];

  constructor(errors: readonly DevError[] | DevError, options?: { cause?: unknown }) {
    const list = Array.isArray(errors) ? (errors as readonly DevError[]) : [errors as DevError];
    super(messageOf(list), options);
    // esbuild bundles (the CLI's) may rename a self-referencing class to `_DevFailed`: report the source name.
    this.name = new.target.name.replace(/^_+/, "");
    this.errors = list;
  }

  /** The root cause's reason (errors[0]). */
  get reason(): string {
    return this.errors[0]?.reason ?? "";
  }

  static from(reason: string, desc: string, origin = "", options?: { cause?: unknown }): DevFailed {
    return new DevFailed([devError(reason, desc, origin)], options);
  }

  /** Appends a frame on top of `err` as cppTango's Except::re_throw_exception does. */
  static rethrow(err: unknown, reason: string, desc: string, origin = ""): DevFailed {
    const base =
      err instanceof DevFailed ? err.errors : [devError("API_JsError", err instanceof Error ? err.message : String(err), origin)];
    return new DevFailed([...base, devError(reason, desc, origin)], { cause: err });
  }

  /** Does any frame carry this reason? */
  hasReason(reason: string): boolean {
    return this.errors.some((e) => e.reason === reason);
  }

  /** Multi-line human readable stack (root cause first). */
  format(): string {
    return this.errors.map((e, i) => `[${i}] ${e.severity} ${e.reason}\n    desc: ${e.desc}\n    origin: ${e.origin}`).join("\n");
  }
}

export class ConnectionFailed extends DevFailed {}
export class CommunicationFailed extends DevFailed {}
export class WrongNameSyntax extends DevFailed {}
export class EventSystemFailed extends DevFailed {}
export class NotAllowed extends DevFailed {}
export class DeviceTimeout extends DevFailed {}

export interface NamedDevError {
  readonly name: string;
  readonly indexInCall: number;
  readonly errors: readonly DevError[];
}

/** Tango MultiDevFailed (write_attributes*): one error list per failed attribute. */
export class MultiDevFailed extends DevFailed {
  readonly namedErrors: readonly NamedDevError[];
  constructor(namedErrors: readonly NamedDevError[], options?: { cause?: unknown }) {
    const flat = namedErrors.flatMap((n) => n.errors);
    super(flat.length > 0 ? flat : [devError("API_MultiDevFailed", "MultiDevFailed with no errors")], options);
    this.namedErrors = namedErrors;
  }
}

/** A CORBA system exception received on the wire (or raised locally by the ORB layer). */
export class CorbaSystemException extends Error {
  readonly repoId: string;
  readonly minor: number;
  readonly completed: "YES" | "NO" | "MAYBE";
  constructor(repoId: string, minor: number, completed: "YES" | "NO" | "MAYBE", detail?: string) {
    super(`${repoId} minor=0x${minor.toString(16)} completed=${completed}${detail ? `: ${detail}` : ""}`);
    this.name = "CorbaSystemException";
    this.repoId = repoId;
    this.minor = minor;
    this.completed = completed;
  }
  get shortName(): string {
    return /IDL:omg\.org\/CORBA\/([A-Z_]+):/.exec(this.repoId)?.[1] ?? this.repoId;
  }
}

/** Malformed bytes on the wire (CDR, GIOP, ZMTP payloads). */
export class ProtocolError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "ProtocolError";
  }
}

/** A caller passed a value the API cannot accept (wrong type, out of range for the wire type...). */
export class InvalidArgumentError extends DevFailed {
  constructor(desc: string, origin = "", reason = "API_IncompatibleArgumentType") {
    super([devError(reason, desc, origin)]);
  }
}
