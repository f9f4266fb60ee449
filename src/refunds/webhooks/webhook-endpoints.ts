/**
 * Which providers take webhooks, and with what: each registered provider that defines `webhooks`,
 * with its verification secrets from its settings and, where its events name no refund id, the
 * finder that locates the refund. A provider without secrets, or without credentials to re-read
 * refunds with, has its endpoint off (404).
 */
import type { RefundProviderName } from '../../domain/refund.js';
import type {
  ProviderDefinition,
  ProviderDependencies,
  ProviderSettings,
  ProviderWebhooks,
  WebhookRefundFinder,
} from '../../providers/definition.js';
import type { SharedProviderSettings } from '../../providers/http/types.js';
import { PROVIDERS } from '../../providers/registry.js';

export interface WebhookEndpoint {
  readonly provider: RefundProviderName;
  /** The provider as people know it, for messages. */
  readonly label: string;
  /** The path segment: `POST /webhooks/<path>` (the provider's name in lower case). */
  readonly path: string;
  readonly webhooks: ProviderWebhooks;
  /** The verification secrets or keys; null: the endpoint is off and answers 404. */
  readonly secrets: readonly string[] | null;
  /** Finds the refund of an event that names none; null when the provider's events name the refund id. */
  readonly finder: WebhookRefundFinder | null;
  /** Why the endpoint is off, for the start line (names the variable to set); null when on. */
  readonly offBecause: string | null;
}

export interface WebhookEndpoints {
  readonly endpoints: readonly WebhookEndpoint[];
  /** Releases the finders' connections. */
  close(): Promise<void>;
}

export interface WebhookEndpointsOptions {
  /** Each provider's settings as its definition read them (AppConfig.providers). */
  readonly settings: Readonly<Record<RefundProviderName, ProviderSettings>>;
  readonly shared: SharedProviderSettings;
  readonly dependencies: ProviderDependencies;
  /** The registered providers; the registry by default. */
  readonly providers?: readonly ProviderDefinition[];
}

export function createWebhookEndpoints(options: WebhookEndpointsOptions): WebhookEndpoints {
  const endpoints: WebhookEndpoint[] = [];
  for (const definition of options.providers ?? PROVIDERS) {
    const { webhooks } = definition;
    if (webhooks === undefined) continue;
    const settings = options.settings[definition.name];
    const secrets = webhooks.secrets(settings);
    const offBecause =
      secrets === null
        ? `${webhooks.secretVariable} is not set`
        : !settings.configured
          ? `${definition.credentialHint} is not set, so events could not be re-read`
          : null;
    const finder =
      offBecause === null && webhooks.createRefundFinder
        ? webhooks.createRefundFinder(settings, options.shared, options.dependencies)
        : null;
    endpoints.push({
      provider: definition.name,
      label: definition.label,
      path: definition.name.toLowerCase(),
      webhooks,
      secrets: offBecause === null ? secrets : null,
      finder,
      offBecause,
    });
  }
  return {
    endpoints,
    close: async () => {
      await Promise.all(endpoints.map(async (endpoint) => endpoint.finder?.close()));
    },
  };
}

/** For the start line: each provider's endpoint, on or off and why (never a secret). */
export function describeWebhookEndpoints(endpoints: readonly WebhookEndpoint[]): string {
  return endpoints
    .map((endpoint) =>
      endpoint.offBecause === null
        ? `${endpoint.label} webhooks on at POST /webhooks/${endpoint.path}`
        : `${endpoint.label} webhooks off (${endpoint.offBecause})`,
    )
    .join('; ');
}
