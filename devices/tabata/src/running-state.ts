/** The `running_state` DevEnum of the Tabata devices (ska-tango-examples `RunningState.py`): labels in this order. */
export const RunningState = { PREPARE: 0, WORK: 1, REST: 2 } as const;
export type RunningState = (typeof RunningState)[keyof typeof RunningState];

/** DevEnum labels, index = value. */
export const RUNNING_STATE_LABELS = ["PREPARE", "WORK", "REST"] as const;
