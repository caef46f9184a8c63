/** @tango-bdd/tango/events: client-side ZMQ event subscriptions (a separate entry so plain clients do not load zeromq). */
export {
  closeEventConsumer,
  EventConsumer,
  type EventConsumerOptions,
  EventSubscription,
  eventConsumer,
  type SubscribeOptions,
  type SubscriptionState,
  subscribe,
  subscribeByName,
  subscribeEvent,
} from "./consumer.ts";
export type { ConfigEventItem, DataReadyEventItem, ErrorEventItem, EventItem, PipeEventItem, ValueEventItem } from "./event-item.ts";
export type { EventType } from "./zmq-wire.ts";
