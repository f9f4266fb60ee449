/**
 * `schema.graphql` composes into a Federation 2 supergraph with subgraphs that reference `Refund`
 * by each of its keys, as `rover supergraph compose` and the router would compose it.
 */
import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { DISPUTES_TYPE_DEFS, ORDERS_TYPE_DEFS } from './commerce-subgraphs.js';
import { composeSupergraph, REFUNDS_TYPE_DEFS } from './gateway.js';

const subgraphs = [
  { name: 'refunds', url: 'http://127.0.0.1:4001/graphql', typeDefs: REFUNDS_TYPE_DEFS },
  { name: 'orders', url: 'http://127.0.0.1:4002/graphql', typeDefs: ORDERS_TYPE_DEFS },
  { name: 'disputes', url: 'http://127.0.0.1:4003/graphql', typeDefs: DISPUTES_TYPE_DEFS },
];

/** The directives on `type Refund` in a supergraph SDL, one per line. */
function refundTypeDirectives(supergraphSdl: string): string[] {
  const match = /^type Refund\n((?:\s+@.*\n)+)/m.exec(supergraphSdl);
  if (!match?.[1]) throw new Error('Expected `type Refund` with directives in the supergraph SDL');
  return match[1]
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
}

describe('composition', () => {
  it('links the cacheTag feature for EXECUTION, so Apollo Router can invalidate a refund by its tag', () => {
    const sdl = composeSupergraph(subgraphs).supergraphSdl ?? '';
    expect(sdl).toContain('@link(url: "https://specs.apollo.dev/cacheTag/v0.1", for: EXECUTION)');
  });

  it('composes schema.graphql with subgraphs referencing Refund by each key, without errors', () => {
    const result = composeSupergraph(subgraphs);

    expect(result.errors?.map(String)).toBeUndefined();
    const sdl = result.supergraphSdl ?? '';
    expect(refundTypeDirectives(sdl)).toEqual([
      '@join__type(graph: DISPUTES, key: "provider providerRefundId", resolvable: false)',
      '@join__type(graph: ORDERS, key: "id", resolvable: false)',
      '@join__type(graph: REFUNDS, key: "id")',
      '@join__type(graph: REFUNDS, key: "provider providerRefundId")',
      '@join__directive(graphs: [REFUNDS], name: "federation__cacheTag", args: {format: "refund-{$key.id}"})',
    ]);
    expect(sdl).toMatch(/refund\(\n[\s\S]*?\): Refund @join__field\(graph: REFUNDS\)/);
    expect(sdl).toMatch(/refunds\(\n[\s\S]*?\): \[Refund\]! @join__field\(graph: REFUNDS\)/);
    expect(sdl).toContain('@join__unionMember(graph: REFUNDS, member: "WooshPayRefundDetails")');
    expect(sdl).toContain('@join__unionMember(graph: REFUNDS, member: "EfundpayRefundDetails")');
  });

  it('rejects a consumer that references Refund by a field set the refunds subgraph does not declare as a key', () => {
    const byProviderIdOnly = parse(/* GraphQL */ `
      extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key"])
      type Query {
        chargebacks: [Chargeback!]!
      }
      type Chargeback @key(fields: "id") {
        id: ID!
        refund: Refund
      }
      type Refund @key(fields: "providerRefundId", resolvable: false) {
        providerRefundId: String!
      }
    `);

    const result = composeSupergraph([
      subgraphs[0]!,
      { name: 'chargebacks', url: 'http://127.0.0.1:4004/graphql', typeDefs: byProviderIdOnly },
    ]);

    expect(result.supergraphSdl).toBeUndefined();
    expect(result.errors?.map((error) => error.extensions.code)).toContain('SATISFIABILITY_ERROR');
  });
});
