import { PARTITION_KEYS, tableParameters } from '../../src/lib/resources/athena-table.js';
import { CUR_TABLE } from '../../src/lib/bill/cur-athena.js';

/**
 * Contract checks for the two query languages no emulator runs: CloudWatch Logs Insights (StartQuery's
 * queryString) and Athena SQL (StartQueryExecution's QueryString, engine version 3 = Trino), and the Glue
 * tables the Athena queries read (CreateTable/UpdateTable TableInput). moto accepts any query text; these
 * rules check the text against what AWS documents: commands, functions and their arity, time units,
 * quoting, literals, limits, partition projection. They cannot tell whether a query means what the report
 * needs (semantics), nor how fast or costly it is: see docs/testing.md.
 */

const CWL = 'https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs';
const ATHENA = 'https://docs.aws.amazon.com/athena/latest/ug';

export const QUERY_RULES = {
  insightsCommands: {
    text:
      'a Logs Insights query is commands separated by |, each a documented command (fields, display, filter, ' +
      'filterIndex, stats, sort, limit, parse, dedup, pattern, diff, unmask, anomaly, unnest, lookup, SOURCE)',
    url: `${CWL}/CWL_QuerySyntax.html`,
  },
  insightsFunctions: {
    text:
      'Logs Insights functions are the documented ones, with their documented number of arguments; ' +
      'aggregation functions (sum, count, pct, …) only in stats',
    url: `${CWL}/CWL_QuerySyntax-operations-functions.html`,
  },
  insightsPeriod: {
    text:
      'a period (bin, datefloor, dateceil) is a number and a documented unit: ms/msec/millisecond, s/sec/second, ' +
      'm/min/minute, h/hr/hour, d/day, w/week, mo/mon/month, q/qtr/quarter, y/yr/year (longer units with an s)',
    url: `${CWL}/CWL_QuerySyntax-Stats.html`,
  },
  insightsNames: {
    text:
      'a field name with characters other than letters, digits, @, . (and _) is in backticks (`foo-bar`); ' +
      'strings are in quotes, regular expressions between slashes, each closed',
    url: `${CWL}/CWL_QuerySyntax.html`,
  },
  insightsLimit: {
    text: 'queryString of at most 10,000 characters; limit (in the query and StartQuery limit) from 1 to 100,000',
    url: `${CWL}/CWL_QuerySyntax-Limit.html`,
  },
  insightsParse: {
    text: 'parse FIELD /regex/ names what it extracts with named capturing groups (?<Name>…); a glob parse uses as',
    url: `${CWL}/CWL_QuerySyntax-Parse.html`,
  },
  athenaLiterals: {
    text:
      "Athena SQL: string literals in single quotes (a quote inside doubled: ''), identifiers in double quotes, " +
      'no backticks (those are for DDL), each closed',
    url: `${ATHENA}/select.html`,
  },
  athenaFunctions: {
    text: 'Athena engine version 3 runs Trino functions: only functions Trino documents (no DuckDB-only ones)',
    url: `${ATHENA}/functions-env3.html`,
  },
  athenaArguments: {
    text:
      "documented argument values: date_trunc units ('millisecond' … 'year'), date_format's MySQL specifiers, " +
      "approx_percentile's percentage in [0, 1], TIMESTAMP/DATE literals as 'YYYY-MM-DD[ hh:mm:ss[.fff]]'",
    url: 'https://trino.io/docs/current/functions/datetime.html',
  },
  athenaReserved: {
    text: 'a reserved word used as an identifier (alias, column, struct member) is in double quotes',
    url: `${ATHENA}/reserved-words.html`,
  },
  athenaInjected: {
    text:
      'a query on a table with injected projected partitions has static equality conditions (= or IN) on each ' +
      'injected column; a projected date partition is compared with values in its projection.format',
    url: `${ATHENA}/partition-projection-dynamic-id-partitioning.html`,
  },
  athenaLength: {
    text: 'QueryString of 1 to 262,144 characters',
    url: 'https://docs.aws.amazon.com/athena/latest/APIReference/API_StartQueryExecution.html',
  },
  glueProjection: {
    text:
      'partition projection: projection.enabled, every partition column with a projection type (enum, integer, ' +
      'date, injected) and its required properties (date: format, range of two values in the format or NOW, ' +
      'interval.unit a ChronoUnit word), no projection for a non-partition column, storage.location.template ' +
      'with ${column} for every partition column',
    url: `${ATHENA}/partition-projection-supported-types.html`,
  },
  glueNames: {
    text:
      'Glue table and column names (struct members too) in lower case, 1-255 characters: Athena lower-cases ' +
      'them when it runs a query',
    url: `${ATHENA}/tables-databases-columns-names.html`,
  },
  glueSerde: {
    text:
      'a documented SerDe with its input/output formats (OpenX JSON SerDe with TextInputFormat, its documented ' +
      'properties; Parquet SerDe with MapredParquet formats) and Hive column types',
    url: `${ATHENA}/supported-serdes.html`,
  },
} as const;

export type QueryRuleId = keyof typeof QUERY_RULES;
type Add = (rule: QueryRuleId, detail: string) => void;

// ---------------------------------------------------------------- Logs Insights

const INSIGHTS_COMMANDS = new Set(
  [
    'fields',
    'display',
    'filter',
    'filterindex',
    'stats',
    'sort',
    'limit',
    'parse',
    'dedup',
    'pattern',
    'diff',
    'unmask',
    'anomaly',
    'unnest',
    'lookup',
    'source',
  ].map((c) => c.toLowerCase()),
);

/** [min, max] arguments (max Infinity: variadic), from the functions pages. */
const INSIGHTS_FUNCTIONS: Record<string, [number, number]> = {
  // numeric
  abs: [1, 1],
  ceil: [1, 1],
  floor: [1, 1],
  greatest: [1, Infinity],
  least: [1, Infinity],
  log: [1, 1],
  sqrt: [1, 1],
  // general
  ispresent: [1, 1],
  coalesce: [1, Infinity],
  // string
  isempty: [1, 1],
  isblank: [1, 1],
  concat: [1, Infinity],
  ltrim: [1, 2],
  rtrim: [1, 2],
  trim: [1, 2],
  strlen: [1, 1],
  toupper: [1, 1],
  tolower: [1, 1],
  substr: [2, 3],
  replace: [3, 3],
  strcontains: [2, 2],
  // datetime
  bin: [1, 1],
  datefloor: [2, 2],
  dateceil: [2, 2],
  frommillis: [1, 1],
  tomillis: [1, 1],
  // JSON
  jsonparse: [1, 1],
  jsonstringify: [1, 1],
  // IP
  isvalidip: [1, 1],
  isvalidipv4: [1, 1],
  isvalidipv6: [1, 1],
  isipinsubnet: [2, 2],
  isipv4insubnet: [2, 2],
  isipv6insubnet: [2, 2],
};

const INSIGHTS_AGGREGATES: Record<string, [number, number]> = {
  avg: [1, 1],
  count: [0, 1],
  count_distinct: [1, 1],
  max: [1, 1],
  min: [1, 1],
  pct: [2, 2],
  stddev: [1, 1],
  sum: [1, 1],
  earliest: [1, 1],
  latest: [1, 1],
  sortsfirst: [1, 1],
  sortslast: [1, 1],
};

const UNITS = [
  'ms|msecs?|milliseconds?',
  's|secs?|seconds?',
  'm|mins?|minutes?',
  'h|hrs?|hours?',
  'd|days?',
  'w|weeks?',
  'mo|mons?|months?',
  'q|qtrs?|quarters?',
  'y|yrs?|years?',
];
const PERIOD = new RegExp(`^\\d+(${UNITS.join('|')})$`);

interface Scanned {
  /** The text with each string, regex and backticked name replaced by a placeholder (", /, ` + index). */
  masked: string;
  strings: string[];
  regexes: string[];
  names: string[];
  unclosed?: string;
}

/** Whether a `/` at this point opens a regular expression (after like, =~, or parse FIELD). */
const opensRegex = (before: string): boolean => /(?:\blike|=~|\bparse\s+[\w@.`]+|\()\s*$/i.test(before);

/** Splits a Logs Insights query into commands, masking literals (their | are not separators). */
export function scanInsights(query: string): { commands: Scanned[]; unclosed?: string } {
  const commands: Scanned[] = [];
  let cur: Scanned = { masked: '', strings: [], regexes: [], names: [] };
  for (let i = 0; i < query.length; i++) {
    const c = query[i]!;
    const regex = c === '/' && opensRegex(cur.masked);
    if (c === '"' || c === "'" || c === '`' || regex) {
      let j = i + 1;
      let body = '';
      while (j < query.length && query[j] !== c) {
        if (query[j] === '\\' && c !== '`') body += query[j++];
        body += query[j++] ?? '';
      }
      if (j >= query.length) return { commands, unclosed: query.slice(i, i + 40) };
      const list = c === '`' ? cur.names : c === '/' ? cur.regexes : cur.strings;
      cur.masked += `${c}${list.length}${c}`;
      list.push(body);
      i = j;
    } else if (c === '|') {
      commands.push(cur);
      cur = { masked: '', strings: [], regexes: [], names: [] };
    } else cur.masked += c;
  }
  commands.push(cur);
  return { commands };
}

/** Each call `name(args)` in masked text, with its top-level arguments. */
export function calls(masked: string): { name: string; args: string[] }[] {
  const out: { name: string; args: string[] }[] = [];
  for (const m of masked.matchAll(/([A-Za-z_][\w]*)\s*\(/g)) {
    let depth = 1;
    let j = m.index + m[0].length;
    const args: string[] = [];
    let arg = '';
    for (; j < masked.length && depth > 0; j++) {
      const ch = masked[j]!;
      if (ch === '(') depth++;
      if (ch === ')') depth--;
      if (depth === 1 && ch === ',') {
        args.push(arg.trim());
        arg = '';
      } else if (depth > 0) arg += ch;
    }
    if (arg.trim() !== '' || args.length) args.push(arg.trim());
    out.push({ name: m[1]!, args });
  }
  return out;
}

function checkInsightsCall(call: { name: string; args: string[] }, command: string, add: Add): void {
  const name = call.name.toLowerCase();
  const aggregate = INSIGHTS_AGGREGATES[name];
  const arity = aggregate ?? INSIGHTS_FUNCTIONS[name];
  const n = call.args.length === 1 && call.args[0] === '*' && name === 'count' ? 0 : call.args.length;
  if (!arity) return add('insightsFunctions', `${call.name}() is not a documented function`);
  if (n < arity[0] || n > arity[1]) add('insightsFunctions', `${call.name}() with ${n} arguments`);
  if (aggregate && command !== 'stats' && command !== 'sort')
    add('insightsFunctions', `aggregation ${call.name}() in ${command}`);
  const period = name === 'bin' ? call.args[0] : name === 'datefloor' || name === 'dateceil' ? call.args[1] : null;
  if (period !== null && period !== undefined && !PERIOD.test(period))
    add('insightsPeriod', `${call.name}(…, ${period})`);
  if (name === 'pct' && !(Number(call.args[1]) >= 0 && Number(call.args[1]) <= 100))
    add('insightsFunctions', `pct(…, ${call.args[1] ?? ''}): the percentile is a number from 0 to 100`);
}

function checkInsightsCommand(cmd: Scanned, add: Add): void {
  const text = cmd.masked.trim();
  const name = (/^(\w+)/.exec(text)?.[1] ?? '').toLowerCase();
  if (!INSIGHTS_COMMANDS.has(name)) return add('insightsCommands', `"${text.slice(0, 40)}"`);
  const rest = text.slice(name.length);
  for (const call of calls(rest)) if (!/^(and|or|not|in|by|as)$/i.test(call.name)) checkInsightsCall(call, name, add);
  // A bare name holding - : / = + (not an operator between spaces) is parsed as an expression, not a field.
  for (const m of rest.matchAll(/[\w@.]+(?:[-:/=+][\w@.]+)+/g))
    if (!/^\d/.test(m[0])) add('insightsNames', `${m[0]} is not in backticks`);
  for (const n of cmd.names) if (n === '') add('insightsNames', 'an empty backticked name');
  if (name === 'limit') {
    const v = Number(/^\s*(?:any\s+)?(\d+)\s*$/.exec(rest)?.[1] ?? NaN);
    if (!(v >= 1 && v <= 100_000)) add('insightsLimit', `limit${rest}`);
  }
  if (name === 'parse') {
    const regex = /^\s*[\w@.`]+\s*\/(\d+)\/\s*$/.exec(rest.replace(/`\d+`/, 'f'));
    if (regex) {
      if (!/\(\?<[A-Za-z@][\w@]*>/.test(cmd.regexes[Number(regex[1])] ?? ''))
        add('insightsParse', `parse regex without a named group: /${cmd.regexes[Number(regex[1])] ?? ''}/`);
    } else if (!/\bas\b/i.test(rest)) add('insightsParse', `parse${rest}`);
  }
}

/** Checks a Logs Insights query (and StartQuery's limit). */
export function checkInsightsQuery(query: string, limit: number | undefined, add: Add): void {
  if (query.length > 10_000) add('insightsLimit', `queryString of ${query.length} characters`);
  if (limit !== undefined && !(limit >= 1 && limit <= 100_000)) add('insightsLimit', `StartQuery limit ${limit}`);
  const { commands, unclosed } = scanInsights(query);
  if (unclosed !== undefined) return add('insightsNames', `unclosed quote, backtick or regex at ${unclosed}`);
  for (const c of commands) checkInsightsCommand(c, add);
}

// ---------------------------------------------------------------- Athena SQL (Trino)

/**
 * Trino's functions (https://trino.io/docs/current/functions/list.html) that a report query could use, and
 * the SQL keywords written before a parenthesis. Anything else before `(` is an unknown function.
 */
const TRINO_FUNCTIONS = new Set(
  (
    'abs approx_distinct approx_percentile approx_set arbitrary array_agg array_join avg bool_and bool_or ' +
    'cardinality cast ceil ceiling coalesce concat contains count count_if current_date date date_add date_diff ' +
    'date_format date_parse date_trunc day day_of_week element_at every filter floor format format_datetime ' +
    'from_iso8601_date from_iso8601_timestamp from_unixtime greatest grouping hour if json_extract ' +
    'json_extract_scalar json_format json_parse least length lower lpad ltrim map map_agg map_entries map_filter ' +
    'map_from_entries map_keys map_values max max_by min min_by minute month nullif parse_datetime position quarter ' +
    'reduce regexp_extract regexp_extract_all regexp_like regexp_replace replace round row_number rpad rtrim ' +
    'split split_part starts_with strpos substr substring sum to_iso8601 to_unixtime transform trim try try_cast ' +
    'upper week year year_of_week'
  ).split(' '),
);
const SQL_KEYWORDS = new Set(
  (
    'and as between by case cube distinct else end exists filter from in is join like not on or over rollup ' +
    'select sets then union unnest using values when where with all any some'
  ).split(' '),
);
/** Athena's reserved words in SELECT statements (reserved-words.html), those a report could name. */
const RESERVED = new Set(
  (
    'alter and as between by case cast constraint create cross cube current_date current_time current_timestamp ' +
    'current_user deallocate delete describe distinct drop else end escape except execute exists extract false ' +
    'first for from full group grouping having in inner insert intersect into is join json_array json_exists ' +
    'json_object json_query json_table json_value last left like listagg localtime localtimestamp natural ' +
    'normalize not null of on or order outer prepare recursive right rollup select skip table then trim true ' +
    'uescape union unnest using values when where with'
  ).split(' '),
);
const DATE_TRUNC_UNITS = ['millisecond', 'second', 'minute', 'hour', 'day', 'week', 'month', 'quarter', 'year'];
/** date_format's MySQL specifiers Trino supports (%U %u %V %w %X %x are not). */
const DATE_FORMAT_SPEC = /%[abcDdefHhIijklMmprSsTvWYy%]/g;

interface SqlScan {
  masked: string;
  strings: string[];
  idents: string[];
  problem?: string;
}

/** Masks string literals ('S0') and quoted identifiers ("I0"), dropping comments; says what is left unclosed. */
export function scanSql(sql: string): SqlScan {
  const out: SqlScan = { masked: '', strings: [], idents: [] };
  for (let i = 0; i < sql.length; i++) {
    const c = sql[i]!;
    if (c === '-' && sql[i + 1] === '-') {
      while (i < sql.length && sql[i] !== '\n') i++;
    } else if (c === "'" || c === '"') {
      let j = i + 1;
      let body = '';
      for (; j < sql.length; j++) {
        if (sql[j] === c && sql[j + 1] === c) body += sql[++j];
        else if (sql[j] === c) break;
        else body += sql[j];
      }
      if (j >= sql.length) return { ...out, problem: `unclosed ${c} at ${sql.slice(i, i + 40)}` };
      const list = c === "'" ? out.strings : out.idents;
      out.masked += c === "'" ? `'S${list.length}'` : `"I${list.length}"`;
      list.push(body);
      i = j;
    } else if (c === '`') return { ...out, problem: `backtick at ${sql.slice(i, i + 40)}` };
    else out.masked += c;
  }
  return out;
}

const literalOf = (arg: string | undefined, s: SqlScan): string | undefined => {
  const m = /^'S(\d+)'$/.exec(arg?.trim() ?? '');
  return m ? s.strings[Number(m[1])] : undefined;
};

function checkSqlCalls(s: SqlScan, add: Add): void {
  for (const call of calls(s.masked)) {
    const name = call.name.toLowerCase();
    if (SQL_KEYWORDS.has(name)) continue;
    if (!TRINO_FUNCTIONS.has(name)) {
      add('athenaFunctions', `${call.name}() is not a Trino function`);
      continue;
    }
    const first = literalOf(call.args[0], s);
    if (name === 'date_trunc' && (first === undefined || !DATE_TRUNC_UNITS.includes(first.toLowerCase())))
      add('athenaArguments', `date_trunc(${call.args[0] ?? ''} …)`);
    const format = literalOf(call.args[1], s);
    if (name === 'date_format' && format !== undefined && format.replace(DATE_FORMAT_SPEC, '').includes('%'))
      add('athenaArguments', `date_format(…, '${format}')`);
    if (name === 'approx_percentile') {
      const p = Number(call.args[1]);
      if (!(p >= 0 && p <= 1)) add('athenaArguments', `approx_percentile(…, ${call.args[1] ?? ''})`);
    }
  }
  for (const m of s.masked.matchAll(/\b(TIMESTAMP|DATE)\s+'S(\d+)'/gi)) {
    const v = s.strings[Number(m[2])] ?? '';
    const ok =
      m[1]!.toUpperCase() === 'DATE'
        ? /^\d{4}-\d{2}-\d{2}$/.test(v)
        : /^\d{4}-\d{2}-\d{2}( \d{2}:\d{2}(:\d{2}(\.\d{1,12})?)?)?( [A-Za-z_/+-:0-9]+)?$/.test(v);
    if (!ok) add('athenaArguments', `${m[1]!} '${v}'`);
  }
}

function checkSqlReserved(s: SqlScan, add: Add): void {
  for (const m of s.masked.matchAll(/\bAS\s+([A-Za-z_]\w*)/gi))
    if (RESERVED.has(m[1]!.toLowerCase()) && !/^(SELECT|WITH|\()/i.test(m[1]!))
      add('athenaReserved', `alias ${m[1]!} is not quoted`);
  for (const m of s.masked.matchAll(/(?<![\w".])([A-Za-z_]\w*)\s*\.\s*[A-Za-z_"]/g))
    if (RESERVED.has(m[1]!.toLowerCase())) add('athenaReserved', `${m[1]!}. is not quoted`);
  for (const m of s.masked.matchAll(/\.\s*([A-Za-z_]\w*)/g))
    if (RESERVED.has(m[1]!.toLowerCase())) add('athenaReserved', `.${m[1]!} is not quoted`);
}

/** A Java DateTimeFormatter pattern (projection.*.format) as a regular expression over its values. */
const formatRegex = (format: string): RegExp =>
  new RegExp(`^${format.replace(/yyyy|MM|dd|HH|mm|ss/g, (t) => `\\d{${t.length}}`).replace(/\//g, '\\/')}$`);

/** The partition columns a query must constrain, and the date partitions' formats, of the tool's own tables. */
function projections(): { injected: string[]; dates: Record<string, string> } {
  const p: Record<string, string> = tableParameters('s3://b/');
  const injected = PARTITION_KEYS.map((k) => k.Name).filter((k) => p[`projection.${k}.type`] === 'injected');
  const dates: Record<string, string> = { billing_period: 'yyyy-MM' };
  for (const k of PARTITION_KEYS.map((x) => x.Name))
    if (p[`projection.${k}.type`] === 'date') dates[k] = p[`projection.${k}.format`]!;
  return { injected, dates };
}

function checkSqlPartitions(s: SqlScan, add: Add): void {
  const { injected, dates } = projections();
  const name = (x: string): string => `(?:${x}|"I(?:${s.idents.map((v, i) => (v === x ? i : -1)).join('|')})")`;
  if (!new RegExp(`\\b${CUR_TABLE}\\b`).test(s.masked) && !s.idents.includes(CUR_TABLE))
    for (const col of injected) {
      const eq = new RegExp(`${name(col)}\\s*(=\\s*'S\\d+'|IN\\s*\\(\\s*'S\\d+'(\\s*,\\s*'S\\d+')*\\s*\\))`, 'i');
      if (!eq.test(s.masked)) add('athenaInjected', `no static = or IN condition on the injected column ${col}`);
    }
  for (const [col, format] of Object.entries(dates))
    for (const m of s.masked.matchAll(
      new RegExp(`\\b${col}\\s*(?:[<>]=?|=|IN\\s*\\()\\s*((?:'S\\d+'\\s*,?\\s*)+)`, 'gi'),
    ))
      for (const lit of m[1]!.matchAll(/'S(\d+)'/g)) {
        const v = s.strings[Number(lit[1])] ?? '';
        if (!formatRegex(format).test(v)) add('athenaInjected', `${col} compared with '${v}', not ${format}`);
      }
}

/** Checks one Athena query text. */
export function checkAthenaSql(sql: string, add: Add): void {
  if (sql.length < 1 || sql.length > 262_144) add('athenaLength', `${sql.length} characters`);
  const s = scanSql(sql);
  if (s.problem) return add('athenaLiterals', s.problem);
  checkSqlCalls(s, add);
  checkSqlReserved(s, add);
  checkSqlPartitions(s, add);
}

// ---------------------------------------------------------------- Glue tables

const CHRONO_UNITS = ['YEARS', 'MONTHS', 'WEEKS', 'DAYS', 'HOURS', 'MINUTES', 'SECONDS', 'MILLISECONDS'];

interface TableInputLike {
  PartitionKeys?: { Name?: string; Type?: string }[];
  Parameters?: Record<string, string>;
  StorageDescriptor?: {
    Columns?: { Name?: string; Type?: string }[];
    InputFormat?: string;
    OutputFormat?: string;
    SerdeInfo?: { SerializationLibrary?: string; Parameters?: Record<string, string> };
  };
}

function checkDateProjection(col: string, p: Record<string, string>, add: Add): void {
  const format = p[`projection.${col}.format`];
  const range = (p[`projection.${col}.range`] ?? '').split(',');
  if (!format) return add('glueProjection', `projection.${col}.format missing`);
  if (range.length !== 2) return add('glueProjection', `projection.${col}.range "${range.join(',')}"`);
  for (const v of range)
    if (!/^NOW([+-]\d+[A-Z]+)?$/.test(v.trim()) && !formatRegex(format).test(v.trim()))
      add('glueProjection', `projection.${col}.range value ${v} is not in ${format}`);
  const unit = p[`projection.${col}.interval.unit`];
  if (unit !== undefined && !CHRONO_UNITS.includes(unit.toUpperCase()))
    add('glueProjection', `projection.${col}.interval.unit ${unit}`);
  const interval = p[`projection.${col}.interval`];
  if (interval !== undefined && !/^[1-9]\d*$/.test(interval)) add('glueProjection', `interval ${interval}`);
}

function checkProjection(t: TableInputLike, add: Add): void {
  const p = t.Parameters ?? {};
  if (!Object.keys(p).some((k) => k.startsWith('projection.'))) return;
  if (p['projection.enabled'] !== 'true') add('glueProjection', 'projection.enabled is not "true"');
  const keys = (t.PartitionKeys ?? []).map((k) => k.Name ?? '');
  for (const k of Object.keys(p)) {
    const col = /^projection\.([^.]+)\./.exec(k)?.[1];
    if (col !== undefined && !keys.includes(col)) add('glueProjection', `${k}: ${col} is not a partition column`);
  }
  for (const col of keys) {
    const type = p[`projection.${col}.type`];
    if (!['enum', 'integer', 'date', 'injected'].includes(type ?? ''))
      add('glueProjection', `projection.${col}.type ${String(type)}`);
    if (type === 'date') checkDateProjection(col, p, add);
    if (type === 'enum' && !p[`projection.${col}.values`]) add('glueProjection', `projection.${col}.values missing`);
    if (type === 'integer' && !p[`projection.${col}.range`]) add('glueProjection', `projection.${col}.range missing`);
  }
  const template = p['storage.location.template'];
  if (template !== undefined) {
    if (!template.startsWith('s3://')) add('glueProjection', `storage.location.template ${template}`);
    for (const col of keys)
      if (!template.includes(`\${${col}}`)) add('glueProjection', `storage.location.template lacks \${${col}}`);
  }
}

const SERDES: Record<string, { input: string; output: string; params?: RegExp }> = {
  'org.openx.data.jsonserde.JsonSerDe': {
    input: 'org.apache.hadoop.mapred.TextInputFormat',
    output: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
    params: /^(ignore\.malformed\.json|case\.insensitive|dots\.in\.keys|mapping\..+|serialization\.format)$/,
  },
  'org.apache.hive.hcatalog.data.JsonSerDe': {
    input: 'org.apache.hadoop.mapred.TextInputFormat',
    output: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
  },
  'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe': {
    input: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
    output: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
  },
};

/** Whether a Hive type string is well formed (primitive, array<>, map<primitive,>, struct<name:type,…>). */
export function hiveTypeOk(t: string): boolean {
  const prim = new RegExp(
    '^(boolean|tinyint|smallint|int|integer|bigint|float|double|string|binary|date|timestamp|' +
      String.raw`decimal(\(\d+,\s*\d+\))?|(var)?char\(\d+\))$`,
  );
  if (prim.test(t)) return true;
  const inner = /^(array|map|struct)<(.*)>$/.exec(t);
  if (!inner) return false;
  const parts: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of inner[2]!) {
    if (ch === '<' || ch === '(') depth++;
    if (ch === '>' || ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  parts.push(cur);
  if (inner[1] === 'array') return parts.length === 1 && hiveTypeOk(parts[0]!);
  if (inner[1] === 'map') return parts.length === 2 && prim.test(parts[0]!) && hiveTypeOk(parts[1]!);
  return parts.every((p) => /^[a-z_][\w]*:/i.test(p) && hiveTypeOk(p.slice(p.indexOf(':') + 1)));
}

function checkSerde(t: TableInputLike, add: Add): void {
  const sd = t.StorageDescriptor ?? {};
  const lib = sd.SerdeInfo?.SerializationLibrary ?? '';
  const serde = SERDES[lib];
  if (!serde) add('glueSerde', `SerializationLibrary ${lib}`);
  else {
    if (sd.InputFormat !== serde.input || sd.OutputFormat !== serde.output)
      add('glueSerde', `${lib} with ${String(sd.InputFormat)} / ${String(sd.OutputFormat)}`);
    for (const k of Object.keys(sd.SerdeInfo?.Parameters ?? {}))
      if (serde.params && !serde.params.test(k)) add('glueSerde', `${lib} property ${k}`);
  }
  for (const c of [...(sd.Columns ?? []), ...(t.PartitionKeys ?? [])])
    if (!hiveTypeOk(c.Type ?? '')) add('glueSerde', `column ${String(c.Name)} of type ${String(c.Type)}`);
}

function checkNames(t: TableInputLike & { Name?: string }, add: Add): void {
  const cols = [...(t.StorageDescriptor?.Columns ?? []), ...(t.PartitionKeys ?? [])];
  // Struct members: `name:` inside struct<…> types.
  const members = cols.flatMap((c) => [...(c.Type ?? '').matchAll(/[<,]([^<>,:]+):/g)].map((m) => m[1]!));
  for (const n of [t.Name ?? '', ...cols.map((c) => c.Name ?? ''), ...members])
    if (n.length < 1 || n.length > 255 || n !== n.toLowerCase()) add('glueNames', `name "${n}"`);
}

export function checkTableInput(input: unknown, add: Add): void {
  const t = (input ?? {}) as TableInputLike;
  checkProjection(t, add);
  checkSerde(t, add);
  checkNames(t, add);
}
