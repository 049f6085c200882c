/**
 * The invocation log record as both engines see it: one list of declared fields, turned into the
 * DuckDB `read_json` column spec and into the Glue table's columns. Only metadata is declared: the
 * prompt and response bodies are never read, except the `metrics` and `usage` members of a
 * response body (latency and the cache-write split by TTL). Undeclared keys are skipped by both
 * readers, so bodies never reach memory as values.
 *
 * Field names keep the record's spelling (DuckDB matches keys case-sensitively); SQL refers to them
 * unquoted, which both DuckDB and Athena resolve case-insensitively (the Glue columns are lowercase).
 */

/**
 * A field: a scalar type, or a struct of fields, or a list of a struct. `count` is a token count: a BIGINT in the
 * Glue table, but read as text by the local engine, so that a value that is not a number (`"<count>"`) is told apart
 * from an absent one and reported instead of read as 0 (src/lib/logs/sql.ts).
 */
export type FieldType = 'string' | 'bigint' | 'count' | { struct: Field[] } | { list: Field[] };
export interface Field {
  name: string;
  type: FieldType;
}

const s = (name: string): Field => ({ name, type: 'string' });
const n = (name: string): Field => ({ name, type: 'bigint' });
const count = (name: string): Field => ({ name, type: 'count' });
const struct = (name: string, fields: Field[]): Field => ({ name, type: { struct: fields } });

/** `requestMetadata` is a map of caller tags; declared apart since its type is a map. */
export const TAGS_FIELD = 'requestMetadata';

/** The record's metadata: what the Athena table declares, and the local engine too. */
const METADATA: Field[] = [
  s('schemaType'),
  s('timestamp'),
  s('operation'),
  s('modelId'),
  s('errorCode'),
  struct('identity', [s('arn')]),
  struct('input', [count('inputTokenCount'), count('cacheReadInputTokenCount'), count('cacheWriteInputTokenCount')]),
  // Some writers put the cache counts at the top level: read both places.
  count('cacheReadInputTokenCount'),
  count('cacheWriteInputTokenCount'),
];

/**
 * The two members of a response body the local engine reads: `metrics` (latency) and `usage` (the
 * cache-write split by TTL). A streamed response body is an array of chunks: DuckDB reads it as
 * NULL for these members and goes on, which is why only the local engine declares them (the Athena
 * SerDe fails the whole query instead).
 */
const RESPONSE_USAGE = struct('outputBodyJson', [
  struct('metrics', [n('latencyMs')]),
  struct('usage', [
    { name: 'cacheDetails', type: { list: [s('ttl'), n('inputTokens')] } },
    struct('cache_creation', [n('ephemeral_1h_input_tokens')]),
  ]),
]);

/**
 * The local engine's fields. It reads the record's `accountId` and `region` too (for records whose path does not say
 * where they were logged); the Athena table has `account` and `region` as partitions from the path instead.
 */
export const INVOCATION_FIELDS: Field[] = [
  ...METADATA,
  s('accountId'),
  s('region'),
  struct('output', [count('outputTokenCount'), RESPONSE_USAGE]),
];

/** The Athena table's fields: metadata only. */
export const TABLE_FIELDS: Field[] = [...METADATA, struct('output', [count('outputTokenCount')])];

type CountAs = 'VARCHAR' | 'BIGINT';

function duckType(t: FieldType, countAs: CountAs): string {
  if (t === 'string') return 'VARCHAR';
  if (t === 'count') return countAs;
  if (t === 'bigint') return 'BIGINT';
  if ('struct' in t) return `STRUCT(${t.struct.map((f) => `"${f.name}" ${duckType(f.type, countAs)}`).join(', ')})`;
  return `STRUCT(${t.list.map((f) => `"${f.name}" ${duckType(f.type, countAs)}`).join(', ')})[]`;
}

/**
 * The `columns={...}` argument of DuckDB's read_json. Token counts are read as text, unless a caller reads the Glue
 * table's shape (`countAs` BIGINT).
 */
export function duckColumns(
  fields: Field[] = INVOCATION_FIELDS,
  mapField = TAGS_FIELD,
  countAs: CountAs = 'VARCHAR',
): string {
  const cols = fields.map((f) => `"${f.name}": '${duckType(f.type, countAs)}'`);
  cols.push(`"${mapField}": 'MAP(VARCHAR, VARCHAR)'`);
  return `{${cols.join(', ')}}`;
}

function hiveType(t: FieldType): string {
  if (t === 'string') return 'string';
  if (t === 'bigint' || t === 'count') return 'bigint';
  if ('struct' in t) return `struct<${t.struct.map((f) => `${f.name.toLowerCase()}:${hiveType(f.type)}`).join(',')}>`;
  return `array<struct<${t.list.map((f) => `${f.name.toLowerCase()}:${hiveType(f.type)}`).join(',')}>>`;
}

/** The Glue table's columns (Hive types, lowercase names as the OpenX SerDe sees keys). */
export function glueColumns(fields: Field[] = TABLE_FIELDS, mapField = TAGS_FIELD): { Name: string; Type: string }[] {
  return [
    ...fields.map((f) => ({ Name: f.name.toLowerCase(), Type: hiveType(f.type) })),
    { Name: mapField.toLowerCase(), Type: 'map<string,string>' },
  ];
}

/**
 * Objects under the log prefix that are not log files: the large-body objects Bedrock writes under
 * `data/`, the zero-byte permission check, anything empty or not JSON.
 */
export function isLogFileKey(key: string, size: number): boolean {
  if (size === 0) return false;
  const base = key.slice(key.lastIndexOf('/') + 1);
  if (base.startsWith('amazon-bedrock-logs-permission-check')) return false;
  if (/(^|\/)data\//.test(key)) return false;
  if (/_(input|output)\.json(\.gz)?$/.test(base)) return false;
  return /\.json(\.gz)?$/.test(base);
}
