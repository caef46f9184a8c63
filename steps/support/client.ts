/** The client the suite uses to talk to the stack under test (readiness pings, steps, event subscriptions). */
import { TangoAdapter, type TangoClient } from "@tango-bdd/infra";

export function makeClient(tangoHost: string): TangoClient {
  return new TangoAdapter(tangoHost, { timeoutMs: 3000 });
}
