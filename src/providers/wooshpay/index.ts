/** WooshPay as a registered provider: its id format and how its client is made from config. */
import type { ProviderDefinition } from '../provider.js';
import { createWooshPayClient } from './client.js';

export const wooshPayProvider: ProviderDefinition = {
  name: 'WOOSHPAY',
  globalIdPrefix: 'wooshpay',
  idPattern: /^re_[A-Za-z0-9]{1,100}$/,
  idFormat: '"re_" followed by 1 to 100 letters or digits',
  canonicalId: (id) => id,
  createClient: (config, dependencies) =>
    config.wooshpay.secretKey === null ? null : createWooshPayClient(config, config.wooshpay.secretKey, dependencies),
};
