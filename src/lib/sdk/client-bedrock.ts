// What the tool uses of @aws-sdk/client-bedrock, loaded with `require` (see ./load.ts).
import { load } from './load.js';

export const {
  BedrockClient,
  DeleteModelInvocationLoggingConfigurationCommand,
  GetInferenceProfileCommand,
  GetModelInvocationLoggingConfigurationCommand,
  PutModelInvocationLoggingConfigurationCommand,
} = load('@aws-sdk/client-bedrock');
