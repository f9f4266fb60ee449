/** Money: `decimal` is derived from the currency's ISO 4217 exponent, exactly. */
import type { MoneyResolvers } from '../__generated__/resolvers-types.js';
import { formatMoneyDecimal } from '../domain/money.js';

export const Money: MoneyResolvers = {
  decimal: (money) => formatMoneyDecimal(money),
};
