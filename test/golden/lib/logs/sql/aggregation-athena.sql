WITH base AS (
  SELECT
    coalesce("identity".arn, '(unknown)') AS g0,
    coalesce(nullif(regexp_extract("identity".arn, '^(arn:[^:]+:sts::[0-9]+:assumed-role/[^/]+)/', 1), ''), "identity".arn, '(unknown)') AS g1,
    coalesce(coalesce(try("requestMetadata"['Team']), try("requestMetadata"['team'])), '(none)') AS g2,
    CASE WHEN "modelId" LIKE '%:application-inference-profile/%' THEN "modelId" ELSE '(none)' END AS g3,
    coalesce("modelId", '(unknown)') AS model,
    "account" AS t_account,
    "region" AS t_region,
    substr(replace(substr("timestamp", 1, 19), ' ', 'T'), 1, 10) AS p_day,
    "schemaType" = 'ModelInvocationLog' AS ok,
    TRUE AS inside,
    "errorCode" IS NOT NULL AS failed,
    coalesce("input".inputTokenCount) AS input_tokens,
    coalesce("output".outputTokenCount) AS output_tokens,
    coalesce("input".cacheReadInputTokenCount, "cacheReadInputTokenCount") AS cache_read_tokens,
    coalesce("input".cacheWriteInputTokenCount, "cacheWriteInputTokenCount") AS cache_write_tokens,
    FALSE AS nan_input,
    FALSE AS nan_output,
    FALSE OR FALSE AS nan_cache_read,
    FALSE OR FALSE AS nan_cache_write,
    0 AS cache_write_1h_tokens,
    CAST(NULL AS BIGINT) AS latency_ms
  FROM "bedrock_monitor"."invocation_logs"
  WHERE dt >= '2026/11/20/00' AND dt <= '2026/11/20/06' AND "$path" NOT LIKE '%/data/%'
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
  approx_percentile(latency_ms, 0.5) AS p50,
  approx_percentile(latency_ms, 0.9) AS p90,
  approx_percentile(latency_ms, 0.99) AS p99,
  count(not_record) AS malformed,
  count(outside) AS outside,
  count(nan_input) AS nan_input,
  count(nan_output) AS nan_output,
  count(nan_cache_read) AS nan_cache_read,
  count(nan_cache_write) AS nan_cache_write
FROM records
GROUP BY GROUPING SETS ((g0, g1, g2, g3, model, t_region, p_day), (t_account, t_region, model, p_day), (g0, g1, g2, g3), ())
