/**
 * Property (issue 8, item 3): whatever a client sends, it is never a server error. fast-check
 * throws random documents (plausible GraphQL built from this schema's fields, mutated documents and
 * plain noise), variables, entity representations, headers, methods and raw bodies at the running
 * subgraph (real simulators behind it) and asserts after every request: no HTTP 5xx, no
 * INTERNAL_SERVER_ERROR, no error-level log line, and no credential or provider address in the
 * response. After the run the process still answers. The number of runs is bounded.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PROVIDERS } from '../../src/providers/registry.js';
import { DETAILS_FRAGMENTS } from '../helpers/refund-details.js';
import { useStack } from '../helpers/stack.js';
import { HOSTILE_IDS, VALID_E, VALID_W } from '../hostile/hostile-inputs.js';

const RUNS = 300;
/** Controls (but line feeds), bidi controls, zero-width and other invisible characters: never raw in a message. */
const DISGUISING_CHARACTERS =
  // eslint-disable-next-line no-control-regex -- control characters are what this looks for
  /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u00a0\u00ad\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/;

const ids = fc.oneof(
  fc.constantFrom(VALID_W, VALID_E, `wooshpay:${VALID_W}`, `efundpay:${VALID_E}`, 're_missing'),
  fc.constantFrom(...HOSTILE_IDS.map(([, id]) => id)),
  fc.string({ unit: 'grapheme', maxLength: 30 }),
);
const jsonValue = fc.jsonValue({ maxDepth: 4 });
const PROVIDER_NAMES = PROVIDERS.map((definition) => definition.name);
/** Global-id prefixes: a provider's name in the wrong case. */
const PROVIDER_PREFIXES = PROVIDERS.map((definition) => definition.globalIdPrefix);
const anyId = fc.oneof(
  { weight: 4, arbitrary: ids },
  { weight: 1, arbitrary: fc.array(ids, { minLength: 1, maxLength: 2 }) },
  { weight: 1, arbitrary: jsonValue },
);

const representation = fc.oneof(
  fc.record({ __typename: fc.constantFrom('Refund', 'Invoice', 'Query', ''), id: anyId }),
  fc.record(
    {
      __typename: fc.oneof(fc.constant('Refund'), jsonValue),
      provider: fc.oneof(fc.constantFrom(...PROVIDER_NAMES, ...PROVIDER_PREFIXES, 'STRIPE'), jsonValue),
      providerRefundId: anyId,
    },
    { requiredKeys: [] },
  ),
  jsonValue,
);

const argument = fc.oneof(
  fc.constantFrom('(id: $id)', '(ids: $ids)', '(representations: $representations)', '', '(id: 1)', '(ids: [])'),
  ids.map((id) => `(id: ${JSON.stringify(id)})`),
  fc.array(ids, { maxLength: 5 }).map((list) => `(ids: ${JSON.stringify(list)})`),
);
const leaf = fc.constantFrom(
  'id',
  'provider',
  'status',
  'createdAt',
  'amount { minorUnits currencyCode decimal }',
  `details { __typename ${DETAILS_FRAGMENTS} }`,
  '__typename',
  'nope',
  '... on Refund { id }',
  '...F',
);
const rootField = fc
  .tuple(
    fc.constantFrom('', 'a: ', 'b: ', '__typename: '),
    fc.constantFrom(
      'refund',
      'refunds',
      '_entities',
      '__typename',
      '__typename',
      '__typename',
      '_service',
      '__schema',
      '__type',
      'unknownField',
    ),
    argument,
    fc.constantFrom('', '', '', ' @skip(if: $flag)', ' @include(if: true)', ' @deprecated', ' @nope'),
    fc.array(leaf, { maxLength: 4 }),
  )
  .map(([alias, name, rawArgs, directive, leaves]) => {
    const args = name === '__typename' ? '' : rawArgs;
    const selection =
      name === '_entities'
        ? `{ ... on Refund { ${leaves.join(' ') || 'id'} } }`
        : leaves.length
          ? `{ ${leaves.join(' ')} }`
          : '';
    const service = name === '_service' ? '{ sdl }' : name === '__schema' ? '{ types { name } }' : '';
    return `${alias}${name}${args}${directive} ${service || selection}`;
  });
const operation = fc
  .tuple(
    fc.constantFrom(
      'query',
      'mutation',
      'mutation',
      'subscription',
      'subscription',
      'query Named',
      '',
      'query ($id: ID!, $ids: [ID!]!, $representations: [_Any!]!, $flag: Boolean!)',
    ),
    fc.array(rootField, { minLength: 1, maxLength: 4 }),
    fc.constantFrom(
      '',
      ' fragment F on Refund { id }',
      ' fragment F on Query { __typename }',
      ' fragment F on F { id }',
    ),
  )
  .map(([head, fields, fragment]) => `${head} { ${fields.join(' ')} }${fragment}`);

/** Plausible documents, the same with random damage, and noise. */
const document = fc.oneof(
  { weight: 5, arbitrary: operation },
  {
    weight: 2,
    arbitrary: fc
      .tuple(operation, fc.nat(), fc.string({ unit: 'binary', maxLength: 8 }))
      .map(([text, at, noise]) => text.slice(0, at % (text.length + 1)) + noise + text.slice(at % (text.length + 1))),
  },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
);

const variables = fc.oneof(
  fc.record(
    {
      id: anyId,
      ids: fc.oneof(fc.array(anyId, { maxLength: 8 }), jsonValue),
      representations: fc.oneof(fc.array(representation, { maxLength: 8 }), jsonValue),
      flag: fc.oneof(fc.boolean(), jsonValue),
    },
    { requiredKeys: [] },
  ),
  jsonValue,
);

const headerValue = fc.stringMatching(/^[\x21-\x7e]{0,60}$/);
const headers = fc.record(
  {
    'content-type': fc.constantFrom(
      'application/json',
      'application/json; charset=utf-8',
      'application/graphql-response+json',
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data',
      'application/json; charset=latin1',
    ),
    'x-request-id': headerValue,
    traceparent: headerValue,
    'x-refunds-debug': fc.constantFrom('1', '0', 'yes'),
    'apollo-require-preflight': fc.constant('true'),
    'router-authorization': headerValue,
    accept: fc.constantFrom('application/json', 'text/html', 'application/graphql-response+json', '*/*'),
  },
  { requiredKeys: ['content-type'] },
);

/** JSON text nested `depth` arrays deep, built as text (JSON.stringify would overflow the stack). */
const nested = (depth: number) => `${'['.repeat(depth)}"Refund"${']'.repeat(depth)}`;
const deepRepresentation = fc
  .integer({ min: 1, max: 150_000 })
  .map(
    (depth) =>
      `{"query":"query ($r: [_Any!]!) { _entities(representations: $r) { __typename } }","variables":{"r":[{"__typename":${nested(depth)},"id":"re_1"}]}}`,
  );

const body = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .record(
        {
          query: document,
          variables,
          operationName: fc.option(fc.constantFrom('Named', 'Other', ''), { nil: undefined }),
        },
        { requiredKeys: ['query'] },
      )
      .map((value) => JSON.stringify(value)),
  },
  {
    weight: 1,
    arbitrary: fc
      .record({ query: jsonValue, variables: jsonValue, extensions: jsonValue }, { requiredKeys: [] })
      .map((value) => JSON.stringify(value)),
  },
  { weight: 1, arbitrary: jsonValue.map((value) => JSON.stringify(value)) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 300 }) },
  { weight: 1, arbitrary: deepRepresentation },
  {
    weight: 1,
    arbitrary: fc
      .nat({ max: 5000 })
      .map((depth) => `{"query":"{ __typename }","variables":{"v":${'['.repeat(depth)}${']'.repeat(depth)}}}`),
  },
);

const request = fc.record({
  method: fc.constantFrom('POST', 'POST', 'POST', 'GET'),
  body,
  headers,
  query: document,
  variables: variables.map((value) => JSON.stringify(value)),
});

describe('random requests never cause a server error', () => {
  // GraphiQL off: its page is a build artefact (503 until built), not an answer to client input.
  const stack = useStack({ env: { GRAPHIQL: 'false' } });

  it(`holds over ${RUNS} random requests`, async () => {
    // Credentials and provider addresses: neither may appear in any response.
    const secrets = [...stack.secrets, ...Object.values(stack.simulators).map((simulator) => simulator.url)];
    await fc.assert(
      fc.asyncProperty(request, async (input) => {
        const mark = stack.logs.length;
        let response: Response;
        if (input.method === 'GET') {
          const url = new URL(`${stack.url}/graphql`);
          url.searchParams.set('query', input.query);
          url.searchParams.set('variables', input.variables);
          response = await fetch(url, { headers: input.headers });
        } else {
          response = await fetch(`${stack.url}/graphql`, { method: 'POST', headers: input.headers, body: input.body });
        }
        const text = await response.text();
        expect(response.status, text.slice(0, 500)).toBeLessThan(500);
        expect(text).not.toContain('INTERNAL_SERVER_ERROR');
        // Messages quoting client input show bidi and invisible characters escaped.
        for (const message of text.matchAll(/"message":"((?:[^"\\]|\\.)*)"/g)) {
          const decoded = JSON.parse(`"${message[1]}"`) as string;
          expect(decoded).not.toMatch(DISGUISING_CHARACTERS);
        }
        for (const secret of secrets) expect(text).not.toContain(secret);
        const errors = stack.logs.slice(mark).filter((line) => line.level === 'error' || line.level === 'fatal');
        expect(errors, JSON.stringify(errors).slice(0, 1000)).toEqual([]);
      }),
      { numRuns: RUNS },
    );
    expect((await fetch(`${stack.url}/health`)).status).toBe(200);
  }, 240_000);
});
