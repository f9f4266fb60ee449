/**
 * Single flight: concurrent reads of the same key, from any operation in the process, share one
 * call. The shared call is cancelled only when every caller waiting for it has gone away (one
 * client leaving must not fail the others), and what it observes is told to every waiter.
 */
export interface FlightWaiter<TEvent> {
  /** This caller's cancellation (its client going away). */
  readonly signal?: AbortSignal;
  /** Told what the shared call observes (e.g. provider call records for a debug view). */
  readonly observe?: (event: TEvent) => void;
}

export interface SharedCall<TEvent> {
  /** Aborts once every waiter's own signal has aborted. */
  readonly signal: AbortSignal;
  readonly observe: (event: TEvent) => void;
}

interface Flight<T, TEvent> {
  readonly promise: Promise<T>;
  readonly controller: AbortController;
  readonly observers: Set<(event: TEvent) => void>;
  waiting: number;
}

export class SingleFlight<T, TEvent = never> {
  readonly #flights = new Map<string, Flight<T, TEvent>>();

  /** Calls in flight now (for tests and metrics). */
  get size(): number {
    return this.#flights.size;
  }

  /**
   * Joins the call in flight for `key`, or starts one with `start`. `joined` is true when this
   * caller shares a call another caller started.
   */
  run(
    key: string,
    waiter: FlightWaiter<TEvent>,
    start: (shared: SharedCall<TEvent>) => Promise<T>,
  ): { promise: Promise<T>; joined: boolean } {
    let flight = this.#flights.get(key);
    const joined = flight !== undefined;
    if (!flight) {
      const controller = new AbortController();
      const observers = new Set<(event: TEvent) => void>();
      const shared: SharedCall<TEvent> = {
        signal: controller.signal,
        observe: (event) => {
          for (const observer of observers) observer(event);
        },
      };
      const created: Flight<T, TEvent> = {
        controller,
        observers,
        waiting: 0,
        promise: Promise.resolve()
          .then(() => start(shared))
          .finally(() => {
            if (this.#flights.get(key) === created) this.#flights.delete(key);
          }),
      };
      flight = created;
      this.#flights.set(key, flight);
    }
    return { promise: this.#wait(flight, waiter), joined };
  }

  async #wait(flight: Flight<T, TEvent>, waiter: FlightWaiter<TEvent>): Promise<T> {
    flight.waiting += 1;
    const observer = waiter.observe;
    if (observer) flight.observers.add(observer);
    let left = false;
    const leave = () => {
      if (left) return;
      left = true;
      flight.waiting -= 1;
      if (observer) flight.observers.delete(observer);
      if (flight.waiting === 0 && waiter.signal?.aborted) flight.controller.abort(waiter.signal.reason);
    };
    const signal = waiter.signal;
    if (signal?.aborted) leave();
    else signal?.addEventListener('abort', leave, { once: true });
    try {
      return await flight.promise;
    } finally {
      signal?.removeEventListener('abort', leave);
      if (!left) {
        left = true;
        flight.waiting -= 1;
        if (observer) flight.observers.delete(observer);
      }
    }
  }
}
