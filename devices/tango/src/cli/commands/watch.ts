/** `tango watch <dev> <attr> [--event change|periodic|archive|user|attr-conf|data-ready|alarm|pipe] [--count N]`: one JSON line per event. */
import { closeEventConsumer, eventConsumer } from "../../events/consumer.ts";
import { itemToJson } from "../../events/event-item.ts";
import { EventTypes, isEventType } from "../../events/zmq-wire.ts";
import type { CliCommand } from "../cli-io.ts";
import { UsageError } from "../cli-io.ts";

const USAGE = `watch <device> <attribute> [--event ${EventTypes.join("|")}] [--count N]`;

export const command: CliCommand = {
  name: "watch",
  summary: "subscribe to events, print one JSON line per event (Ctrl-C to stop)",
  usage: USAGE,
  async run(args, io) {
    const pos: string[] = [];
    let event = "change";
    let count = Number.POSITIVE_INFINITY;
    for (let i = 0; i < args.length; i++) {
      const a = args[i] as string;
      const [flag, inline] =
        a.startsWith("--") && a.includes("=") ? [a.slice(0, a.indexOf("=")), a.slice(a.indexOf("=") + 1)] : [a, undefined];
      const value = (): string => {
        const v = inline ?? args[++i];
        if (v === undefined) throw new UsageError(`${flag} needs a value`);
        return v;
      };
      if (flag === "--event") event = value();
      else if (flag === "--count") {
        count = Number(value());
        if (!Number.isInteger(count) || count < 1) throw new UsageError("--count needs a positive integer");
      } else if (flag.startsWith("--")) throw new UsageError(`unknown option ${flag}; usage: ${USAGE}`);
      else pos.push(a);
    }
    if (pos.length !== 2) throw new UsageError(`usage: ${USAGE}`);
    if (!isEventType(event)) throw new UsageError(`--event must be one of ${EventTypes.join(", ")}`);
    const ctx = io.context();
    const stop = new AbortController();
    const onSignal = (): void => stop.abort();
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
    try {
      // By name, so that a device whose server is down is watched until it comes up.
      const sub = await eventConsumer(ctx).subscribe(pos[0] as string, pos[1] as string, event, {
        signal: stop.signal,
        ...(io.timeoutMs ? { timeoutMs: io.timeoutMs } : {}),
      });
      let n = 0;
      for await (const item of sub) {
        io.out(JSON.stringify(itemToJson(item)));
        if (++n >= count) break;
      }
      await sub.close();
      return 0;
    } finally {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
      await closeEventConsumer(ctx);
    }
  },
};
