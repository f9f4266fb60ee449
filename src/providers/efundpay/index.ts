/** efundpay as a registered provider: its id format and how its client is made from config. */
import type { ProviderDefinition } from '../provider.js';
import { createEfundpayClient } from './client.js';

export const efundpayProvider: ProviderDefinition = {
  name: 'EFUNDPAY',
  globalIdPrefix: 'efundpay',
  idPattern: /^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$/,
  idFormat: 'a UUID such as 6a1d4e46-14ed-4fe1-a45f-eff4e025d211',
  canonicalId: (id) => id.toLowerCase(),
  createClient: (config, dependencies) =>
    config.efundpay.auth === null ? null : createEfundpayClient(config, config.efundpay.auth, dependencies),
};
