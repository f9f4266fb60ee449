/**
 * Nothing secret leaks. Runs a representative set of the fault, hostile-input, limit and masking
 * scenarios against real stacks (WooshPay key, efundpay RS512 JWTs, wrong credentials, an open
 * breaker), captures every GraphQL response (body and headers) and every log line, and asserts
 * that none contains a credential, a private key, a JWT, a provider URL or a provider's own words.
 */
import { generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { REFUND_FIELDS, startStack, type Stack } from '../helpers/stack.js';
import { efundpayJwtSimulator } from '../helpers/efundpay-jwt.js';
import { HOSTILE_IDS } from '../hostile/hostile-inputs.js';
import {
  EFUNDPAY_EUR_DOCS_EXAMPLE,
  EFUNDPAY_GBP_FAILED,
  EFUNDPAY_NOT_SEEDED,
  EFUNDPAY_OTHER_MERCHANT,
  EFUNDPAY_USD_PROCESSING,
  WOOSHPAY_EUR_PENDING,
  WOOSHPAY_FAILED_LOST_CARD,
  WOOSHPAY_GBP_REQUIRES_ACTION,
  WOOSHPAY_NOT_SEEDED,
  WOOSHPAY_USD_SPEC_EXAMPLE,
} from '../fixtures/sandbox-refunds.js';

const KEY_ID = 'leak-test-key-id';
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PRIVATE_KEY_PEM = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
const OTHER_PRIVATE_KEY_PEM = other.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const WRONG_WOOSHPAY_KEY = 'sk_test_wrongwrongwrong0123456789';

const W = [
  WOOSHPAY_USD_SPEC_EXAMPLE.providerRefundId,
  WOOSHPAY_EUR_PENDING.providerRefundId,
  WOOSHPAY_GBP_REQUIRES_ACTION.providerRefundId,
  WOOSHPAY_FAILED_LOST_CARD.providerRefundId,
];
const E = [
  EFUNDPAY_EUR_DOCS_EXAMPLE.providerRefundId,
  EFUNDPAY_USD_PROCESSING.providerRefundId,
  EFUNDPAY_GBP_FAILED.providerRefundId,
];

const REFUNDS = `query Refunds($ids: [ID!]!) { refunds(ids: $ids) { ${REFUND_FIELDS} } }`;
const ENTITIES = `query Entities($representations: [_Any!]!) { _entities(representations: $representations) { ... on Refund { ${REFUND_FIELDS} } } }`;

/** The providers' own error texts (simulators) and what a misbehaving proxy says. */
const PROVIDER_TEXTS = [
  'No such refund',
  'Invalid API Key',
  'The resource could not be found',
  'No valid API authentication found',
  'Missing required scopes',
  'required scope',
  'The bearer token',
  'Too many requests',
  'An unexpected error occurred',
  'Service temporarily unavailable',
  'Request could not be processed',
  'Unrecognized request URL',
  'value is not a valid uuid',
  'Welcome to nginx',
  'Gateway of doom',
  '<html',
  // ky's and undici's own messages carry the URL.
  'Request failed with status',
  'Request timed out',
  'fetch failed',
];

const captured: Array<{ source: string; text: string }> = [];
const stacks: Stack[] = [];
let elsewhere: Server;
let elsewhereOrigin = '';
let elsewhereRequests = 0;

async function graphql(
  stack: Stack,
  query: string,
  variables?: Record<string, unknown>,
  headers: Record<string, string> = {},
) {
  return send(stack, JSON.stringify({ query, variables }), {
    'content-type': 'application/json',
    'x-refunds-debug': '1',
    ...headers,
  });
}

async function send(stack: Stack, body: string, headers: Record<string, string>) {
  const response = await fetch(`${stack.url}/graphql`, { method: 'POST', headers, body });
  const text = await response.text();
  captured.push({
    source: `response ${response.status}`,
    text: `${[...response.headers].map(([k, v]) => `${k}: ${v}`).join('\n')}\n\n${text}`,
  });
  return { status: response.status, text };
}

async function stackFor(options: Parameters<typeof startStack>[0]): Promise<Stack> {
  const stack = await startStack({
    ...options,
    env: {
      LOG_LEVEL: 'trace',
      PROVIDER_ATTEMPT_TIMEOUT_MS: '300',
      PROVIDER_DEADLINE_MS: '2000',
      BREAKER_VOLUME_THRESHOLD: '100000',
      ...options?.env,
    },
  });
  stacks.push(stack);
  for (const secret of stack.secrets) stackSecrets.add(secret);
  return stack;
}

/** Every credential any stack here was given (the registry says which variables are secret). */
const stackSecrets = new Set<string>();

/** The fault suite, in short: every kind of fault once, through refunds and _entities. */
async function runFaults(stack: Stack): Promise<void> {
  const { wooshpay, efundpay } = stack.simulators;
  await graphql(stack, REFUNDS, {
    ids: [
      ...W,
      ...E,
      WOOSHPAY_NOT_SEEDED.providerRefundId,
      EFUNDPAY_NOT_SEEDED.providerRefundId,
      EFUNDPAY_OTHER_MERCHANT.providerRefundId,
    ],
  });

  wooshpay.injectFault(W[0]!, { kind: 'status', status: 500, times: 2 });
  wooshpay.injectFault(W[1]!, { kind: 'status', status: 503 });
  wooshpay.injectFault(W[2]!, { kind: 'status', status: 429, retryAfter: '3600' });
  wooshpay.injectFault(W[3]!, { kind: 'reset', times: 1 });
  efundpay.injectFault(E[0]!, { kind: 'hang' });
  efundpay.injectFault(E[1]!, { kind: 'status', status: 502 });
  efundpay.injectFault(E[2]!, { kind: 'status', status: 429, retryAfter: '1', times: 1 });
  await graphql(stack, REFUNDS, { ids: [...W, ...E] });
  wooshpay.clearFaults();
  efundpay.clearFaults();

  const bodies = [
    { contentType: 'text/html', body: '<html><body><h1>Welcome to nginx!</h1></body></html>' },
    {
      contentType: 'application/json',
      body: `{"id":"${WOOSHPAY_USD_SPEC_EXAMPLE.providerRefundId}","object":"refund","amount":"Gateway of doom"}`,
    },
    { contentType: 'application/json', body: `{"id":"${WOOSHPAY_USD_SPEC_EXAMPLE.providerRefundId}","obj` },
    {
      contentType: 'application/json',
      body: '{"id":"re_other","object":"refund","amount":1,"created":1,"currency":"usd","status":"succeeded"}',
    },
  ];
  for (const body of bodies) {
    wooshpay.injectFault(W[0]!, { kind: 'raw', ...body });
    efundpay.injectFault(E[0]!, { kind: 'raw', ...body });
    await graphql(stack, REFUNDS, { ids: [W[0], E[0]] });
    wooshpay.clearFaults();
    efundpay.clearFaults();
  }
  wooshpay.injectFault(W[0]!, {
    kind: 'raw',
    status: 404,
    contentType: 'text/html',
    body: '<html>Gateway of doom 404</html>',
  });
  wooshpay.injectFault(W[1]!, { kind: 'redirect', location: `${elsewhereOrigin}/v1/refunds/${W[1]}` });
  efundpay.injectFault(E[0]!, { kind: 'redirect', status: 307, location: `${elsewhereOrigin}/v4/refunds/${E[0]}` });
  for (const status of [401, 403]) {
    wooshpay.injectFault(W[2]!, { kind: 'status', status, times: 1 });
    efundpay.injectFault(E[1]!, { kind: 'status', status, times: 1 });
  }
  await graphql(stack, REFUNDS, { ids: [...W, ...E] });
  await graphql(stack, ENTITIES, {
    representations: [
      { __typename: 'Refund', id: `wooshpay:${W[0]}` },
      { __typename: 'Refund', provider: 'WOOSHPAY', providerRefundId: W[1] },
      { __typename: 'Refund', provider: 'EFUNDPAY', providerRefundId: E[0] },
      { __typename: 'Refund', provider: 'EFUNDPAY', providerRefundId: E[1] },
    ],
  });
  wooshpay.clearFaults();
  efundpay.clearFaults();
}

/** The hostile-input and limits suites, in short, plus a representation of a foreign type. */
async function runHostile(stack: Stack): Promise<void> {
  const ids = HOSTILE_IDS.map(([, id]) => id);
  await graphql(stack, REFUNDS, { ids });
  await graphql(stack, ENTITIES, { representations: ids.map((id) => ({ __typename: 'Refund', id })) });
  await graphql(stack, ENTITIES, {
    representations: ids.map((id) => ({ __typename: 'Refund', provider: 'EFUNDPAY', providerRefundId: id })),
  });
  await graphql(stack, `query { refund(id: ${JSON.stringify(ids[0])}) { id } }`);
  await graphql(stack, REFUNDS, { ids: Array.from({ length: 101 }, (_, index) => `re_${index}`) });
  await graphql(stack, ENTITIES, { representations: [{ __typename: 'Invoice', id: 'in_1' }] });
  await send(stack, '{"query": "{ refund(id: \\"re_1\\") { id } }"', { 'content-type': 'application/json' });
  await send(stack, JSON.stringify({ query: '{ __typename }', padding: 'x'.repeat(1_100_000) }), {
    'content-type': 'application/json',
  });
  await send(stack, JSON.stringify({ query: '{ __typename }' }), { 'content-type': 'text/plain' });
}

describe('no secret, provider URL or provider body text leaks', () => {
  beforeAll(async () => {
    elsewhere = createServer((_req, res) => {
      elsewhereRequests += 1;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
    await new Promise<void>((resolve) => elsewhere.listen(0, '127.0.0.1', resolve));
    elsewhereOrigin = `http://127.0.0.1:${(elsewhere.address() as AddressInfo).port}`;

    // WooshPay key + efundpay RS512 JWTs: faults, hostile input, limits, masking.
    const jwtStack = await stackFor({
      replace: { efundpay: efundpayJwtSimulator(KEY_ID, publicKey) },
      env: { EFUNDPAY_API_KEY: undefined, EFUNDPAY_KEY_ID: KEY_ID, EFUNDPAY_PRIVATE_KEY: PRIVATE_KEY_PEM },
    });
    await runFaults(jwtStack);
    await runHostile(jwtStack);

    // Static efundpay API key.
    const keyStack = await stackFor({});
    await runFaults(keyStack);

    // Credentials the providers refuse for real: a wrong WooshPay key, a JWT signed by another key.
    const refused = await stackFor({
      replace: { efundpay: efundpayJwtSimulator(KEY_ID, publicKey) },
      env: {
        WOOSHPAY_SECRET_KEY: WRONG_WOOSHPAY_KEY,
        EFUNDPAY_API_KEY: undefined,
        EFUNDPAY_KEY_ID: KEY_ID,
        EFUNDPAY_PRIVATE_KEY: OTHER_PRIVATE_KEY_PEM,
      },
    });
    await graphql(refused, REFUNDS, { ids: [W[0], E[0]] });

    // A breaker that opens, fails fast, half-opens and closes.
    const breaker = await stackFor({
      env: { BREAKER_VOLUME_THRESHOLD: '3', BREAKER_RESET_MS: '200', PROVIDER_MAX_RETRIES: '0' },
    });
    breaker.simulators.efundpay.injectFault('*', { kind: 'status', status: 503 });
    await graphql(breaker, REFUNDS, { ids: [...E, W[0]] });
    await graphql(breaker, REFUNDS, { ids: [...E, W[0]] });
    breaker.simulators.efundpay.clearFaults();
    // The breaker half-opens BREAKER_RESET_MS after it opened; /ready reports it.
    await vi.waitFor(
      async () => {
        const ready = (await (await fetch(`${breaker.url}/ready`)).json()) as {
          providers: Record<string, { breaker: string }>;
        };
        expect(ready.providers.EFUNDPAY?.breaker).toBe('half-open');
      },
      { timeout: 5000, interval: 20 },
    );
    await graphql(breaker, REFUNDS, { ids: [E[0]] });
  }, 60_000);

  afterAll(async () => {
    await Promise.all(stacks.map((stack) => stack.stop()));
    elsewhere?.closeAllConnections();
    await new Promise((resolve) => elsewhere?.close(resolve));
  });

  const everything = () => [
    ...captured,
    ...stacks.flatMap((stack, index) => stack.rawLogs.map((text) => ({ source: `log of stack ${index}`, text }))),
  ];

  it('ran the scenarios it claims to (faults were hit, breaker opened, nothing followed a redirect)', () => {
    const logs = stacks.flatMap((stack) => stack.logs);
    const codes = new Set(logs.map((line) => line.code));
    for (const code of [
      'PROVIDER_UNAVAILABLE',
      'PROVIDER_TIMEOUT',
      'PROVIDER_RATE_LIMITED',
      'PROVIDER_AUTH_FAILED',
      'PROVIDER_BAD_RESPONSE',
    ]) {
      expect(codes, code).toContain(code);
    }
    expect(logs.some((line) => line.breaker === 'open')).toBe(true);
    expect(logs.some((line) => line.breaker === 'closed')).toBe(true);
    expect(captured.some(({ text }) => text.includes('the only entities this subgraph resolves'))).toBe(true);
    expect(captured.some(({ source }) => source === 'response 413')).toBe(true);
    expect(elsewhereRequests).toBe(0);
    expect(captured.length).toBeGreaterThan(20);
  });

  it('no credential, private key or JWT', () => {
    expect(stackSecrets.size).toBeGreaterThanOrEqual(2);
    const secrets = [
      // Each credential as given, and as HTTP Basic auth would carry it.
      ...[...stackSecrets].flatMap((secret) => [
        secret,
        Buffer.from(`${secret}:`).toString('base64'),
        Buffer.from(secret).toString('base64').slice(0, 24),
      ]),
      WRONG_WOOSHPAY_KEY,
      Buffer.from(`${WRONG_WOOSHPAY_KEY}:`).toString('base64'),
      'PRIVATE KEY',
      PRIVATE_KEY_PEM.split('\n')[1]!,
      OTHER_PRIVATE_KEY_PEM.split('\n')[1]!,
      'eyJ',
    ];
    for (const { source, text } of everything()) {
      for (const secret of secrets) {
        expect(text.includes(secret), `${source} contains ${secret.slice(0, 24)}…:\n${text.slice(0, 2000)}`).toBe(
          false,
        );
      }
    }
  });

  it('no provider URL, origin or port', () => {
    const origins = stacks
      .flatMap((stack) => [stack.simulators.wooshpay.origin, stack.simulators.efundpay.origin])
      .concat(elsewhereOrigin);
    const hosts = origins.map((origin) => new URL(origin).host);
    for (const { source, text } of everything()) {
      for (const host of hosts) {
        expect(text.includes(host), `${source} contains ${host}:\n${text.slice(0, 2000)}`).toBe(false);
      }
    }
  });

  it('no provider body text', () => {
    for (const { source, text } of everything()) {
      for (const phrase of PROVIDER_TEXTS) {
        expect(text.includes(phrase), `${source} contains "${phrase}":\n${text.slice(0, 2000)}`).toBe(false);
      }
    }
  });
});
