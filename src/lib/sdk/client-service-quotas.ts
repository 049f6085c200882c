// What the tool uses of @aws-sdk/client-service-quotas, loaded with `require` (see ./load.ts).
import { load } from './load.js';

export const { ServiceQuotasClient, paginateListAWSDefaultServiceQuotas, paginateListServiceQuotas } = load(
  '@aws-sdk/client-service-quotas',
);
