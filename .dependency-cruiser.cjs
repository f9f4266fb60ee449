/**
 * The layers of src/, checked by `npm run check:layers` (part of `npm run check`).
 *
 * Imports point one way, down this list; a module may import its own layer and any layer below it,
 * never one above:
 *   1. the process entry (src/index.ts), which nothing imports
 *   2. the composition root: src/app/ (configuration, building and stopping everything) and the sandbox
 *   3. transport: src/server/ (HTTP and GraphQL) and src/resolvers/
 *   4. the use cases: one room each under src/refunds/ (read, create, …)
 *   5. infrastructure: the key-value store and Redis connection, observability, provider budgets, JWT auth
 *   6. the providers: the port, the plug-in definition, the HTTP core, the registry, one folder per provider
 *   7. the provider-neutral domain
 * Beside the order: one provider folder never imports another, transport never reaches into a
 * provider folder (it goes through the registry and the port), and no import cycles.
 * Outside the layers: src/simulator-kit/ (a generic toolkit anyone may use; it imports nothing of
 * ours) and src/__generated__/ (codegen output anyone may use; it may import the domain, the
 * providers' model.ts files and the GraphQL context, types only). Every other module under src/
 * must belong to a layer: a new top-level folder gets its place in LAYERS below.
 * test/unit/layer-rules.test.ts plants a violation of each rule in a scratch tree and expects it.
 */

/** Highest first. `path` matches the modules of the layer (paths relative to the repository root). */
const LAYERS = [
  { name: 'entry', path: '^src/index\\.ts$' },
  { name: 'composition', path: '^src/(app|sandbox)/' },
  { name: 'transport', path: '^src/(server|resolvers)/' },
  { name: 'use-cases', path: '^src/refunds/' },
  { name: 'infrastructure', path: '^src/(store|observability|budget|auth)/' },
  { name: 'providers', path: '^src/providers/' },
  { name: 'domain', path: '^src/domain/' },
];
/** A provider's own folder (the HTTP core under providers/http/ is shared, not a provider). */
const PROVIDER_FOLDER = '^src/providers/(?!http/)([^/]+)/';
const SIMULATOR_KIT = '^src/simulator-kit/';
const GENERATED = '^src/__generated__/';
/** What generated code may import (types only): the models and the request context it names. */
const GENERATED_MAY_IMPORT = ['^src/domain/', '^src/providers/.+/model\\.ts$', '^src/server/graphql/context\\.ts$'];
const EVERYWHERE_KNOWN = [...LAYERS.map((layer) => layer.path), SIMULATOR_KIT, GENERATED];

const upwardImportRules = LAYERS.slice(1).map((layer, index) => ({
  name: `no-upward-import-from-${layer.name}`,
  comment: `The ${layer.name} layer imports only its own layer and the layers below it, never ${LAYERS.slice(
    0,
    index + 1,
  )
    .map((higher) => higher.name)
    .join(' or ')}.`,
  severity: 'error',
  from: { path: layer.path },
  to: { path: LAYERS.slice(0, index + 1).map((higher) => higher.path) },
}));

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    ...upwardImportRules,
    {
      name: 'no-provider-imports-another',
      comment:
        'A provider folder is self-contained: it never imports another provider’s folder (shared code goes to the port or the HTTP core).',
      severity: 'error',
      from: { path: PROVIDER_FOLDER },
      to: { path: '^src/providers/(?!http/)[^/]+/', pathNot: '^src/providers/$1/' },
    },
    {
      name: 'no-transport-into-a-provider',
      comment:
        'Transport (server, resolvers) reaches providers only through the registry and the port, never a provider’s folder.',
      severity: 'error',
      from: { path: '^src/(server|resolvers)/' },
      to: { path: PROVIDER_FOLDER, pathNot: '^src/providers/[^/]+/model\\.ts$' },
    },
    {
      name: 'no-import-of-process-entry',
      comment: 'src/index.ts starts the process; import startApp or loadConfig instead.',
      severity: 'error',
      from: {},
      to: { path: LAYERS[0].path },
    },
    {
      name: 'simulator-kit-stands-alone',
      comment: 'The simulator toolkit is generic: it imports nothing else from src/.',
      severity: 'error',
      from: { path: SIMULATOR_KIT },
      to: { path: '^src/', pathNot: SIMULATOR_KIT },
    },
    {
      name: 'generated-imports-only-models',
      comment: 'Generated types may name only the domain, the providers’ model.ts files and the request context.',
      severity: 'error',
      from: { path: GENERATED },
      to: { path: '^src/', pathNot: [GENERATED, ...GENERATED_MAY_IMPORT] },
    },
    {
      name: 'generated-imports-types-only',
      comment: 'Generated code imports the models it names as types only, so it never pulls a layer in at run time.',
      severity: 'error',
      from: { path: GENERATED },
      to: { path: GENERATED_MAY_IMPORT, dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'module-outside-the-layers',
      comment:
        'Every module under src/ belongs to a layer: give a new folder its place in LAYERS in .dependency-cruiser.cjs.',
      severity: 'error',
      from: { path: '^src/', pathNot: EVERYWHERE_KNOWN },
      to: {},
    },
    {
      name: 'import-of-module-outside-the-layers',
      comment:
        'Every module under src/ belongs to a layer: give a new folder its place in LAYERS in .dependency-cruiser.cjs.',
      severity: 'error',
      from: {},
      to: { path: '^src/', pathNot: EVERYWHERE_KNOWN },
    },
    {
      name: 'no-circular',
      // Cycles through generated code are the mappers' type-only round trip (a model names a
      // generated enum, the generated resolver types name the model), allowed above.
      comment: 'No import cycles in src/ (cycles through the generated types are the allowed type-only ones).',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true, viaOnly: { pathNot: GENERATED } },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'An import that resolves to nothing.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
    {
      name: 'no-dev-dependency-at-run-time',
      comment: 'The service runs without devDependencies (npm ci --omit=dev): src/ imports them as types only.',
      severity: 'error',
      from: { path: '^src/' },
      to: { dependencyTypes: ['npm-dev'], dependencyTypesNot: ['type-only'] },
    },
  ],
  options: {
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
  },
};
