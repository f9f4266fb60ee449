/**
 * A provider call's abort state (call-signals.ts): aborted by its deadline or by its client going
 * away, with every call of one client request following that client's signal, and nothing left
 * behind once a call is released.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { rejectOnAbort, startCallSignals, type CallSignals } from '../../src/providers/http/call-signals.js';

const LONG_DEADLINE_MS = 60_000;

describe('call signals', () => {
  const started: CallSignals[] = [];
  const start = (client: AbortSignal | undefined, deadlineMs = LONG_DEADLINE_MS) => {
    const signals = startCallSignals(client, deadlineMs);
    started.push(signals);
    return signals;
  };

  afterEach(() => {
    for (const signals of started.splice(0)) signals.release();
    vi.useRealTimers();
  });

  it('aborts every call of a request when its client goes away, with the client reason, and tells their listeners', () => {
    const client = new AbortController();
    const calls = Array.from({ length: 100 }, () => start(client.signal));
    const told: number[] = [];
    calls.forEach((call, index) => call.addEventListener('abort', () => told.push(index)));

    const reason = new Error('client closed the connection');
    client.abort(reason);

    for (const call of calls) {
      expect(call.aborted).toBe(true);
      expect(call.reason).toBe(reason);
      expect(call.deadlinePassed()).toBe(false);
      expect(call.any.aborted).toBe(true);
    }
    expect(told).toHaveLength(100);
  });

  it('leaves a released call alone when its client goes away later', () => {
    const client = new AbortController();
    const released = start(client.signal);
    const running = start(client.signal);
    released.release();

    client.abort(new Error('gone'));

    expect(released.aborted).toBe(false);
    expect(running.aborted).toBe(true);
  });

  it('starts aborted for a client already gone', () => {
    const client = new AbortController();
    client.abort(new Error('already gone'));
    const call = start(client.signal);
    expect(call.aborted).toBe(true);
    expect(call.reason).toBe(client.signal.reason);
  });

  it('aborts at the deadline with a TimeoutError, and says the deadline passed', () => {
    vi.useFakeTimers();
    const call = start(undefined, 500);
    const listener = vi.fn();
    call.addEventListener('abort', listener);
    vi.advanceTimersByTime(499);
    expect(call.aborted).toBe(false);

    vi.advanceTimersByTime(1);

    expect(call.aborted).toBe(true);
    expect(call.deadlinePassed()).toBe(true);
    expect(call.reason).toMatchObject({ name: 'TimeoutError' });
    expect(listener).toHaveBeenCalledTimes(1);
  });

  it('never fires a released deadline, nor a listener that was removed', () => {
    vi.useFakeTimers();
    const released = start(undefined, 500);
    released.release();
    const running = start(undefined, 500);
    const removed = vi.fn();
    running.addEventListener('abort', removed);
    running.removeEventListener('abort', removed);

    vi.advanceTimersByTime(1000);

    expect(released.aborted).toBe(false);
    expect(running.aborted).toBe(true);
    expect(removed).not.toHaveBeenCalled();
  });

  it('gives an AbortSignal that follows the call, made before or after it aborts', () => {
    const client = new AbortController();
    const early = start(client.signal);
    const signal = early.any;
    expect(signal.aborted).toBe(false);
    client.abort(new Error('gone'));
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBe(client.signal.reason);
  });

  it('rejects a waiting promise as soon as the call aborts, and settles with it otherwise', async () => {
    const client = new AbortController();
    const call = start(client.signal);
    const never = new Promise<string>(() => undefined);
    const waiting = rejectOnAbort(call, never);
    client.abort(new Error('gone'));
    await expect(waiting).rejects.toThrow('gone');

    const other = start(undefined);
    await expect(rejectOnAbort(other, Promise.resolve('answer'))).resolves.toBe('answer');
    await expect(rejectOnAbort(other, Promise.reject(new Error('failed')))).rejects.toThrow('failed');
  });
});
