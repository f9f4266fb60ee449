/**
 * Which providers take webhooks, and with what: each registered provider that defines `webhooks`,
 * with its verification secrets from its settings and its client (to find and re-read refunds).
 * A provider without secrets, or without credentials, has its endpoint off (404).
 */
import type { RefundProviderName } from '../../domain/refund.js';
import type { ProviderDefinition, ProviderSettings, ProviderWebhooks } from '../../providers/definition.js';
import type { ProviderCallContext, ProviderClients } from '../../providers/port.js';
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
  /**
   * Finds the refund of an event that names none (through the provider's client); null when the
   * provider's events name the refund id.
   */
  readonly findRefund:
    ((lookup: Readonly<Record<string, string>>, context: ProviderCallContext) => Promise<string | null>) | null;
  /** Why the endpoint is off, for the start line (names the variable to set); null when on. */
  readonly offBecause: string | null;
}

export interface WebhookEndpointsOptions {
  /** Each provider's settings as its definition read them (AppConfig.providers). */
  readonly settings: Readonly<Record<RefundProviderName, ProviderSettings>>;
  /** The provider clients (null: not configured). */
  readonly clients: ProviderClients;
  /** The registered providers; the registry by default. */
  readonly providers?: readonly ProviderDefinition[];
}

export function createWebhookEndpoints(options: WebhookEndpointsOptions): WebhookEndpoint[] {
  const endpoints: WebhookEndpoint[] = [];
  for (const definition of options.providers ?? PROVIDERS) {
    const { webhooks } = definition;
    if (webhooks === undefined) continue;
    const secrets = webhooks.secrets(options.settings[definition.name]);
    const client = options.clients.get(definition.name) ?? null;
    const offBecause =
      secrets === null
        ? `${webhooks.secretVariable} is not set`
        : client === null
          ? `${definition.credentialHint} is not set, so events could not be re-read`
          : null;
    endpoints.push({
      provider: definition.name,
      label: definition.label,
      path: definition.name.toLowerCase(),
      webhooks,
      secrets: offBecause === null ? secrets : null,
      findRefund:
        client !== null && webhooks.findRefund !== undefined
          ? (lookup, context) => webhooks.findRefund!(lookup, client, context)
          : null,
      offBecause,
    });
  }
  return endpoints;
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
