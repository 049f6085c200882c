import { z } from 'zod';
import * as v from '../core/validate.js';
import { RatesSchema } from '../pricing/table.js';

/** The config file's schema: strict, so an unknown key or a bad value is an error naming the key. */

function check<T>(fn: (x: T) => string | undefined) {
  return (x: T, ctx: z.RefinementCtx) => {
    const msg = fn(x);
    if (msg) ctx.addIssue({ code: z.ZodIssueCode.custom, message: msg });
  };
}

const positiveInt = z.number().int('must be a whole number').positive('must be greater than zero');

/** The config file, validated strictly: an unknown key or a bad value is an error naming the key. */
export const ConfigFileSchema = z
  .object({
    $schema: z.string().optional(),
    region: z.string().superRefine(check(v.checkRegion)).optional(),
    roleName: z.string().superRefine(check(v.checkRoleName)).optional(),
    bucketName: z.string().superRefine(check(v.checkBucketName)).optional(),
    logGroupName: z.string().superRefine(check(v.checkLogGroupName)).optional(),
    logRetentionDays: z.number().superRefine(check(v.checkRetentionDays)).optional(),
    bucketExpirationDays: positiveInt.optional(),
    noncurrentExpirationDays: positiveInt.optional(),
    abortIncompleteMultipartUploadDays: positiveInt.optional(),
    kmsKeyId: z.string().superRefine(check(v.checkKmsKey)).optional(),
    logGroupKmsKeyArn: z.string().regex(/^arn:aws[\w-]*:kms:/, 'must be a KMS key ARN').optional(),
    logging: z
      .object({
        destinations: z.array(z.enum(['cloudwatch', 's3'])).min(1, 'needs at least one of cloudwatch, s3').optional(),
        textDataDeliveryEnabled: z.boolean().optional(),
        imageDataDeliveryEnabled: z.boolean().optional(),
        embeddingDataDeliveryEnabled: z.boolean().optional(),
        videoDataDeliveryEnabled: z.boolean().optional(),
        s3KeyPrefix: z.string().superRefine(check(v.checkKeyPrefix)).optional(),
        largeDataS3KeyPrefix: z.string().superRefine(check(v.checkKeyPrefix)).optional(),
      })
      .strict()
      .optional(),
    dashboardName: z.string().superRefine(check(v.checkDashboardName)).optional(),
    alarms: z
      .object({
        topicName: z.string().superRefine(check(v.checkTopicName)).optional(),
        prefix: z.string().superRefine(check(v.checkAlarmPrefix)).optional(),
        emails: z.array(z.string().superRefine(check(v.checkEmail))).optional(),
        costModelId: z.string().min(1).optional(),
        thresholds: z
          .object({
            tokensPerHour: z.number().positive('must be greater than zero').optional(),
            errorsPer5Min: z.number().positive('must be greater than zero').optional(),
            invocationsPerHour: z.number().positive('must be greater than zero').optional(),
            latencyMs: z.number().positive('must be greater than zero').optional(),
            costUsdPerHour: z.number().positive('must be greater than zero').nullable().optional(),
          })
          .strict()
          .optional(),
      })
      .strict()
      .optional(),
    prices: z.record(z.string().min(1), RatesSchema).optional(),
    athena: z
      .object({
        enabled: z.boolean().optional(),
        database: z.string().superRefine(check(v.checkAthenaName)).optional(),
        table: z.string().superRefine(check(v.checkAthenaName)).optional(),
        workgroup: z.string().superRefine(check(v.checkWorkgroup)).optional(),
        resultsPrefix: z.string().min(1, 'must not be empty').superRefine(check(v.checkKeyPrefix)).optional(),
      })
      .strict()
      .optional(),
    contributorInsights: z.boolean().optional(),
  })
  .strict();

export type ConfigFile = z.infer<typeof ConfigFileSchema>;

