/**
 * The ownership rules. Each resource definition says how it knows an existing resource is the
 * tool's (ResourceDef.ownership); ensure, status, cleanup and prune all ask the definition. Most
 * resources carry the ManagedBy tag; the exceptions say their own rule.
 */

export const MANAGED_BY_KEY = 'ManagedBy';
export const MANAGED_BY_VALUE = 'bedrock-monitor';

/** The rule in words, for messages. */
export const MANAGED_TAG_RULE = `tagged ${MANAGED_BY_KEY}=${MANAGED_BY_VALUE}`;

/** The tag list for APIs that take `[{Key, Value}]`. */
export const MANAGED_TAGS = [{ Key: MANAGED_BY_KEY, Value: MANAGED_BY_VALUE }];

export function hasManagedTag(tags: { Key?: string; Value?: string }[] | Record<string, string> | undefined): boolean {
  if (!tags) return false;
  if (Array.isArray(tags)) return tags.some((t) => t.Key === MANAGED_BY_KEY && t.Value === MANAGED_BY_VALUE);
  return tags[MANAGED_BY_KEY] === MANAGED_BY_VALUE;
}
