/**
 * Webhook delivery shared by the provider simulators: POSTs a provider's signed event to a target
 * URL and retries with doubling delays until the provider's expected answer comes, within a bounded
 * number of attempts. Each attempt is built afresh (a new timestamp and signature, as providers
 * re-sign retries). A provider supplies only the event's format, its signature and what answer
 * counts as accepted. This toolkit imports nothing else of this repository.
 */

/** One request a simulator sends: the body exactly as signed, and its headers. */
export interface WebhookMessage {
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** One delivery attempt, as tests read it. */
export interface WebhookDelivery {
  readonly eventId: string;
  readonly refundId: string;
  /** 1 for the first attempt of this send. */
  readonly attempt: number;
  /** The answer's status; null when no answer came (connection refused, timeout). */
  readonly status: number | null;
  readonly accepted: boolean;
}

/** Test controls of one send. */
export interface WebhookSendOptions {
  /** Sends the same event (same id) this many times, each after the previous one finished (default 1). */
  readonly times?: number;
  /** The provider status the body claims instead of the refund's current one: an older event. */
  readonly claimedStatus?: string;
  /** Moves the signed timestamp by this many seconds (negative: a late delivery, positive: from the future). */
  readonly timestampOffsetS?: number;
  /** false: the signature header is left out. */
  readonly signed?: boolean;
  /** Attempts for this send, instead of the simulator's setting. */
  readonly maxAttempts?: number;
}

/** The webhook controls a simulator handle offers. */
export interface SimulatorWebhooks {
  /** Where events go; null (the default) keeps them unsent. */
  readonly target: string | null;
  /** Set once the receiver listens (the subgraph's port is known only then). */
  setTarget(url: string | null): void;
  /**
   * Sends an event for a refund the simulator knows (created, or seeded as if made in the
   * provider's dashboard), built from the refund as it reads now. Resolves true when the last
   * delivery was accepted; rejects when the simulator has no such refund or no target is set.
   */
  send(refundId: string, options?: WebhookSendOptions): Promise<boolean>;
  /** Every attempt so far, oldest first. */
  readonly deliveries: readonly WebhookDelivery[];
  /** Resolves once no delivery is sending or waiting to retry (automatic ones included). */
  idle(): Promise<void>;
}

export interface WebhookSenderOptions {
  /** True when the answer is the provider's expected one (it stops retrying). */
  isAccepted(status: number, body: string): boolean;
  /** Attempts per delivery (default 5). */
  readonly maxAttempts?: number;
  /** The first retry's delay, doubling after each (default 200 ms). */
  readonly baseDelayMs?: number;
  /** How long one attempt may take (default 5000 ms). */
  readonly attemptTimeoutMs?: number;
}

export interface WebhookSender {
  readonly target: string | null;
  setTarget(url: string | null): void;
  /**
   * Delivers one event: `build(attempt)` makes each attempt's message. Resolves whether it was
   * accepted; never rejects (a delivery that never got through is recorded as such).
   */
  deliver(
    event: { eventId: string; refundId: string },
    build: () => WebhookMessage,
    maxAttempts?: number,
  ): Promise<boolean>;
  /** Runs `send` after `ms` (e.g. when a simulated refund settles), unless closed first. */
  later(ms: number, send: () => void): void;
  readonly deliveries: readonly WebhookDelivery[];
  idle(): Promise<void>;
  /** Cancels waiting retries and scheduled sends; sends in flight finish unrecorded. */
  close(): void;
}

/** Deliveries kept for tests; older ones are dropped. */
const MAX_DELIVERIES = 1000;

/** One POST of a message; never rejects: no answer (refused, timed out) is a null status. */
async function postMessage(
  url: string,
  message: WebhookMessage,
  timeoutMs: number,
): Promise<{ status: number | null; body: string }> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: message.headers,
      body: message.body,
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    return { status: response.status, body: await response.text() };
  } catch {
    return { status: null, body: '' };
  }
}

/**
 * The sender's timers: sleeps between retries and scheduled sends. `cancelAll()` clears every
 * pending one and ends it at once: a sleep resolves early, a scheduled call never runs.
 */
interface PendingTimers {
  sleep(ms: number): Promise<void>;
  after(ms: number, run: () => void): void;
  cancelAll(): void;
}

function createPendingTimers(): PendingTimers {
  /** Each pending timer, with what cancelAll() runs to end it at once. */
  const timers = new Map<NodeJS.Timeout, () => void>();
  return {
    sleep: (ms) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          timers.delete(timer);
          resolve();
        }, ms);
        timers.set(timer, resolve);
      }),
    after(ms, run) {
      const timer = setTimeout(() => {
        timers.delete(timer);
        run();
      }, ms);
      timers.set(timer, () => undefined);
    },
    cancelAll() {
      for (const [timer, end] of timers) {
        clearTimeout(timer);
        end();
      }
      timers.clear();
    },
  };
}

export function createWebhookSender(options: WebhookSenderOptions): WebhookSender {
  const maxAttempts = options.maxAttempts ?? 5;
  const baseDelayMs = options.baseDelayMs ?? 200;
  const attemptTimeoutMs = options.attemptTimeoutMs ?? 5000;
  const deliveries: WebhookDelivery[] = [];
  const inFlight = new Set<Promise<boolean>>();
  const timers = createPendingTimers();
  let target: string | null = null;
  let closed = false;

  /** Attempts one delivery until accepted, out of attempts, closed or the target unset; records each attempt. */
  async function run(
    event: { eventId: string; refundId: string },
    build: () => WebhookMessage,
    attempts: number,
  ): Promise<boolean> {
    for (let number = 1; number <= attempts && !closed; number += 1) {
      if (number > 1) await timers.sleep(baseDelayMs * 2 ** (number - 2));
      if (closed || target === null) return false;
      const answer = await postMessage(target, build(), attemptTimeoutMs);
      if (closed) return false;
      const accepted = answer.status !== null && options.isAccepted(answer.status, answer.body);
      deliveries.push({ ...event, attempt: number, status: answer.status, accepted });
      if (deliveries.length > MAX_DELIVERIES) deliveries.shift();
      if (accepted) return true;
    }
    return false;
  }

  return {
    get target() {
      return target;
    },
    setTarget(url) {
      if (url !== null && !URL.canParse(url)) throw new TypeError(`A webhook target must be a URL, received ${url}`);
      target = url;
    },
    deliver(event, build, attempts = maxAttempts) {
      if (!(Number.isInteger(attempts) && attempts >= 1)) {
        throw new RangeError(`maxAttempts must be a positive integer, received ${String(attempts)}`);
      }
      const delivery = run(event, build, attempts);
      inFlight.add(delivery);
      void delivery.finally(() => inFlight.delete(delivery));
      return delivery;
    },
    get deliveries() {
      return [...deliveries];
    },
    later(ms, send) {
      if (closed) return;
      timers.after(ms, () => {
        if (!closed) send();
      });
    },
    async idle() {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
    close() {
      closed = true;
      timers.cancelAll();
    },
  };
}

/** What a provider simulator makes of one send: the event id and a builder of each attempt. */
export interface WebhookEventBuilder {
  readonly eventId: string;
  build(): WebhookMessage;
}

/**
 * The handle's controls over a sender: `event(refundId, options)` is the provider's format
 * (undefined when the simulator has no such refund).
 */
export function createSimulatorWebhooks(
  sender: WebhookSender,
  event: (refundId: string, options: WebhookSendOptions) => WebhookEventBuilder | undefined,
): SimulatorWebhooks {
  return {
    get target() {
      return sender.target;
    },
    setTarget: (url) => sender.setTarget(url),
    async send(refundId, options = {}) {
      if (sender.target === null) throw new Error('No webhook target is set: call setTarget(url) first');
      const built = event(refundId, options);
      if (built === undefined) throw new Error(`The simulator has no refund ${refundId}`);
      let accepted = false;
      for (let time = 0; time < (options.times ?? 1); time += 1) {
        accepted = await sender.deliver({ eventId: built.eventId, refundId }, () => built.build(), options.maxAttempts);
      }
      return accepted;
    },
    get deliveries() {
      return sender.deliveries;
    },
    idle: () => sender.idle(),
  };
}

/**
 * Sends a refund's event once it has settled, if a target is set by then: once per refund, a little
 * after the settle time so the refund reads as settled when the event is built.
 */
export function createSettledSends(
  sender: WebhookSender,
  controls: SimulatorWebhooks,
): (refundId: string, settleMs: number) => void {
  const scheduled = new Set<string>();
  return (refundId, settleMs) => {
    if (scheduled.has(refundId)) return;
    scheduled.add(refundId);
    sender.later(settleMs + 5, () => {
      if (sender.target !== null) void controls.send(refundId).catch(() => undefined);
    });
  };
}
