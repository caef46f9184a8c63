/**
 * TangoWorld: the state of one scenario. It owns the client of the stack under test (the stack itself is
 * shared by the scenarios of one worker, see stack-pool.ts), the proxies by device name, the event recorder,
 * the last error of a "try" step (which a Then step must claim) and the calls still running in the background.
 */
import { AssertionError } from "node:assert";
import { type IWorldOptions, setWorldConstructor, World } from "@cucumber/cucumber";
import type { DeviceClient, StartedStack, TangoClient } from "@tango-bdd/infra";
import { EventRecorder } from "./event-recorder.ts";
import { labelled, showValue } from "./values.ts";

/** `worldParameters` of cucumber.js profiles. */
export interface TangoWorldParameters {
  /** local | inprocess | docker | k8s */
  readonly target?: string;
  /** dsconfig JSON of the stack (default infra/config/examples.json). */
  readonly stackConfig?: string;
  /** Module exporting the device classes (default @tango-bdd/tabata). */
  readonly module?: string;
  /** Tabata sleep_time in seconds (the scaled tick). */
  readonly tabataTick?: number;
  /** Default timeout of client calls (ms). */
  readonly callTimeoutMs?: number;
  /** Sample Tabata workouts for the report's timeline (default true; false to compare timings without it). */
  readonly timelineSampling?: boolean;
  /** Where workers write facts about their stacks for the report (default reports/.run). */
  readonly runInfoDir?: string;
}

export interface CapturedError {
  readonly what: string;
  readonly error: unknown;
  claimed: boolean;
}

export interface BackgroundCall {
  readonly what: string;
  readonly startedAt: number;
  readonly promise: Promise<{ ok: true; value: unknown; at: number } | { ok: false; error: unknown; at: number }>;
  settled?: { ok: true; value: unknown; at: number } | { ok: false; error: unknown; at: number };
  claimed: boolean;
}

/** The counter-name properties of Tabata/AsyncTabata and the example's defaults (devices/tabata tabata-base.ts). */
const WORKOUT_COUNTERS: Readonly<Record<string, string>> = {
  prepCounter: "test/counter/prepare",
  workCounter: "test/counter/work",
  restCounter: "test/counter/rest",
  cycleCounter: "test/counter/cycles",
  tabatasCounter: "test/counter/tabatas",
};

/** The DevFailed reasons of an error, root cause first ([] when it is not a DevFailed). */
export function reasonsOf(e: unknown): string[] {
  if (e && typeof e === "object" && "errors" in e && Array.isArray((e as { errors: unknown }).errors)) {
    return (e as { errors: { reason?: unknown }[] }).errors.map((x) => String(x.reason ?? ""));
  }
  return [];
}

export function describeError(e: unknown): string {
  const reasons = reasonsOf(e);
  if (reasons.length > 0) {
    const errs = (e as { errors: { reason: string; desc: string }[] }).errors;
    return errs.map((x) => `${x.reason}: ${x.desc}`).join(" ← ");
  }
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}

export class TangoWorld extends World<TangoWorldParameters> {
  stack: StartedStack | undefined;
  client: TangoClient | undefined;
  readonly recorder = new EventRecorder();
  /** Errors captured by "try" steps, newest last. */
  readonly errors: CapturedError[] = [];
  readonly background = new Map<string, BackgroundCall>();
  /** What the last command returned. */
  lastResult: unknown;
  /** Recorder time of the most recent action (command, write): "since the last action" starts here. */
  lastActionAt = 0;
  /** Recorder time when the most recent action's reply arrived (phase timings start here). */
  lastActionDoneAt = 0;
  /** Log sizes at scenario start, so the After hook attaches only this scenario's part. */
  logOffsets: Record<string, number> = {};
  /** Set by steps that leave the stack in an unusual state (a killed server...): the next scenario gets a fresh stack. */
  disturbedStack = false;

  constructor(options: IWorldOptions<TangoWorldParameters>) {
    super(options);
  }

  get callTimeoutMs(): number {
    return this.parameters.callTimeoutMs ?? 3000;
  }

  requireClient(): TangoClient {
    if (!this.client) throw new RangeError("no Tango stack is attached to this scenario (is it tagged @no-stack?)");
    return this.client;
  }

  async device(name: string): Promise<DeviceClient> {
    return this.requireClient().device(name, { timeoutMs: this.callTimeoutMs });
  }

  /** Marks the start of an action (for "since the last action" questions). */
  markAction(): number {
    this.lastActionAt = this.recorder.now();
    this.lastActionDoneAt = this.lastActionAt;
    return this.lastActionAt;
  }

  async read(device: string, attribute: string): Promise<unknown> {
    const dev = await this.device(device);
    if (attribute.toLowerCase() === "state") return dev.state({ timeoutMs: this.callTimeoutMs });
    if (attribute.toLowerCase() === "status") return dev.status({ timeoutMs: this.callTimeoutMs });
    return dev.read(attribute, { timeoutMs: this.callTimeoutMs });
  }

  async write(device: string, attribute: string, value: unknown): Promise<void> {
    const dev = await this.device(device);
    this.markAction();
    this.recorder.command(device, `write ${attribute}`, value);
    try {
      await dev.write(attribute, value, { timeoutMs: this.callTimeoutMs });
    } catch (e) {
      this.recorder.commandFailed(device, `write ${attribute}`, e);
      throw e;
    } finally {
      this.recorder.wakeSamplers();
    }
    this.lastActionDoneAt = this.recorder.now();
  }

  async command(device: string, name: string, argin?: unknown, timeoutMs = this.callTimeoutMs): Promise<unknown> {
    const dev = await this.device(device);
    this.markAction();
    this.recorder.command(device, name, argin);
    try {
      this.lastResult = await dev.command(name, argin, { timeoutMs });
    } catch (e) {
      this.recorder.commandFailed(device, name, e);
      throw e;
    } finally {
      this.recorder.wakeSamplers();
    }
    this.lastActionDoneAt = this.recorder.now();
    return this.lastResult;
  }

  /**
   * For the report only: samples the workout of a Tabata/AsyncTabata device until the scenario ends — the `value`
   * of its five counters (named by its prepCounter … tabatasCounter properties) and its own running_state and
   * State — every min(50 ms, tick / 2), so the timeline shows how the counters really counted, not just the
   * events the scenario subscribed to. Idempotent; never used by assertions.
   */
  async sampleWorkout(device: string): Promise<void> {
    if (this.parameters.timelineSampling === false) return;
    const client = this.requireClient();
    const opts = { timeoutMs: this.callTimeoutMs };
    const prop = async (name: string): Promise<string | undefined> => (await client.deviceProperty(device, name, opts))[0];
    const tickS = Number((await prop("sleep_time")) ?? "1");
    const tickMs = (Number.isFinite(tickS) && tickS > 0 ? tickS : 1) * 1000;
    const counters = await Promise.all(
      Object.entries(WORKOUT_COUNTERS).map(async ([property, fallback]) => (await prop(property)) ?? fallback),
    );
    const tabata = await this.device(device);
    const targets = [
      { dev: tabata, attribute: "running_state" },
      { dev: tabata, attribute: "State" },
      ...(await Promise.all(counters.map(async (name) => ({ dev: await this.device(name), attribute: "value" })))),
    ];
    this.recorder.sample(targets, Math.min(50, tickMs / 2));
  }

  /** Runs `fn`; a failure is kept as the last error (to be claimed by a Then step) instead of failing the step. */
  async attempt(what: string, fn: () => Promise<unknown>): Promise<void> {
    try {
      await fn();
      this.errors.push({ what, error: undefined, claimed: true });
    } catch (error) {
      this.errors.push({ what, error, claimed: false });
    }
  }

  /** The error of the most recent "try" step; claims it. Throws when that step succeeded. */
  claimLastError(): CapturedError & { error: unknown } {
    const last = this.errors[this.errors.length - 1];
    if (!last) throw new RangeError("no step tried anything that could fail (use a 'When I try to …' step)");
    if (last.error === undefined) throw new AssertionError({ message: `expected "${last.what}" to fail, but it succeeded` });
    last.claimed = true;
    return last;
  }

  /** Starts a call without waiting for its reply (e.g. AsyncTabata's Run, which replies when the workout ends). */
  startInBackground(key: string, what: string, fn: () => Promise<unknown>): void {
    const startedAt = this.recorder.now();
    const call: BackgroundCall = {
      what,
      startedAt,
      claimed: false,
      promise: fn().then(
        (value) => ({ ok: true as const, value, at: this.recorder.now() }),
        (error: unknown) => ({ ok: false as const, error, at: this.recorder.now() }),
      ),
    };
    void call.promise.then((r) => {
      call.settled = r;
      this.recorder.note(`${what} ${r.ok ? `replied ${showValue(r.value)}` : `failed: ${describeError(r.error)}`}`);
    });
    this.background.set(key.toLowerCase(), call);
  }

  backgroundCall(key: string): BackgroundCall {
    const call = this.background.get(key.toLowerCase());
    if (!call) throw new RangeError(`nothing named ${key} was started in the background in this scenario`);
    return call;
  }

  /** Labels of a DevEnum attribute, [] otherwise (or when the client cannot tell). */
  async enumLabels(device: string, attribute: string): Promise<readonly string[]> {
    if (["state", "status"].includes(attribute.toLowerCase())) return [];
    const dev = await this.device(device);
    try {
      return (await dev.enumLabels?.(attribute, { timeoutMs: this.callTimeoutMs })) ?? [];
    } catch {
      return [];
    }
  }

  async show(device: string, attribute: string, v: unknown): Promise<string> {
    return labelled(v, await this.enumLabels(device, attribute));
  }

  /** Problems the After hook reports: unclaimed errors and background calls nobody looked at. */
  unclaimedProblems(): string[] {
    const out: string[] = [];
    for (const e of this.errors) if (!e.claimed) out.push(`"${e.what}" failed and no step checked it: ${describeError(e.error)}`);
    for (const c of this.background.values()) {
      if (!c.claimed && c.settled && !c.settled.ok)
        out.push(`background "${c.what}" failed and no step checked it: ${describeError(c.settled.error)}`);
    }
    return out;
  }
}

setWorldConstructor(TangoWorld);
