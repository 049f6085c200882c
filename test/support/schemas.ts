import { z } from 'zod';

/**
 * The documented JSON shapes (docs/json.md), as strict schemas: a field docs/json.md does not
 * name, or a missing one, fails validation. Tests validate real --json output against them.
 */

const nullableNumber = z.number().nullable();

export const ErrorSchema = z
  .object({
    code: z.string().regex(/^E_[A-Z0-9_]+$/),
    message: z.string(),
    hint: z.string().nullable(),
    exitCode: z.number().int(),
    details: z.unknown(),
  })
  .strict();
export const ErrorDocSchema = z.object({ error: ErrorSchema }).strict();

export const ChangeSchema = z.object({ field: z.string(), from: z.unknown(), to: z.unknown() }).strict();
export const OutcomeSchema = z
  .object({
    resource: z.string(),
    name: z.string(),
    action: z.enum([
      'created',
      'updated',
      'unchanged',
      'deleted',
      'skipped',
      'failed',
      'would-create',
      'would-update',
      'would-delete',
    ]),
    changes: z.array(ChangeSchema),
    note: z.string().optional(),
  })
  .strict();

/** The warnings of a run, when it had any (commands that always report them declare the field themselves). */
const someWarnings = z.array(z.string()).optional();

export const StepDocSchema = z.object({ outcomes: z.array(OutcomeSchema), warnings: someWarnings }).strict();
export const DashboardDocSchema = z
  .object({ outcomes: z.array(OutcomeSchema), dashboardUrl: z.string().url().nullable(), warnings: someWarnings })
  .strict();

export const SubscriptionSchema = z
  .object({ email: z.string(), state: z.enum(['pending', 'confirmed', 'missing']) })
  .strict();
export const AlarmsDocSchema = z
  .object({
    outcomes: z.array(OutcomeSchema),
    subscriptions: z.array(SubscriptionSchema),
    warnings: z.array(z.string()),
  })
  .strict();

export const SetupAllDocSchema = z
  .object({
    region: z.string(),
    ok: z.boolean(),
    outcomes: z.array(OutcomeSchema),
    steps: z.array(
      z
        .object({
          step: z.string(),
          status: z.enum(['ok', 'failed', 'skipped']),
          error: ErrorSchema.optional(),
          blockedBy: z.array(z.string()).optional(),
        })
        .strict(),
    ),
    subscriptions: z.array(SubscriptionSchema),
    dashboardUrl: z.string().url().nullable(),
    warnings: z.array(z.string()),
    error: ErrorSchema.optional(),
  })
  .strict();

export const StatusDocSchema = z
  .object({
    region: z.string(),
    ok: z.boolean(),
    rows: z.array(
      z
        .object({
          resource: z.string(),
          name: z.string(),
          status: z.enum(['ok', 'drifted', 'missing']),
          changes: z.array(ChangeSchema),
          note: z.string().optional(),
          manual: z.literal(true).optional(),
          step: z.string(),
          repair: z.string().nullable(),
          subscription: z.enum(['pending', 'confirmed']).optional(),
        })
        .strict(),
    ),
    warnings: someWarnings,
  })
  .strict();

export const CleanupDocSchema = z
  .object({
    region: z.string(),
    outcomes: z.array(OutcomeSchema),
    subscriptions: z.array(z.string()),
    warnings: z.array(z.string()),
    error: ErrorSchema.optional(),
  })
  .strict();

const sums = {
  invocations: nullableNumber,
  inputTokens: nullableNumber,
  outputTokens: nullableNumber,
  cacheReadTokens: nullableNumber,
  cacheWriteTokens: nullableNumber,
  clientErrors: nullableNumber,
  serverErrors: nullableNumber,
  throttles: nullableNumber,
};

const QuotaRefSchema = z.object({ code: z.string(), name: z.string(), value: z.number() }).strict();

const HeadroomRowSchema = z
  .object({
    models: z.array(z.string()),
    family: z.string().nullable(),
    inferenceType: z.enum(['on-demand', 'cross-region', 'global']).nullable(),
    peakTokensPerMinute: z.number(),
    peakTokensAt: z.string().datetime().nullable(),
    tokensMethod: z.enum(['estimated', 'computed', 'mixed']),
    burndown: z.number(),
    peakRequestsPerMinute: z.number(),
    peakRequestsAt: z.string().datetime().nullable(),
    tpmQuota: QuotaRefSchema.nullable(),
    rpmQuota: QuotaRefSchema.nullable(),
    tpmPercent: z.number().nullable(),
    rpmPercent: z.number().nullable(),
    flagged: z.boolean(),
    note: z.string().optional(),
  })
  .strict();

/** report --quotas (docs/json.md: "With `--quotas`"). */
const QuotaHeadroomSchema = z
  .object({
    available: z.boolean(),
    reason: z.string().optional(),
    warnPercent: z.number(),
    burndown: z.object({ source: z.string(), date: z.string() }).strict(),
    quotasRead: z.number().int(),
    rows: z.array(HeadroomRowSchema),
    notes: z.array(z.string()),
  })
  .strict();

/** report --quotas over many targets (docs/json.md: "With `--quotas` across targets"). */
const FleetQuotasSchema = z
  .object({
    warnPercent: z.number(),
    burndown: z.object({ source: z.string(), date: z.string() }).strict(),
    rows: z.array(HeadroomRowSchema.extend({ account: z.string().regex(/^\d{12}$/), region: z.string() }).strict()),
    unavailable: z.array(
      z.object({ account: z.string().regex(/^\d{12}$/), region: z.string(), reason: z.string() }).strict(),
    ),
    notes: z.array(z.string()),
  })
  .strict();

export const ReportDocSchema = z
  .object({
    window: z.object({ start: z.string().datetime(), end: z.string().datetime(), hours: z.number() }).strict(),
    region: z.string(),
    models: z.array(
      z
        .object({
          modelId: z.string(),
          ...sums,
          latencyAvgMs: nullableNumber,
          latencyP50Ms: nullableNumber,
          latencyP90Ms: nullableNumber,
          latencyP99Ms: nullableNumber,
          timeToFirstTokenP50Ms: nullableNumber,
          timeToFirstTokenP99Ms: nullableNumber,
          priced: z.boolean(),
          costUsd: nullableNumber,
        })
        .strict(),
    ),
    totals: z
      .object({
        ...sums,
        latencyAvgMs: nullableNumber,
        costUsd: z.number(),
        errorRate: nullableNumber,
        throttleRate: nullableNumber,
        costPer1000InvocationsUsd: nullableNumber,
        unpricedModels: z.array(z.string()),
      })
      .strict(),
    projection: z.object({ monthlyCostUsd: z.number(), hoursPerMonth: z.number() }).strict(),
    days: z
      .array(
        z
          .object({
            date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
            start: z.string().datetime(),
            end: z.string().datetime(),
            partial: z.boolean(),
            ...Object.fromEntries(Object.keys(sums).map((k) => [k, z.number()])),
            costUsd: z.number(),
          })
          .strict(),
      )
      .optional(),
    periods: z
      .object({
        unit: z.enum(['week', 'month']),
        rows: z.array(
          z
            .object({
              date: z.string().regex(/^\d{4}-\d{2}(-\d{2})?$/),
              start: z.string().datetime(),
              end: z.string().datetime(),
              partial: z.boolean(),
              ...Object.fromEntries(Object.keys(sums).map((k) => [k, z.number()])),
              costUsd: z.number(),
            })
            .strict(),
        ),
      })
      .strict()
      .optional(),
    others: z
      .object({ ...sums, groups: z.number().int().positive(), costUsd: nullableNumber })
      .strict()
      .optional(),
    prices: z
      .object({
        source: z.string(),
        date: z.string(),
        estimate: z.literal(true),
        table: z.enum(['refreshed', 'snapshot', 'bundled']).optional(),
        fetchedAt: z.string().datetime().optional(),
        models: z.record(z.enum(['price-list', 'table', 'config', 'unpriced'])).optional(),
      })
      .strict(),
    warnings: z.array(z.string()),
    quotas: QuotaHeadroomSchema.optional(),
    notification: z
      .object({
        topicArn: z.string(),
        messageId: z.string().nullable(),
        subject: z.string().max(99),
        bytes: z.number().int().max(262_144),
        truncated: z.boolean(),
      })
      .strict()
      .optional(),
  })
  .strict();

/** Each Region's price table, when several Regions were priced from different ones (logs and fleet metrics). */
const RegionPricesSchema = z
  .array(
    z
      .object({
        region: z.string(),
        source: z.string(),
        date: z.string(),
        table: z.enum(['refreshed', 'snapshot', 'bundled']).optional(),
      })
      .strict(),
  )
  .optional();

/** report's CloudWatch metrics over many targets (docs/json.md: `report --regions/--accounts`). */
export const FleetMetricsReportDocSchema = z
  .object({
    source: z.literal('metrics'),
    window: z.object({ start: z.string().datetime(), end: z.string().datetime(), hours: z.number() }).strict(),
    groupBy: z.array(z.enum(['account', 'region', 'model'])),
    scope: z.object({ accounts: z.array(z.string()), regions: z.array(z.string()) }).strict(),
    rows: z.array(
      z
        .object({
          account: z
            .string()
            .regex(/^\d{12}$/)
            .nullable(),
          region: z.string().nullable(),
          modelId: z.string().nullable(),
          ...sums,
          latencyAvgMs: nullableNumber,
          costUsd: nullableNumber,
          priced: z.boolean(),
        })
        .strict(),
    ),
    targets: z.array(
      z
        .object({
          account: z.string().regex(/^\d{12}$/),
          region: z.string(),
          status: z.enum(['data', 'no data', 'failed']),
          invocations: nullableNumber,
          inputTokens: nullableNumber,
          outputTokens: nullableNumber,
          costUsd: nullableNumber,
          error: ErrorSchema.nullable(),
        })
        .strict(),
    ),
    totals: ReportDocSchema.shape.totals,
    projection: ReportDocSchema.shape.projection,
    days: ReportDocSchema.shape.days,
    periods: ReportDocSchema.shape.periods,
    others: ReportDocSchema.shape.others,
    prices: z
      .object({
        source: z.string(),
        date: z.string(),
        estimate: z.literal(true),
        table: z.enum(['refreshed', 'snapshot', 'bundled']).optional(),
        regions: RegionPricesSchema,
      })
      .strict(),
    skippedRegions: z.array(z.object({ region: z.string(), reason: z.string() }).strict()),
    quotas: FleetQuotasSchema.optional(),
    notification: ReportDocSchema.shape.notification,
    warnings: z.array(z.string()),
    error: ErrorSchema.optional(),
  })
  .strict();

/**
 * report from the invocation logs (docs/json.md: `report` from the invocation logs): one row per group, its values
 * under the DIM names.
 */
const LogsFigures = {
  invocations: z.number().int(),
  inputTokens: z.number().int(),
  outputTokens: z.number().int(),
  cacheReadTokens: z.number().int(),
  cacheWriteTokens: z.number().int(),
  cacheWrite1hTokens: z.number().int(),
  errors: z.number().int(),
  latencyP50Ms: nullableNumber,
  latencyP90Ms: nullableNumber,
  latencyP99Ms: nullableNumber,
  costUsd: nullableNumber,
};
const TokenTriple = { invocations: nullableNumber, inputTokens: nullableNumber, outputTokens: nullableNumber };
export const LOGS_DIMS = /^(model|day|hour|week|month|principal|role|application|operation|account|region|tag:.+)$/;

/** The schema for a logs report grouped by `groupBy` (the row's group fields are named after them). */
export function logsReportDocSchema(groupBy: string[]) {
  return z
    .object({
      source: z
        .object({
          kind: z.literal('logs'),
          engine: z.enum(['local', 'athena', 'insights']),
          location: z.string(),
          objects: z.number().int().optional(),
          bytes: z.number().int().optional(),
          downloadedObjects: z.number().int().optional(),
          downloadedBytes: z.number().int().optional(),
          cacheDir: z.string().nullable().optional(),
          listCalls: z.number().int().optional(),
          queryExecutionId: z.string().optional(),
          dataScannedBytes: z.number().int().optional(),
          queryCostUsd: z.number().optional(),
          bodyUsageFields: z.boolean(),
          exactPercentiles: z.boolean(),
        })
        .strict(),
      groupBy: z
        .array(z.string().regex(LOGS_DIMS))
        .refine((g) => JSON.stringify(g) === JSON.stringify(groupBy), 'groupBy differs from the request'),
      window: z.object({ start: z.string().datetime(), end: z.string().datetime(), hours: z.number() }).strict(),
      region: z.string(),
      scope: z.object({ accounts: z.array(z.string()).nullable(), regions: z.array(z.string()).nullable() }).strict(),
      rows: z.array(
        z
          .object({ ...Object.fromEntries(groupBy.map((d) => [d, z.string()])), ...LogsFigures, priced: z.boolean() })
          .strict(),
      ),
      targets: z.array(
        z
          .object({
            account: z.string(),
            region: z.string(),
            invocations: z.number().int(),
            inputTokens: z.number().int(),
            outputTokens: z.number().int(),
            errors: z.number().int(),
            costUsd: nullableNumber,
            priced: z.boolean(),
            status: z.enum(['records', 'no records', 'unavailable']),
            reason: z.string().optional(),
          })
          .strict(),
      ),
      totals: z.object({ ...LogsFigures, errorRate: nullableNumber, unpricedModels: z.array(z.string()) }).strict(),
      others: z
        .object({ ...LogsFigures, priced: z.boolean(), groups: z.number().int().positive() })
        .strict()
        .optional(),
      reconciliation: z
        .object({
          available: z.boolean(),
          reason: z.string().optional(),
          models: z.array(
            z
              .object({
                modelId: z.string(),
                logs: z.object({ invocations: z.number(), inputTokens: z.number(), outputTokens: z.number() }).strict(),
                metrics: z.object(TokenTriple).strict().nullable(),
                difference: z.object(TokenTriple).strict(),
              })
              .strict(),
          ),
          targets: z
            .array(
              z
                .object({
                  account: z.string(),
                  region: z.string(),
                  available: z.boolean(),
                  reason: z.string().optional(),
                  logs: z
                    .object({ invocations: z.number(), inputTokens: z.number(), outputTokens: z.number() })
                    .strict(),
                  metrics: z.object(TokenTriple).strict().nullable(),
                  difference: z.object(TokenTriple).strict(),
                })
                .strict(),
            )
            .optional(),
        })
        .strict(),
      complete: z.boolean(),
      skipped: z
        .object({
          malformedLines: z.number().int().nullable(),
          objects: z.number().int(),
          unreadableFiles: z.array(z.object({ file: z.string(), reason: z.string() }).strict()),
          unreadableFields: z
            .array(z.object({ field: z.string(), records: z.number().int().positive() }).strict())
            .nullable(),
          outsideTargets: z
            .object({
              files: z.number().int(),
              records: z.number().int(),
              by: z.array(z.object({ account: z.string(), region: z.string(), files: z.number().int() }).strict()),
            })
            .strict(),
        })
        .strict(),
      prices: z
        .object({
          source: z.string(),
          date: z.string(),
          estimate: z.literal(true),
          table: z.enum(['refreshed', 'snapshot', 'bundled']).optional(),
          regions: RegionPricesSchema,
        })
        .strict(),
      warnings: z.array(z.string()),
    })
    .strict();
}

/** audit (docs/json.md: `audit`): one row per --by value, the value under the field --by names. */
const AuditRowBase = {
  calls: z.number().int(),
  errors: z.number().int(),
  accessDenied: z.number().int(),
  eventNames: z.record(z.number().int()),
  sourceIps: z.array(z.string()),
  principals: z.array(z.string()),
  accounts: z.array(z.string()),
  regions: z.array(z.string()),
  firstSeen: z.string().datetime(),
  lastSeen: z.string().datetime(),
  new: z.boolean().nullable(),
};
/** Each --by value's row: exactly one of the group fields (which one the test checks against `groupBy`). */
export const AUDIT_GROUP_FIELD = {
  principal: 'principal',
  role: 'role',
  event: 'eventName',
  'source-ip': 'sourceIp',
  error: 'errorCode',
  account: 'account',
  region: 'region',
} as const;
const AuditRowSchema = z.union([
  z.object({ account: z.string().nullable(), ...AuditRowBase }).strict(),
  z.object({ region: z.string().nullable(), ...AuditRowBase }).strict(),
  z.object({ principal: z.string(), ...AuditRowBase }).strict(),
  z.object({ role: z.string(), ...AuditRowBase }).strict(),
  z.object({ eventName: z.string(), ...AuditRowBase }).strict(),
  z.object({ sourceIp: z.string().nullable(), ...AuditRowBase }).strict(),
  z.object({ errorCode: z.string().nullable(), ...AuditRowBase }).strict(),
]);

export const AuditDocSchema = z
  .object({
    window: z.object({ start: z.string().datetime(), end: z.string().datetime(), hours: z.number() }).strict(),
    previousWindow: z.object({ start: z.string().datetime(), end: z.string().datetime() }).strict().nullable(),
    region: z.string(),
    scope: z.object({ accounts: z.array(z.string()).nullable(), regions: z.array(z.string()).nullable() }).strict(),
    source: z.discriminatedUnion('kind', [
      z.object({ kind: z.literal('event-history'), dataEvents: z.literal(false) }).strict(),
      z
        .object({
          kind: z.literal('trail'),
          location: z.string(),
          files: z.number().int(),
          bytes: z.number().int(),
          dataEvents: z.literal(true),
        })
        .strict(),
    ]),
    groupBy: z.enum(['principal', 'role', 'event', 'source-ip', 'error', 'account', 'region']),
    deniedOnly: z.boolean(),
    rows: z.array(AuditRowSchema),
    totals: z
      .object({
        calls: z.number().int(),
        errors: z.number().int(),
        accessDenied: z.number().int(),
        principals: z.number().int(),
        sourceIps: z.number().int(),
        new: z.number().int(),
      })
      .strict(),
    skipped: z
      .object({
        records: z.number().int().nonnegative(),
        by: z.array(z.object({ file: z.string(), reason: z.string(), records: z.number().int().positive() }).strict()),
      })
      .strict(),
    timeline: z
      .object({
        step: z.enum(['hour', 'day']),
        periods: z.array(
          z
            .object({
              start: z.string().datetime(),
              calls: z.number().int(),
              accessDenied: z.number().int(),
              throttled: z.number().int(),
              groups: z.array(
                z
                  .object({
                    key: z.string().nullable(),
                    calls: z.number().int(),
                    accessDenied: z.number().int(),
                    throttled: z.number().int(),
                  })
                  .strict(),
              ),
            })
            .strict(),
        ),
      })
      .strict(),
    targets: z
      .array(
        z
          .object({
            account: z.string().regex(/^\d{12}$/),
            region: z.string(),
            status: z.enum(['read', 'failed']),
            events: z.number().int().nullable(),
            error: ErrorSchema.nullable(),
          })
          .strict(),
      )
      .optional(),
    warnings: z.array(z.string()),
    error: ErrorSchema.optional(),
  })
  .strict();

/** prices list (docs/json.md: `prices list`): USD per million tokens, null where not published. */
export const PricesListDocSchema = z
  .object({
    region: z.string(),
    inUse: z
      .object({
        table: z.enum(['refreshed', 'snapshot', 'bundled']),
        source: z.string(),
        date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
        fetchedAt: z.string().datetime().optional(),
        path: z.string().optional(),
        problem: z.string().optional(),
      })
      .strict(),
    rows: z.array(
      z
        .object({
          model: z.string(),
          source: z.enum(['config', 'price-list', 'snapshot', 'table']),
          routing: z.enum(['regional', 'global', 'any']),
          input: z.number(),
          output: z.number(),
          cacheRead: nullableNumber,
          cacheWrite: nullableNumber,
          cacheWrite1h: nullableNumber,
          batchInput: nullableNumber,
          batchOutput: nullableNumber,
          date: z.string(),
        })
        .strict(),
    ),
    warnings: z.array(z.string()),
  })
  .strict();

/** prices refresh (docs/json.md: `prices refresh`). */
export const PricesRefreshDocSchema = z
  .object({
    region: z.string(),
    path: z.string(),
    written: z.boolean(),
    fetchedAt: z.string().datetime(),
    offers: z.array(
      z
        .object({ serviceCode: z.string(), products: z.number().int(), publicationDate: z.string().optional() })
        .strict(),
    ),
    models: z.number().int(),
    incomplete: z.array(z.string()),
    conflicts: z.array(z.string()),
    malformed: z.number().int(),
  })
  .strict();

const source = z.enum(['file', 'default', 'unset']);
export const ConfigSetDocSchema = z
  .object({
    file: z.string(),
    key: z.string(),
    value: z.unknown(),
    previous: z.unknown(),
    created: z.boolean(),
    otherProblems: z.array(z.string()),
  })
  .strict();
export const ConfigGetDocSchema = z.object({ file: z.string(), key: z.string(), value: z.unknown(), source }).strict();
export const ConfigUnsetDocSchema = z
  .object({ file: z.string(), key: z.string(), removed: z.boolean(), previous: z.unknown() })
  .strict();
export const ConfigListDocSchema = z
  .object({
    file: z.string(),
    exists: z.boolean(),
    entries: z.array(z.object({ key: z.string(), value: z.unknown(), source }).strict()),
  })
  .strict();

/** `bill --json` (docs/bill.md documents it, not docs/json.md). */
export const BillDocSchema = z
  .object({
    kind: z.literal('bedrock-monitor bill'),
    window: z.object({ start: z.string().datetime(), end: z.string().datetime(), label: z.string() }).strict(),
    groupBy: z.enum(['principal', 'role', 'model', 'day', 'account']),
    region: z.string(),
    sources: z
      .object({
        bill: z.discriminatedUnion('kind', [
          z
            .object({
              kind: z.literal('cur2'),
              location: z.string(),
              engine: z.enum(['local', 'athena']),
              files: z.number().int(),
              lineItems: z.number().int(),
              iamPrincipal: z.boolean(),
            })
            .strict(),
          z
            .object({
              kind: z.literal('cost-explorer'),
              services: z.array(z.string()),
              requests: z.number().int(),
              requestsUsd: z.number(),
              lineItems: z.number().int(),
              iamPrincipal: z.literal(false),
              estimatedDays: z.array(z.string().regex(/^\d{4}-\d{2}-\d{2}$/)),
            })
            .strict(),
        ]),
        estimate: z.object({ kind: z.literal('logs'), location: z.string(), engine: z.string() }).strict(),
      })
      .strict(),
    prices: z
      .object({
        table: z.enum(['refreshed', 'snapshot', 'bundled']),
        source: z.string(),
        date: z.string(),
        regions: RegionPricesSchema,
      })
      .strict(),
    rows: z.array(
      z
        .object({
          key: z.string(),
          billedUsd: z.number(),
          estimatedUsd: z.number(),
          differenceUsd: z.number(),
          tags: z.record(z.string()).optional(),
        })
        .strict(),
    ),
    totals: z.object({ billedUsd: z.number(), estimatedUsd: z.number(), differenceUsd: z.number() }).strict(),
    bridge: z
      .object({
        estimatedUsd: z.number(),
        billedUsd: z.number(),
        differenceUsd: z.number(),
        causes: z.array(z.object({ cause: z.string(), usd: z.number(), how: z.string().min(1) }).strict()),
        residualUsd: z.number(),
      })
      .strict(),
    unpricedModels: z.array(z.string()),
    warnings: z.array(z.string()),
  })
  .strict();

/** docs/json.md bullet label → schema, for the check that docs/json.md names every field. */
export const DOCUMENTED: [label: string, schema: z.AnyZodObject][] = [
  ['single steps', StepDocSchema],
  ['dashboard', DashboardDocSchema],
  ['alarms', AlarmsDocSchema],
  ['setup-all', SetupAllDocSchema],
  ['cleanup', CleanupDocSchema],
  ['status', StatusDocSchema],
  ['report', ReportDocSchema],
  ['report --regions/--accounts', FleetMetricsReportDocSchema],
  ['audit', AuditDocSchema],
  ['prices list', PricesListDocSchema],
  ['prices refresh', PricesRefreshDocSchema],
  ['config set', ConfigSetDocSchema],
  ['config get', ConfigGetDocSchema],
  ['config unset', ConfigUnsetDocSchema],
  ['config list', ConfigListDocSchema],
  ['errors', ErrorDocSchema],
];

/** What is wrong with `doc` by `schema` (none: `[]`), for `expect(schemaIssues(…)).toEqual([])`. */
export function schemaIssues(schema: z.ZodTypeAny, doc: unknown): z.ZodIssue[] {
  const parsed = schema.safeParse(doc);
  return parsed.success ? [] : parsed.error.issues;
}
