// Must come first: tells Monaco where vite emitted its same-origin worker files
// (a CSP without blob: would refuse any other kind of worker).
import 'graphiql/setup-workers/vite';
import 'graphiql/style.css';
import './page.css';

import { createGraphiQLFetcher } from '@graphiql/toolkit';
import { GraphiQL } from 'graphiql';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';

import { DEFAULT_HEADERS, DEFAULT_QUERY, EXAMPLE_TABS } from './example-operations.js';
import { ANALYSTS_PLUGIN } from './plugin.js';

/*
 * The subgraph serves this page at both "/" and "/graphql", and answers GraphQL POSTs at
 * "/graphql" on the same origin, and subscriptions over WebSocket (graphql-ws) at the same path:
 * all the page's CSP (connect-src 'self' and this origin's ws:/wss: URL) allows. The headers
 * editor's values go in the WebSocket's connection_init payload (where the router secret is read).
 */
const graphqlUrl = new URL('/graphql', window.location.origin);
const subscriptionUrl = new URL(graphqlUrl);
subscriptionUrl.protocol = graphqlUrl.protocol === 'https:' ? 'wss:' : 'ws:';
const fetcher = createGraphiQLFetcher({ url: graphqlUrl.href, subscriptionUrl: subscriptionUrl.href });

/*
 * "?query=..." opens that operation instead of the default one (links from runbooks, browser
 * tests). `initialQuery` makes it win over tabs GraphiQL kept in localStorage;
 * `defaultTabs` makes it the first tab on a first visit.
 */
const queryFromUrl = new URLSearchParams(window.location.search).get('query');
const defaultTabs = queryFromUrl
  ? [{ query: queryFromUrl, headers: DEFAULT_HEADERS }, ...EXAMPLE_TABS]
  : [...EXAMPLE_TABS];

const container = document.getElementById('graphiql');
if (!container) throw new Error('GraphiQL page: expected an element with id "graphiql" in index.html, found none');

createRoot(container).render(
  <StrictMode>
    <GraphiQL
      fetcher={fetcher}
      plugins={[ANALYSTS_PLUGIN]}
      defaultQuery={DEFAULT_QUERY}
      defaultTabs={defaultTabs}
      {...(queryFromUrl ? { initialQuery: queryFromUrl } : {})}
      defaultHeaders={DEFAULT_HEADERS}
      isHeadersEditorEnabled
      defaultEditorToolsVisibility="headers"
    />
  </StrictMode>,
);
