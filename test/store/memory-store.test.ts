/** The in-process LRU store. */
import { describe, expect, it, vi } from 'vitest';
import { MemoryStore } from '../../src/store/memory-store.js';

describe('MemoryStore', () => {
  it('stores, reads, reads many in key order and deletes', async () => {
    const store = new MemoryStore({ maxEntries: 10 });
    await store.set('a', '1', 60_000);
    await store.set('b', '2', 60_000);
    expect(await store.get('a')).toBe('1');
    expect(await store.getMany(['b', 'x', 'a'])).toEqual(['2', null, '1']);
    await store.delete('a');
    expect(await store.get('a')).toBeNull();
    expect(store.health()).toBe('ok');
  });

  it('forgets an entry when its time to live ends', async () => {
    const store = new MemoryStore({ maxEntries: 10 });
    await store.set('short', 'v', 20);
    await store.set('long', 'v', 60_000);
    await vi.waitFor(async () => expect(await store.get('short')).toBeNull(), { timeout: 5000, interval: 10 });
    expect(await store.get('long')).toBe('v');
    expect(await store.setIfAbsent('short', 'again', 60_000)).toBe(true);
  });

  it('holds at most maxEntries, pushing out the least recently used and counting each eviction', async () => {
    let evictions = 0;
    const store = new MemoryStore({ maxEntries: 3, onEvict: () => (evictions += 1) });
    await store.set('a', '1', 60_000);
    await store.set('b', '2', 60_000);
    await store.set('c', '3', 60_000);
    await store.get('a'); // a is now the most recently used
    await store.set('d', '4', 60_000);
    await store.set('a', 'replaced', 60_000); // a replacement is not an eviction
    expect(store.size).toBe(3);
    expect(await store.getMany(['a', 'b', 'c', 'd'])).toEqual(['replaced', null, '3', '4']);
    expect(evictions).toBe(1);
  });

  it('decodes a stored value once per decoder, and again only after it is replaced', async () => {
    const store = new MemoryStore({ maxEntries: 10 });
    await store.set('a', '{"n":1}', 60_000);
    await store.set('bad', 'not json', 60_000);
    const decoded: string[] = [];
    const decode = (text: string): { n: number } | null => {
      decoded.push(text);
      try {
        return JSON.parse(text) as { n: number };
      } catch {
        return null;
      }
    };
    const [first, bad, missing] = await store.getManyDecoded(['a', 'bad', 'x'], decode);
    const [again, badAgain] = await store.getManyDecoded(['a', 'bad'], decode);
    expect(first).toEqual({ n: 1 });
    expect(again).toBe(first);
    expect([bad, badAgain, missing]).toEqual([null, null, null]);
    expect(decoded).toEqual(['{"n":1}', 'not json']);

    // Another decoder gets its own decoding; a replaced value is decoded afresh.
    const other = (text: string) => ({ text });
    expect(await store.getManyDecoded(['a'], other)).toEqual([{ text: '{"n":1}' }]);
    await store.set('a', '{"n":2}', 60_000);
    expect(await store.getManyDecoded(['a'], decode)).toEqual([{ n: 2 }]);
    expect(await store.get('a')).toBe('{"n":2}');
    expect(decoded).toEqual(['{"n":1}', 'not json', '{"n":2}']);
  });

  it('lets exactly one of many concurrent claims win', async () => {
    const store = new MemoryStore({ maxEntries: 10 });
    const claims = await Promise.all(Array.from({ length: 20 }, (_, i) => store.setIfAbsent('k', `v${i}`, 60_000)));
    expect(claims.filter(Boolean)).toHaveLength(1);
    expect(await store.get('k')).toBe(`v${claims.indexOf(true)}`);
  });

  it('refuses a bound or a time to live that is not a positive whole number', async () => {
    expect(() => new MemoryStore({ maxEntries: 0 })).toThrow('maxEntries must be a positive whole number, received 0');
    await expect(new MemoryStore({ maxEntries: 1 }).set('k', 'v', 1.5)).rejects.toThrow(
      'ttlMs must be a positive whole number of milliseconds, received 1.5',
    );
  });
});
