// The AWS SDK's packages, loaded with `require` instead of `import` (see docs/architecture.md, "The AWS SDK").
// Node 20 makes an ES module's `import` of a CommonJS package cost about twice a `require` of it: it reads each
// package's entry file once to detect its format and again for its named exports, then compiles it. Every SDK package
// is CommonJS for Node (`main`, or the `node` condition of `exports`), so the CLI's start was paying that twice over
// for nine or more clients.
import { createRequire } from 'node:module';
import type * as athena from '@aws-sdk/client-athena';
import type * as bcmDataExports from '@aws-sdk/client-bcm-data-exports';
import type * as bedrock from '@aws-sdk/client-bedrock';
import type * as budgets from '@aws-sdk/client-budgets';
import type * as cloudtrail from '@aws-sdk/client-cloudtrail';
import type * as cloudwatch from '@aws-sdk/client-cloudwatch';
import type * as cloudwatchLogs from '@aws-sdk/client-cloudwatch-logs';
import type * as costExplorer from '@aws-sdk/client-cost-explorer';
import type * as ec2 from '@aws-sdk/client-ec2';
import type * as glue from '@aws-sdk/client-glue';
import type * as iam from '@aws-sdk/client-iam';
import type * as kms from '@aws-sdk/client-kms';
import type * as organizations from '@aws-sdk/client-organizations';
import type * as pricing from '@aws-sdk/client-pricing';
import type * as s3 from '@aws-sdk/client-s3';
import type * as serviceQuotas from '@aws-sdk/client-service-quotas';
import type * as sns from '@aws-sdk/client-sns';
import type * as sts from '@aws-sdk/client-sts';
import type * as awsCore from '@aws-sdk/core';
import type * as awsCoreClient from '@aws-sdk/core/client';
import type * as credentialProviderNode from '@aws-sdk/credential-provider-node';
import type * as smithyConfig from '@smithy/core/config';
import type * as smithyRetry from '@smithy/core/retry';
import type * as sharedIniFileLoader from '@smithy/shared-ini-file-loader';
import type * as smithyClient from '@smithy/smithy-client';

/** Every SDK package the tool loads, and its module's type. */
interface Packages {
  '@aws-sdk/client-athena': typeof athena;
  '@aws-sdk/client-bcm-data-exports': typeof bcmDataExports;
  '@aws-sdk/client-bedrock': typeof bedrock;
  '@aws-sdk/client-budgets': typeof budgets;
  '@aws-sdk/client-cloudtrail': typeof cloudtrail;
  '@aws-sdk/client-cloudwatch': typeof cloudwatch;
  '@aws-sdk/client-cloudwatch-logs': typeof cloudwatchLogs;
  '@aws-sdk/client-cost-explorer': typeof costExplorer;
  '@aws-sdk/client-ec2': typeof ec2;
  '@aws-sdk/client-glue': typeof glue;
  '@aws-sdk/client-iam': typeof iam;
  '@aws-sdk/client-kms': typeof kms;
  '@aws-sdk/client-organizations': typeof organizations;
  '@aws-sdk/client-pricing': typeof pricing;
  '@aws-sdk/client-s3': typeof s3;
  '@aws-sdk/client-service-quotas': typeof serviceQuotas;
  '@aws-sdk/client-sns': typeof sns;
  '@aws-sdk/client-sts': typeof sts;
  '@aws-sdk/core': typeof awsCore;
  '@aws-sdk/core/client': typeof awsCoreClient;
  '@aws-sdk/credential-provider-node': typeof credentialProviderNode;
  '@smithy/core/config': typeof smithyConfig;
  '@smithy/core/retry': typeof smithyRetry;
  '@smithy/shared-ini-file-loader': typeof sharedIniFileLoader;
  '@smithy/smithy-client': typeof smithyClient;
}

const require = createRequire(import.meta.url);

/** An SDK package's exports, loaded on the first call (later calls get Node's cached module). */
export function load<K extends keyof Packages>(id: K): Packages[K] {
  return require(id) as Packages[K];
}

/** The same as a promise, as `import()` gives it: a failure to load is a rejection, not a throw. */
export function loadAsync<K extends keyof Packages>(id: K): Promise<Packages[K]> {
  return new Promise((resolve) => resolve(load(id)));
}
