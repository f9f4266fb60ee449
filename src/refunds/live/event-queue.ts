/**
 * A bounded queue read as an async iterator: one per subscriber. The producer never waits and the
 * queue never holds more than `capacity` items: an item arriving while it is full is dropped, and
 * the first such drop tells `onOverflow` (the consumer is not reading; the transport closes it).
 */
export interface EventQueueOptions<T> {
  readonly capacity: number;
  /** Told once, at the first item dropped because the queue was full. */
  readonly onOverflow: () => void;
  /** Told of every item dropped because the queue was full. */
  readonly onDrop?: () => void;
  /** Told of every item handed to the consumer. */
  readonly onYield?: (item: T) => void;
  /** Runs once when the iterator ends, however it ends. */
  readonly onEnd?: () => void;
}

export class EventQueue<T> implements AsyncIterableIterator<T> {
  readonly #options: EventQueueOptions<T>;
  #items: T[] = [];
  #waiting: ((result: IteratorResult<T>) => void) | null = null;
  #done = false;
  #overflowed = false;

  constructor(options: EventQueueOptions<T>) {
    this.#options = options;
  }

  get ended(): boolean {
    return this.#done;
  }

  /** Offers an item; returns false when it was dropped (queue full or ended). */
  push(item: T): boolean {
    if (this.#done) return false;
    if (this.#waiting) {
      const resolve = this.#waiting;
      this.#waiting = null;
      this.#options.onYield?.(item);
      resolve({ value: item, done: false });
      return true;
    }
    if (this.#items.length >= this.#options.capacity) {
      this.#options.onDrop?.();
      if (!this.#overflowed) {
        this.#overflowed = true;
        this.#options.onOverflow();
      }
      return false;
    }
    this.#items.push(item);
    return true;
  }

  next(): Promise<IteratorResult<T>> {
    if (this.#items.length > 0) {
      const item = this.#items.shift()!;
      this.#options.onYield?.(item);
      return Promise.resolve({ value: item, done: false });
    }
    if (this.#done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => {
      this.#waiting = resolve;
    });
  }

  return(): Promise<IteratorResult<T>> {
    this.end();
    return Promise.resolve({ value: undefined, done: true });
  }

  /** Ends the iterator: what waits is dropped, a waiting `next()` completes. */
  end(): void {
    if (this.#done) return;
    this.#done = true;
    this.#items = [];
    const resolve = this.#waiting;
    this.#waiting = null;
    resolve?.({ value: undefined, done: true });
    this.#options.onEnd?.();
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
