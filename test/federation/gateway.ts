/**
 * Composes the refunds subgraph's `schema.graphql` with other subgraphs (`@apollo/composition`)
 * and runs a real `@apollo/gateway` over them behind an Apollo Server on loopback. Every fetch the
 * gateway makes to a subgraph is recorded by the gateway's own `willSendRequest` hook, which is
 * also where it sends `Router-Authorization`, as the router config in docs/supergraph.md does.
 */
import { readFileSync } from 'node:fs';
import { composeServices, type CompositionResult } from '@apollo/composition';
import { ApolloGateway, RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { Kind, parse, visit, type DocumentNode } from 'graphql';
import type { GraphQLResponse } from '../helpers/stack.js';

export const REFUNDS_TYPE_DEFS: DocumentNode = parse(
  readFileSync(new URL('../../schema.graphql', import.meta.url), 'utf8'),
);

export interface SubgraphDefinition {
  readonly name: string;
  readonly url: string;
  readonly typeDefs: DocumentNode;
}

/**
 * Directives Apollo Router acts on that the JavaScript gateway cannot load: the authorization
 * directives (it refuses their SECURITY features) and `@cacheTag` (its EXECUTION feature).
 */
const GATEWAY_UNSUPPORTED_DIRECTIVES = new Set(['requiresScopes', 'authenticated', 'policy', 'cacheTag']);

/**
 * The SDL without the directives `@apollo/gateway` cannot load (their uses and their `@link`
 * imports). It refuses a supergraph with the `requiresScopes` feature ("is for: SECURITY but is
 * unsupported") or the `cacheTag` feature ("is for: EXECUTION but is unsupported"), so the gateway
 * tests compose from this; composition with the directives is tested in composition.test.ts and
 * mutation.test.ts, and the subgraph enforces the scope itself (test/mutation/auth.test.ts).
 */
export function forTheJavaScriptGateway(typeDefs: DocumentNode): DocumentNode {
  return visit(typeDefs, {
    Directive(node) {
      if (GATEWAY_UNSUPPORTED_DIRECTIVES.has(node.name.value)) return null;
      if (node.name.value !== 'link') return undefined;
      return {
        ...node,
        arguments: node.arguments?.map((argument) =>
          argument.name.value === 'import' && argument.value.kind === Kind.LIST
            ? {
                ...argument,
                value: {
                  ...argument.value,
                  values: argument.value.values.filter(
                    (value) =>
                      !(value.kind === Kind.STRING && GATEWAY_UNSUPPORTED_DIRECTIVES.has(value.value.slice(1))),
                  ),
                },
              }
            : argument,
        ),
      };
    },
  });
}

export function composeSupergraph(subgraphs: readonly SubgraphDefinition[]): CompositionResult {
  return composeServices(subgraphs.map(({ name, url, typeDefs }) => ({ name, url, typeDefs })));
}

/** One request the gateway sent to a subgraph. */
export interface SubgraphFetch {
  readonly subgraph: string;
  readonly query: string;
  readonly variables: Record<string, unknown>;
}

export interface RunningGateway {
  readonly url: string;
  /** Every subgraph fetch since the last reset, in the order the gateway sent them. */
  readonly fetches: readonly SubgraphFetch[];
  /** `_entities` fetches sent to one subgraph since the last reset. */
  entityFetches(subgraph: string): SubgraphFetch[];
  resetFetches(): void;
  query<TData = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
  ): Promise<GraphQLResponse<TData>>;
  stop(): Promise<void>;
}

export interface GatewayOptions {
  /** Sent as `Router-Authorization` to the subgraph of this name. */
  readonly routerSecret?: { readonly subgraph: string; readonly value: string };
}

class RecordingDataSource extends RemoteGraphQLDataSource {
  constructor(
    url: string,
    private readonly subgraph: string,
    private readonly fetches: SubgraphFetch[],
    private readonly routerSecret: GatewayOptions['routerSecret'],
  ) {
    super({ url });
  }

  override willSendRequest({ request }: GraphQLDataSourceProcessOptions): void {
    this.fetches.push({ subgraph: this.subgraph, query: request.query ?? '', variables: { ...request.variables } });
    if (this.routerSecret?.subgraph === this.subgraph) {
      request.http?.headers.set('Router-Authorization', this.routerSecret.value);
    }
  }
}

/**
 * Starts a gateway over a supergraph that composed (from the subgraphs' SDL without authorization
 * directives, which the JavaScript gateway cannot load); throws with the composition errors otherwise.
 */
export async function startGateway(
  subgraphs: readonly SubgraphDefinition[],
  options: GatewayOptions = {},
): Promise<RunningGateway> {
  const composition = composeSupergraph(
    subgraphs.map((subgraph) => ({ ...subgraph, typeDefs: forTheJavaScriptGateway(subgraph.typeDefs) })),
  );
  if (composition.errors) {
    throw new Error(`Expected the supergraph to compose, received: ${composition.errors.map(String).join('; ')}`);
  }
  const fetches: SubgraphFetch[] = [];
  const gateway = new ApolloGateway({
    supergraphSdl: composition.supergraphSdl,
    buildService: ({ name, url }) => {
      if (url === undefined) throw new Error(`Subgraph ${name} has no URL in the supergraph`);
      return new RecordingDataSource(url, name, fetches, options.routerSecret);
    },
  });
  const server = new ApolloServer({ gateway });
  const { url } = await startStandaloneServer(server, { listen: { host: '127.0.0.1', port: 0 } });
  return {
    url,
    fetches,
    entityFetches: (subgraph) => fetches.filter((f) => f.subgraph === subgraph && f.query.includes('_entities')),
    resetFetches() {
      fetches.length = 0;
    },
    async query(query, variables) {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query, variables }),
      });
      return { status: response.status, headers: response.headers, body: (await response.json()) as never };
    },
    stop: () => server.stop(),
  };
}
