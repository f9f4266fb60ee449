import { describe, expect, it } from 'vitest';
import { RequestLog } from '../../src/simulator-kit/request-log.js';

describe('simulator request log', () => {
  it('keeps only the most recent records, oldest first, while counts stay exact', () => {
    const log = new RequestLog({ capacity: 3 });
    for (const id of ['a', 'b', 'a', 'c', 'a']) log.record('GET', `/refunds/${id}`, id, {});

    expect(log.records.map((record) => record.refundId)).toEqual(['a', 'c', 'a']);
    expect(log.count()).toBe(5);
    expect(log.count('a')).toBe(3);
    expect(log.count('b')).toBe(1);
    expect(log.count('never-seen')).toBe(0);
  });

  it('counts answers per status and fills in the record status', () => {
    const log = new RequestLog({ capacity: 1 });
    const first = log.record('GET', '/refunds/a', 'a', {});
    log.answered(first, 503);
    log.answered(log.record('GET', '/refunds/a', 'a', {}), 503);
    log.answered(log.record('GET', '/refunds/a', 'a', {}), 200);

    expect(first.status).toBe(503);
    expect(log.countByStatus(503)).toBe(2);
    expect(log.countByStatus(200)).toBe(1);
    expect(log.countByStatus(404)).toBe(0);
  });

  it('refuses a per-refund count once more distinct ids arrived than it counts, until reset', () => {
    const log = new RequestLog({ countedRefundIds: 2 });
    for (const id of ['a', 'b', 'c']) log.record('GET', `/refunds/${id}`, id, {});

    expect(log.count()).toBe(3);
    expect(() => log.count('a')).toThrow(
      "Per-refund request counts are unknown: more than 2 distinct refund ids arrived since the last resetRequests(); received a count request for 'a'",
    );

    log.reset();
    log.record('GET', '/refunds/c', 'c', {});
    expect(log.count('c')).toBe(1);
    expect(log.count()).toBe(1);
    expect(log.records).toHaveLength(1);
  });

  it('rejects a capacity that is not a positive integer', () => {
    expect(() => new RequestLog({ capacity: 0 })).toThrow(
      'Request log capacity must be a positive integer, received 0',
    );
  });
});
