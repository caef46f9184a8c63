/**
 * A bounded single-consumer async queue: `push` never blocks; when full the OLDEST item is dropped and counted
 * (like cppTango's circular event queue, the latest values are kept). `next()` waits for an item or the end.
 */
export class BoundedQueue<T> {
  private readonly capacity: number;
  private items: T[] = [];
  private head = 0;
  private waiter: ((r: IteratorResult<T, undefined>) => void) | undefined;
  private ended = false;
  /** Items dropped because the queue was full. */
  dropped = 0;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`queue capacity must be a positive integer, got ${capacity}`);
    this.capacity = capacity;
  }

  get size(): number {
    return this.items.length - this.head;
  }

  get isEnded(): boolean {
    return this.ended;
  }

  push(item: T): void {
    if (this.ended) return;
    const w = this.waiter;
    if (w) {
      this.waiter = undefined;
      w({ value: item, done: false });
      return;
    }
    if (this.size >= this.capacity) {
      this.head++;
      this.dropped++;
    }
    this.items.push(item);
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }

  /** Takes an item if one is queued (no waiting). */
  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const v = this.items[this.head] as T;
    this.items[this.head] = undefined as T;
    this.head++;
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    }
    return v;
  }

  next(): Promise<IteratorResult<T, undefined>> {
    const v = this.shift();
    if (v !== undefined) return Promise.resolve({ value: v, done: false });
    if (this.ended) return Promise.resolve({ value: undefined, done: true });
    if (this.waiter) return Promise.reject(new RangeError("BoundedQueue has a single consumer: next() is already pending"));
    return new Promise((resolve) => {
      this.waiter = resolve;
    });
  }

  /** Ends the queue: queued items are still delivered, then `next()` reports done. Idempotent. */
  end(): void {
    this.ended = true;
    const w = this.waiter;
    if (w && this.size === 0) {
      this.waiter = undefined;
      w({ value: undefined, done: true });
    }
  }

  /** Ends and discards what is queued. */
  clear(): void {
    this.items = [];
    this.head = 0;
    this.end();
  }
}
