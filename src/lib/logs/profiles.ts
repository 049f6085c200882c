import { BedrockClient, GetInferenceProfileCommand } from '@aws-sdk/client-bedrock';
import type { Ctx } from '../context/context.js';
import { toBmError } from '../aws/errors.js';
import { mapLimit } from '../core/concurrency.js';

/**
 * Application inference profiles appear in the logs by their ARN, which names no model. Each is
 * looked up once (Bedrock GetInferenceProfile) and priced as the model it routes to: a profile
 * whose models span several geographies is priced at the global rate, any other at the Regional
 * one. A lookup that fails leaves the profile unpriced, with the reason.
 */

export const isApplicationProfile = (modelId: string): boolean => /:application-inference-profile\//.test(modelId);

export function pricedAsFor(modelArns: string[]): string | undefined {
  const ids = modelArns.map((a) => a.slice(a.lastIndexOf('/') + 1)).filter(Boolean);
  const first = ids[0];
  if (!first) return undefined;
  const geographies = new Set(modelArns.map((a) => /^arn:[^:]+:bedrock:([a-z]+)-/.exec(a)?.[1]).filter(Boolean));
  return geographies.size > 1 ? `global.${first}` : first;
}

export async function resolveProfiles(
  ctx: Ctx,
  arns: string[],
): Promise<{ pricedAs: Map<string, string>; failures: Map<string, string> }> {
  const pricedAs = new Map<string, string>();
  const failures = new Map<string, string>();
  await mapLimit(arns, 4, async (arn) => {
    try {
      const r = await ctx.aws
        .get(BedrockClient)
        .send(new GetInferenceProfileCommand({ inferenceProfileIdentifier: arn }));
      const as = pricedAsFor((r.models ?? []).map((m) => m.modelArn ?? ''));
      if (as) pricedAs.set(arn, as);
      else failures.set(arn, 'GetInferenceProfile names no model');
    } catch (err) {
      failures.set(arn, toBmError(err).message.replace(/\.$/, ''));
    }
  });
  return { pricedAs, failures };
}
