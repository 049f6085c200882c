import type { Change, Outcome } from '../aws/ensure.js';
import { differenceLine } from '../aws/doc-diff.js';
import { count, focusPair } from '../io/format.js';
import { brief, type Output } from '../io/output.js';
import { wrapText, type Column } from '../io/table.js';
import type { StatusLine, SubscriptionState } from './steps.js';

/**
 * What setup, status and cleanup print for people. Everything here draws from the same objects
 * --json prints, and fits the terminal's width (nothing is shortened into a pipe).
 */

const ACTION_WIDTH = 13;
const INDENT = ' '.repeat(ACTION_WIDTH + 1);

/** A note in parentheses, unless it has its own. */
const paren = (note: string): string => (note.includes('(') ? note : `(${note})`);

/**
 * `field: from → to` on one line when it fits; else the two values on lines of their own, each
 * focused on where they differ. Into a pipe, whole.
 */
export function changeLines(out: Output, ch: Change, indent: string): string[] {
  if (ch.differences?.length && !out.opts.verbose) return differenceLines(out, ch, indent);
  const width = out.width;
  const head = `${indent}${ch.field}: `;
  const [from, to] = [brief(ch.from), brief(ch.to)];
  if (width === undefined || head.length + from.length + to.length + 3 <= width) return [`${head}${from} → ${to}`];
  const oneLine = Math.floor((width - head.length - 3) / 2);
  if (oneLine >= 24) {
    const [a, b] = focusPair(from, to, oneLine);
    return [`${head}${a} → ${b}`];
  }
  const [a, b] = focusPair(from, to, Math.max(12, width - indent.length - 7));
  return [`${indent}${ch.field}:`, `${indent}  from ${a}`, `${indent}  to   ${b}`];
}

/** Lines for a document, and at most this many differences before "and N more". */
const MAX_DIFFERENCES = 15;
const DOC_WIDTH = 80;

/**
 * A JSON document that differs: what differs in its own terms (widgets, statements, keys), one
 * short line each (at most 80 columns, narrower on a narrower terminal); whole documents with --verbose.
 */
function differenceLines(out: Output, ch: Change, indent: string): string[] {
  const diffs = ch.differences ?? [];
  const width = Math.min(out.width ?? DOC_WIDTH, DOC_WIDTH);
  const byChange = (c: string): number => diffs.filter((d) => d.change === c).length;
  const summary = (['missing', 'added', 'changed'] as const)
    .filter((c) => byChange(c))
    .map((c) => `${byChange(c)} ${c}`)
    .join(', ');
  const lines = [`${indent}${ch.field}: ${summary}`];
  for (const d of diffs.slice(0, MAX_DIFFERENCES)) lines.push(brief(`${indent}  ${differenceLine(d)}`, width));
  if (diffs.length > MAX_DIFFERENCES)
    lines.push(`${indent}  … and ${diffs.length - MAX_DIFFERENCES} more (--json lists them all)`);
  return lines;
}

/** A name too long for the line wraps at a token boundary, continuing under itself. */
function wrapped(out: Output, prefix: string, name: string): string[] {
  const width = out.width;
  if (width === undefined || prefix.length + name.length <= width) return [`${prefix}${name}`];
  const lines = wrapText(name, Math.max(10, width - prefix.length));
  return lines.map((l, i) => (i === 0 ? `${prefix}${l}` : `${' '.repeat(prefix.length)}${l}`));
}

function actionLabel(out: Output, a: Outcome['action']): string {
  const padded = a.padEnd(ACTION_WIDTH);
  const c = out.c;
  if (a === 'created' || a === 'updated' || a === 'deleted') return c.green(padded);
  if (a.startsWith('would-')) return c.cyan(padded);
  if (a === 'skipped') return c.yellow(padded);
  if (a === 'failed') return c.red(padded);
  return c.dim(padded);
}

/** One line per resource (`created  log-group  /aws/…`), then its changed fields and any note. */
export function renderOutcomes(out: Output, outcomes: Outcome[]): void {
  const width = Math.max(...outcomes.map((o) => o.resource.length), 8);
  for (const o of outcomes) {
    const lines = wrapped(out, `${actionLabel(out, o.action)} ${o.resource.padEnd(width)}  `, o.name);
    // The padding of the action label is measured without its colour codes.
    for (const l of lines) out.print(l);
    if (o.note) for (const l of wrapped(out, INDENT, paren(o.note))) out.print(out.c.dim(l));
    for (const ch of o.changes) for (const l of changeLines(out, ch, INDENT)) out.print(l);
  }
}

/** True when nothing was (or would be) written. */
export function converged(outcomes: Outcome[]): boolean {
  return outcomes.length > 0 && outcomes.every((o) => o.action === 'unchanged');
}

/** The one line a run that changed nothing prints instead of a line per resource. */
export function convergedLine(outcomes: Outcome[], region?: string): string {
  const only = outcomes.length === 1 ? outcomes[0] : undefined;
  if (only) return `Nothing to change: ${only.resource} ${only.name} is as configured.`;
  return `Nothing to change: all ${outcomes.length} resources${region ? ` in ${region}` : ''} are as configured.`;
}

/** A single step's result: its outcomes, or one line when it changed nothing. */
export function renderStepResult(out: Output, outcomes: Outcome[], region?: string): void {
  if (converged(outcomes)) out.say(convergedLine(outcomes, region));
  else renderOutcomes(out, outcomes);
}

/** A subscription that exists shows whether its owner confirmed it; everything else, ok, drifted or missing. */
function statusText(r: StatusLine): string {
  return r.status === 'ok' && r.subscription ? r.subscription : r.status;
}

function statusLabel(out: Output, r: StatusLine): string {
  const text = statusText(r);
  if (text === 'ok' || text === 'confirmed') return out.c.green(text);
  return text === 'missing' ? out.c.red(text) : out.c.yellow(text);
}

/** Lines under a row: each drifted field with its values, and why a resource is not the tool's. */
function detailLines(out: Output, r: StatusLine, repairShown: boolean): string[] {
  const indent = '    ';
  const lines = r.changes.flatMap((ch) => changeLines(out, ch, indent));
  if (r.note) lines.push(...wrapped(out, indent, paren(r.note)).map((l) => out.c.dim(l)));
  if (!repairShown && r.repair) lines.push(...wrapped(out, indent, `repair: ${r.repair}`));
  return lines;
}

const short = (repair: string | null): string => (repair ?? '').replace(/^bedrock-monitor /, '');

const REPAIR = 'REPAIR';

/** The status table: resource, name, status and the command that repairs each row; drift details under it. */
function statusTable(out: Output, rows: StatusLine[]): { text: string; repairShown: boolean } {
  let repairShown = false;
  const anyRepair = rows.some((r) => r.repair);
  const columns: Column[] = [
    { head: 'RESOURCE', priority: 0 },
    { head: 'NAME', priority: 0, wrap: true },
    { head: 'STATUS', priority: 0, paint: (_t, i) => statusLabel(out, rows[i]!) },
    ...(anyRepair ? [{ head: REPAIR, priority: 1, keep: true, wrap: true }] : []),
  ];
  const text = out.fitTable({
    columns,
    rows: rows.map((r) => [r.resource, r.name, statusText(r), short(r.repair)].slice(0, columns.length)),
    after: (i, shown) => {
      repairShown = shown.includes(REPAIR);
      return detailLines(out, rows[i]!, repairShown);
    },
  });
  return { text, repairShown };
}

function pendingLine(emails: string[]): string {
  return (
    `${count(emails.length, 'email subscription')} ${emails.length === 1 ? 'is' : 'are'} pending confirmation ` +
    `(${emails.join(', ')}): alarms reach an address only after its owner follows the link in the email from ` +
    `AWS Notifications.`
  );
}

/** `status`: the table, then one line on what to do. */
export function renderStatus(out: Output, rows: StatusLine[], region: string): void {
  out.say(`Status in ${region}:`);
  const table = statusTable(out, rows);
  out.print(table.text);
  const bad = rows.filter((r) => r.status !== 'ok');
  out.print('');
  if (!bad.length) {
    out.say(`All ${count(rows.length, 'resource')} are as configured.`);
  } else {
    const setupAllCovers = bad.every((r) => r.repair && !/ --(force|prune)\b/.test(r.repair));
    const all = setupAllCovers ? ', or `bedrock-monitor setup-all` for all of them' : '';
    const how = table.repairShown ? 'run `bedrock-monitor <REPAIR>` for each' : 'run the repair command under each';
    out.say(`${bad.length} of ${count(rows.length, 'resource')} need attention: ${how}${all}.`);
  }
  const pending = rows.filter((r) => r.subscription === 'pending').map((r) => r.name);
  if (pending.length) out.say(pendingLine(pending));
}

/** setup-all's plan (on stderr, before it asks): what it will create or update, and what it leaves. */
export function renderPlan(out: Output, rows: StatusLine[], region: string): void {
  const todo = rows.filter((r) => r.status !== 'ok');
  const creates = todo.filter((r) => r.status === 'missing').length;
  const updates = todo.length - creates;
  const parts = [
    creates ? `${creates} to create` : '',
    updates ? `${updates} to update` : '',
    `${rows.length - todo.length} as configured`,
  ].filter(Boolean);
  out.say(`Plan for ${region} (${parts.join(', ')}):`);
  const columns: Column[] = [
    { head: 'ACTION', priority: 0 },
    { head: 'RESOURCE', priority: 0 },
    { head: 'NAME', priority: 0, wrap: true },
  ];
  out.print(
    out.fitTable({
      columns,
      rows: todo.map((r) => [r.status === 'missing' ? 'create' : 'update', r.resource, r.name]),
      after: (i) => detailLines(out, { ...todo[i]!, repair: null }, true),
    }),
  );
}

export interface NextSteps {
  /** Each configured address and its subscription. */
  subscriptions: SubscriptionState[];
  /** The dashboard in the console, once it exists. */
  dashboardUrl: string | null;
}

/** What a person still has to do after setup, said once: confirm subscriptions, and where the dashboard is. */
export function renderNextSteps(out: Output, next: NextSteps): void {
  const pending = next.subscriptions.filter((s) => s.state === 'pending').map((s) => s.email);
  if (!pending.length && !next.dashboardUrl) return;
  out.print('');
  out.print('Next:');
  if (pending.length) out.say(`  ${pendingLine(pending)}`, 4);
  // A link is never wrapped: terminals make it clickable only in one piece.
  if (next.dashboardUrl) out.print(`  Dashboard: ${next.dashboardUrl}`);
}

/** The warning for alarms that notify a topic nobody is subscribed to. */
export const NO_EMAIL_WARNING =
  'no alert email is configured, so no one is told when an alarm fires. Add one: bedrock-monitor config set ' +
  'alarms.emails you@example.com (then run alarms or setup-all again).';
