import { BedrockClient, GetInferenceProfileCommand } from '../sdk/client-bedrock.js';
import type { Ctx } from '../context/context.js';
import { toBmError } from '../aws/errors.js';
import { mapLimit } from '../core/concurrency.js';

/**
 * Application inference profiles appear in the logs by their ARN, which names no model. Each is
 * looked up once (Bedrock GetInferenceProfile) and priced as the model it routes to. A profile copied
 * from a global inference profile lists, beside the source Region's model ARN, a Region-less one
 * (`arn:aws:bedrock:::foundation-model/<model>`, the ARN global routing is authorized on:
 * https://docs.aws.amazon.com/bedrock/latest/userguide/global-cross-region-inference.html): it is priced
 * at the global rate. Any other (one Region, or a geography's Regions) at the Regional one, which is also
 * the geographic profiles' rate. A lookup that fails leaves the profile unpriced, with the reason.
 */

export const isApplicationProfile = (modelId: string): boolean => /:application-inference-profile\//.test(modelId);

/** A model ARN without a Region: `arn:aws:bedrock:::foundation-model/…` (global routing). */
const REGIONLESS = /^arn:[^:]+:bedrock::[^:]*:foundation-model\//;

export function pricedAsFor(modelArns: string[]): string | undefined {
  const ids = modelArns.map((a) => a.slice(a.lastIndexOf('/') + 1)).filter(Boolean);
  const first = ids[0];
  if (!first) return undefined;
  return modelArns.some((a) => REGIONLESS.test(a)) ? `global.${first}` : first;
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
