WITH base AS (
  SELECT
    coalesce("identity".arn, '(unknown)') AS g0,
    coalesce(nullif(regexp_extract("identity".arn, '^(arn:[^:]+:sts::[0-9]+:assumed-role/[^/]+)/', 1), ''), "identity".arn, '(unknown)') AS g1,
    coalesce(try("requestMetadata"['Team']), '(none)') AS g2,
    CASE WHEN "modelId" LIKE '%:application-inference-profile/%' THEN "modelId" ELSE '(none)' END AS g3,
    coalesce("modelId", '(unknown)') AS model,
    coalesce(nullif(regexp_extract(filename, 'AWSLogs/([0-9]{12})/BedrockModelInvocationLogs/', 1), ''), "accountId", '(unknown)') AS t_account,
    coalesce(nullif(regexp_extract(filename, '/BedrockModelInvocationLogs/([a-z0-9-]+)/', 1), ''), "region", '(unknown)') AS t_region,
    substr(replace(substr("timestamp", 1, 19), ' ', 'T'), 1, 10) AS p_day,
    "schemaType" = 'ModelInvocationLog' AS ok,
    TRUE AS inside,
    "errorCode" IS NOT NULL AS failed,
    coalesce(TRY_CAST("input".inputTokenCount AS BIGINT)) AS input_tokens,
    coalesce(TRY_CAST("output".outputTokenCount AS BIGINT)) AS output_tokens,
    coalesce(TRY_CAST("input".cacheReadInputTokenCount AS BIGINT), TRY_CAST("cacheReadInputTokenCount" AS BIGINT)) AS cache_read_tokens,
    coalesce(TRY_CAST("input".cacheWriteInputTokenCount AS BIGINT), TRY_CAST("cacheWriteInputTokenCount" AS BIGINT)) AS cache_write_tokens,
    ("input".inputTokenCount IS NOT NULL AND TRY_CAST("input".inputTokenCount AS BIGINT) IS NULL) AS nan_input,
    ("output".outputTokenCount IS NOT NULL AND TRY_CAST("output".outputTokenCount AS BIGINT) IS NULL) AS nan_output,
    ("input".cacheReadInputTokenCount IS NOT NULL AND TRY_CAST("input".cacheReadInputTokenCount AS BIGINT) IS NULL) OR ("cacheReadInputTokenCount" IS NOT NULL AND TRY_CAST("cacheReadInputTokenCount" AS BIGINT) IS NULL) AS nan_cache_read,
    ("input".cacheWriteInputTokenCount IS NOT NULL AND TRY_CAST("input".cacheWriteInputTokenCount AS BIGINT) IS NULL) OR ("cacheWriteInputTokenCount" IS NOT NULL AND TRY_CAST("cacheWriteInputTokenCount" AS BIGINT) IS NULL) AS nan_cache_write,
    coalesce(list_sum(list_transform(list_filter("output".outputBodyJson.usage.cacheDetails, x -> x.ttl = '1h'), x -> x.inputTokens)), "output".outputBodyJson.usage.cache_creation.ephemeral_1h_input_tokens, 0) AS cache_write_1h_tokens,
    "output".outputBodyJson.metrics.latencyMs AS latency_ms
  FROM invocation_log
  WHERE TRUE
    AND (("schemaType" IS NULL OR "schemaType" <> 'ModelInvocationLog') OR (replace(substr("timestamp", 1, 19), ' ', 'T') >= '2026-11-20T00:00:00' AND replace(substr("timestamp", 1, 19), ' ', 'T') < '2026-11-20T06:00:00'))
),
records AS (
  SELECT
    g0, g1, g2, g3, model, t_account, t_region, p_day,
    CASE WHEN ok THEN 1 END AS invocation,
    CASE WHEN ok AND failed THEN 1 END AS error,
    CASE WHEN NOT coalesce(ok, false) THEN 1 END AS not_record,
    CASE WHEN ok AND NOT inside THEN 1 END AS outside,
    CASE WHEN ok THEN input_tokens END AS input_tokens,
    CASE WHEN ok THEN output_tokens END AS output_tokens,
    CASE WHEN ok THEN cache_read_tokens END AS cache_read_tokens,
    CASE WHEN ok THEN cache_write_tokens END AS cache_write_tokens,
    CASE WHEN ok THEN cache_write_1h_tokens END AS cache_write_1h_tokens,
    CASE WHEN ok AND NOT failed THEN latency_ms END AS latency_ms,
    CASE WHEN ok AND nan_input THEN 1 END AS nan_input,
    CASE WHEN ok AND nan_output THEN 1 END AS nan_output,
    CASE WHEN ok AND nan_cache_read THEN 1 END AS nan_cache_read,
    CASE WHEN ok AND nan_cache_write THEN 1 END AS nan_cache_write
  FROM base
)
SELECT
  -- By grouping set, not by NULLs: malformed lines (all NULL) must not pass for the totals row.
  CASE WHEN GROUPING(model) = 0 AND GROUPING(g0) = 0 THEN 'group' WHEN GROUPING(model) = 0 THEN 'target' WHEN GROUPING(g0) = 0 THEN 'latency' ELSE 'total' END AS kind,
  g0, g1, g2, g3, model, t_account, t_region, p_day,
  count(invocation) AS invocations,
  sum(input_tokens) AS input_tokens,
  sum(output_tokens) AS output_tokens,
  sum(cache_read_tokens) AS cache_read_tokens,
  sum(cache_write_tokens) AS cache_write_tokens,
  sum(cache_write_1h_tokens) AS cache_write_1h_tokens,
  count(error) AS errors,
  count(latency_ms) AS latency_count,
  quantile_cont(latency_ms, 0.5) AS p50,
  quantile_cont(latency_ms, 0.9) AS p90,
  quantile_cont(latency_ms, 0.99) AS p99,
  count(not_record) AS malformed,
  count(outside) AS outside,
  count(nan_input) AS nan_input,
  count(nan_output) AS nan_output,
  count(nan_cache_read) AS nan_cache_read,
  count(nan_cache_write) AS nan_cache_write
FROM records
GROUP BY GROUPING SETS ((g0, g1, g2, g3, model, t_region, p_day), (t_account, t_region, model, p_day), (g0, g1, g2, g3), ())
