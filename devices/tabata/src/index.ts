/**
 * @tango-bdd/tabata: the ska-tango-examples Counter, AsyncCounter, Tabata and AsyncTabata devices.
 * `tango serve <Server>/<instance> --module @tango-bdd/tabata` serves the classes that have devices registered for
 * that server in the database (e.g. `tabata/counters` → Counter, `tabata/tabata` → Tabata).
 */
import { AsyncCounter } from "./async-counter.ts";
import { AsyncTabata } from "./async-tabata.ts";
import { Counter } from "./counter.ts";
import { Tabata } from "./tabata.ts";

export { AsyncCounter } from "./async-counter.ts";
export { ASYNC_TICK_MS, AsyncTabata } from "./async-tabata.ts";
export { Counter, POLLED_VALUE_EVENT_PERIOD_MS } from "./counter.ts";
export { RUNNING_STATE_LABELS, RunningState } from "./running-state.ts";
export { Tabata } from "./tabata.ts";
export { DEFAULT_COUNTERS } from "./tabata-base.ts";
export { COUNTER_ROLES, type CounterRole, DEFAULT_SETTINGS, type WorkoutSettings } from "./workout.ts";

/** The device classes of this package (the `serve --module` contract). */
export const classes = [Counter, AsyncCounter, Tabata, AsyncTabata] as const;
/** Same list under the name `tango serve` also looks for. */
export const deviceClasses = classes;
