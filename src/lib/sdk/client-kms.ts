// What the tool uses of @aws-sdk/client-kms, loaded with `require` (see ./load.ts).
import { load } from './load.js';

export const { DescribeKeyCommand, GetKeyPolicyCommand, KMSClient } = load('@aws-sdk/client-kms');
