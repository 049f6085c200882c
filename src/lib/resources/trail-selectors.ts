import type { AdvancedEventSelector, EventSelector } from '@aws-sdk/client-cloudtrail';

/**
 * The trail's advanced event selectors, and how to tell whether another trail's selectors record
 * management events. Pure functions: the trail resource and the coverage check use them, and
 * test/lib/audit/security-contract.test.ts checks their output against the CloudTrail API reference.
 */

export const SELECTOR_NAME_PREFIX = 'bedrock-monitor:';

/**
 * One selector per Bedrock data-event type (`eventCategory` Data + one `resources.type`), and, when
 * wanted, one for management events. Management events cannot be narrowed to Bedrock's event source
 * (trails accept only NotEquals kms/rdsdata there), so that selector records every management event.
 */
export function trailSelectors(dataEventTypes: readonly string[], managementEvents: boolean): AdvancedEventSelector[] {
  const selectors: AdvancedEventSelector[] = [];
  if (managementEvents) {
    selectors.push({
      Name: `${SELECTOR_NAME_PREFIX} management events`,
      FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }],
    });
  }
  for (const type of dataEventTypes) {
    selectors.push({
      Name: `${SELECTOR_NAME_PREFIX} ${type} data events`,
      FieldSelectors: [
        { Field: 'eventCategory', Equals: ['Data'] },
        { Field: 'resources.type', Equals: [type] },
      ],
    });
  }
  return selectors;
}

const OPERATORS = ['Equals', 'StartsWith', 'EndsWith', 'NotEquals', 'NotStartsWith', 'NotEndsWith'] as const;

/**
 * Selectors in a comparable form: names are labels (ignored), field selectors and their values are
 * sorted, and the selectors themselves are sorted, so AWS's ordering never counts as drift.
 */
export function normalizeSelectors(selectors: AdvancedEventSelector[] | undefined): string[] {
  return (selectors ?? [])
    .map((s) =>
      (s.FieldSelectors ?? [])
        .map((f) => {
          const ops = OPERATORS.filter((op) => f[op]?.length).map(
            (op) => `${op}=${[...(f[op] ?? [])].sort().join('|')}`,
          );
          return `${f.Field ?? ''}:${ops.join(',')}`;
        })
        .sort()
        .join(' & '),
    )
    .sort();
}

/** Whether advanced selectors record every Bedrock management event (reads and writes). */
function advancedCoversManagement(selectors: AdvancedEventSelector[]): boolean {
  return selectors.some((s) => {
    const fields = s.FieldSelectors ?? [];
    const category = fields.find((f) => f.Field === 'eventCategory');
    if (!category?.Equals?.includes('Management')) return false;
    // InvokeModel's readOnly flag differs between AWS's samples: any readOnly narrowing may miss it.
    if (fields.some((f) => f.Field === 'readOnly')) return false;
    return !fields.some(
      (f) =>
        f.Field === 'eventSource' &&
        (f.NotEquals?.includes('bedrock.amazonaws.com') || (f.Equals && !f.Equals.includes('bedrock.amazonaws.com'))),
    );
  });
}

/**
 * Whether a trail's selectors record Bedrock's management events. No selectors at all is a trail's
 * default: "all read and write management events" (PutEventSelectors, CloudTrail API reference).
 */
export function coversManagementEvents(
  basic: EventSelector[] | undefined,
  advanced: AdvancedEventSelector[] | undefined,
): boolean {
  if (advanced?.length) return advancedCoversManagement(advanced);
  if (!basic?.length) return true;
  return basic.some(
    (s) =>
      s.IncludeManagementEvents !== false &&
      (s.ReadWriteType ?? 'All') === 'All' &&
      !(s.ExcludeManagementEventSources ?? []).includes('bedrock.amazonaws.com'),
  );
}
