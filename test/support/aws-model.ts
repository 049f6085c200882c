import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

/**
 * AWS's own API models (botocore's service-2.json, the definitions every AWS SDK is generated from),
 * for contract checks of request shapes that only an emulator has seen: required members, unknown
 * members, enums, lengths and ranges. botocore comes with moto, which the integration tests need.
 */

interface Shape {
  type: string;
  required?: string[];
  members?: Record<string, { shape: string }>;
  member?: { shape: string };
  value?: { shape: string };
  enum?: string[];
  min?: number;
  max?: number;
  pattern?: string;
}

export interface ServiceModel {
  operations: Record<string, { input?: { shape: string } }>;
  shapes: Record<string, Shape>;
}

/**
 * botocore's `data` directory: as a moto server of jest's global setup wrote it in its working directory
 * (test/support/moto_server.py, told where by emulator.ts), else from a python3 started to ask.
 */
function botocoreData(): string {
  const shared = JSON.parse(process.env.BM_MOTO_SERVERS ?? '[]') as { dir: string }[];
  const written = shared.map((s) => join(s.dir, 'botocore-data')).find((f) => existsSync(f));
  if (written) return readFileSync(written, 'utf8').trim();
  const r = spawnSync('python3', ['-c', 'import botocore, os; print(os.path.dirname(botocore.__file__))'], {
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`botocore is not importable by python3 (it comes with moto): ${r.stderr}`);
  return join(r.stdout.trim(), 'data');
}

export function loadModel(service: string): ServiceModel {
  const dir = join(botocoreData(), service);
  const version = readdirSync(dir).sort().pop()!;
  const gz = join(dir, version, 'service-2.json.gz');
  const raw = existsSync(gz)
    ? gunzipSync(readFileSync(gz)).toString('utf8')
    : readFileSync(join(dir, version, 'service-2.json'), 'utf8');
  return JSON.parse(raw) as ServiceModel;
}

/** Every violation of the operation's input shape, as "path: problem" lines (empty when valid). */
export function checkInput(model: ServiceModel, operation: string, input: unknown): string[] {
  const shape = model.operations[operation]?.input?.shape;
  if (!shape) return [`${operation}: not an operation of this service`];
  const problems: string[] = [];
  check(model, shape, input, operation, problems);
  return problems;
}

function check(model: ServiceModel, name: string, value: unknown, path: string, out: string[]): void {
  const s = model.shapes[name];
  if (!s) return void out.push(`${path}: unknown shape ${name}`);
  if (value === undefined || value === null) return;
  switch (s.type) {
    case 'structure': {
      if (typeof value !== 'object' || Array.isArray(value)) return void out.push(`${path}: expected an object`);
      const v = value as Record<string, unknown>;
      for (const req of s.required ?? []) if (v[req] === undefined) out.push(`${path}.${req}: required`);
      for (const [k, x] of Object.entries(v)) {
        const m = s.members?.[k];
        if (!m) out.push(`${path}.${k}: not a member of ${name}`);
        else check(model, m.shape, x, `${path}.${k}`, out);
      }
      return;
    }
    case 'list':
      if (!Array.isArray(value)) return void out.push(`${path}: expected a list`);
      if (s.min !== undefined && value.length < s.min) out.push(`${path}: at least ${s.min} items`);
      if (s.max !== undefined && value.length > s.max) out.push(`${path}: at most ${s.max} items`);
      value.forEach((x, i) => check(model, s.member!.shape, x, `${path}[${i}]`, out));
      return;
    case 'map':
      if (typeof value !== 'object') return void out.push(`${path}: expected a map`);
      for (const [k, x] of Object.entries(value as Record<string, unknown>))
        check(model, s.value!.shape, x, `${path}.${k}`, out);
      return;
    case 'string':
      if (typeof value !== 'string') return void out.push(`${path}: expected a string`);
      if (s.enum && !s.enum.includes(value)) out.push(`${path}: "${value}" is not one of ${s.enum.join(', ')}`);
      if (s.min !== undefined && value.length < s.min) out.push(`${path}: shorter than ${s.min}`);
      if (s.max !== undefined && value.length > s.max) out.push(`${path}: longer than ${s.max}`);
      if (s.pattern && !matches(s.pattern, value)) out.push(`${path}: "${value}" does not match ${s.pattern}`);
      return;
    case 'integer':
    case 'long':
    case 'double':
    case 'float':
      if (typeof value !== 'number') return void out.push(`${path}: expected a number`);
      if (s.min !== undefined && value < s.min) out.push(`${path}: below ${s.min}`);
      if (s.max !== undefined && value > s.max) out.push(`${path}: above ${s.max}`);
      return;
    case 'boolean':
      if (typeof value !== 'boolean') out.push(`${path}: expected a boolean`);
      return;
    default:
      return;
  }
}

/** Python-flavoured patterns JavaScript cannot compile (inline flags) are not checked. */
function matches(pattern: string, value: string): boolean {
  let re: RegExp;
  try {
    re = new RegExp(pattern, 'u');
  } catch {
    return true;
  }
  return re.test(value);
}
