/**
 * Infrastructure failures: the stack could not be provisioned (provider unavailable, a component died while
 * starting, readiness timeout). Their reasons all start with `BDD_Infra`, which is how the report's categories
 * tell them apart from product failures (assertions, DevFailed raised by devices).
 */
import { DevFailed, devError } from "@tango-bdd/tango";

export const InfraReason = {
  ProviderUnavailable: "BDD_InfraProviderUnavailable",
  StartFailed: "BDD_InfraStartFailed",
  StartTimeout: "BDD_InfraStartTimeout",
  ComponentDied: "BDD_InfraComponentDied",
} as const;
export type InfraReasonName = (typeof InfraReason)[keyof typeof InfraReason];

export class InfrastructureFailure extends DevFailed {
  /** Log excerpt of the failing component, if any. */
  readonly logTail: string;

  constructor(reason: InfraReasonName, desc: string, origin: string, opts: { cause?: unknown; logTail?: string } = {}) {
    super([devError(reason, desc, origin)], opts.cause === undefined ? undefined : { cause: opts.cause });
    this.logTail = opts.logTail ?? "";
  }
}

/** Last `lines` lines of a log, for error messages. */
export function tail(text: string, lines = 15): string {
  const all = text.trimEnd().split("\n");
  return all.slice(-lines).join("\n");
}
