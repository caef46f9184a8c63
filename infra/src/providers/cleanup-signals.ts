/** The signals after which a provider removes what it started, then lets the process terminate. */
const CLEANUP_SIGNALS: readonly NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];

/** Listens once to each clean-up signal (SIGINT, SIGTERM, SIGHUP). */
export function onceOnCleanupSignals(listener: (signal: NodeJS.Signals) => void): void {
  for (const signal of CLEANUP_SIGNALS) process.once(signal, listener);
}

/** Removes a listener added by onceOnCleanupSignals (from the signals it has not fired for yet). */
export function offCleanupSignals(listener: (signal: NodeJS.Signals) => void): void {
  for (const signal of CLEANUP_SIGNALS) process.off(signal, listener);
}
