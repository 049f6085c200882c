// What the tool uses of @aws-sdk/client-cost-explorer, loaded with `require` (see ./load.ts).
import type * as sdk from '@aws-sdk/client-cost-explorer';
import { load } from './load.js';

export const { CostExplorerClient, GetCostAndUsageCommand } = load('@aws-sdk/client-cost-explorer');
export type CostExplorerClient = sdk.CostExplorerClient;
