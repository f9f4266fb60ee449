/** The registered payment providers. Adding one: a folder under src/providers/ and a line here. */
import { efundpayProvider } from './efundpay/index.js';
import type { ProviderDefinition } from './definition.js';
import { wooshPayProvider } from './wooshpay/index.js';

export const PROVIDERS: readonly ProviderDefinition[] = [wooshPayProvider, efundpayProvider];
