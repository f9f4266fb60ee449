/**
 * Defaults that are also written in words elsewhere: the code's constant is the one value, and the
 * words must agree with it.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MAX_IDS_PER_FIELD, loadConfig } from '../../src/app/config.js';
import { DEFAULT_SETTLE_MS } from '../../src/simulator-kit/settle.js';

describe('defaults stated once', () => {
  it("schema.graphql's description of refunds states the limit the server enforces", () => {
    const schema = readFileSync(new URL('../../schema.graphql', import.meta.url), 'utf8');
    expect(schema).toContain(`Many refunds at once (at most ${MAX_IDS_PER_FIELD} ids).`);
  });

  it("the sandbox's settle time defaults to the simulators' own default", () => {
    expect(loadConfig({}).sandboxSettleMs).toBe(DEFAULT_SETTLE_MS);
  });
});
