/** The client the suite uses to talk to the stack under test (readiness pings, steps, event subscriptions). */
import { eventingAdapter, type TangoAdapter } from "@tango-bdd/infra";

/**
 * Servers send a heartbeat every 9 s (as cppTango does); a server silent for 10 s is declared dead (an
 * API_EventTimeout error event), and its subscriptions are retried every 500 ms until it is back.
 */
export function makeClient(tangoHost: string): TangoAdapter {
  return eventingAdapter(tangoHost, { timeoutMs: 3000, events: { keepAliveTickMs: 250, heartbeatTimeoutMs: 10_000, retryPeriodMs: 500 } });
}
