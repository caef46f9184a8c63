/**
 * Event subscriptions for the harness client through @tango-bdd/tango/events (kept apart from tango-adapter.ts
 * so that a client without events does not load zeromq).
 */
import type { DeviceProxy } from "@tango-bdd/tango";
import { closeEventConsumer, type EventConsumerOptions, type EventItem, eventConsumer } from "@tango-bdd/tango/events";
import { TangoAdapter, type TangoAdapterOptions, toReceivedEvent } from "./tango-adapter.ts";
import type { EventKind, IoOptions, ReceivedEvent, Subscription } from "./tango-client.ts";

/** A TangoAdapter whose devices can subscribe to events; consumer options tune failure detection (heartbeat timeout, retry period). */
export function eventingAdapter(tangoHost: string, opts: TangoAdapterOptions & { events?: EventConsumerOptions } = {}): TangoAdapter {
  let consumerOpts = opts.events;
  return new TangoAdapter(tangoHost, {
    ...opts,
    subscribe: async (proxy: DeviceProxy, attribute: string, kind: EventKind, io?: IoOptions): Promise<Subscription> => {
      const consumer = eventConsumer(proxy.context, consumerOpts);
      consumerOpts = undefined; // options apply at creation only
      const sub = await consumer.subscribe(proxy, attribute, kind, {
        ...(io?.timeoutMs === undefined ? {} : { timeoutMs: io.timeoutMs }),
        ...(io?.signal === undefined ? {} : { signal: io.signal }),
      });
      return {
        close: () => sub.close(),
        [Symbol.asyncDispose]: () => sub.close(),
        async *[Symbol.asyncIterator](): AsyncIterator<ReceivedEvent> {
          for await (const item of sub as AsyncIterable<EventItem>) {
            const r = toReceivedEvent(item as Parameters<typeof toReceivedEvent>[0]);
            if (r) yield r;
          }
        },
      };
    },
    onClose: async (context) => {
      await closeEventConsumer(context);
      await opts.onClose?.(context);
    },
  });
}
