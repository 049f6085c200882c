// What the tool uses of @aws-sdk/client-pricing, loaded with `require` (see ./load.ts).
import { load } from './load.js';

export const { PricingClient, paginateGetProducts } = load('@aws-sdk/client-pricing');
