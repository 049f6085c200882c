import { defineCommand } from '../lib/cli/command.js';

/** `config set|get|unset|list`: settings that last, in ./bedrock-monitor.config.json (or --config). */

const FILE_NOTE = 'in ./bedrock-monitor.config.json, or the file --config names';

const set = defineCommand({
  name: 'set',
  summary: `Keep a setting for every later run (${FILE_NOTE}; created when missing)`,
  examples: [
    'bedrock-monitor config set region eu-west-1',
    'bedrock-monitor config set alarms.thresholds.tokensPerHour 500000',
    'bedrock-monitor config set alarms.emails oncall@example.com,lead@example.com',
    'bedrock-monitor config set logging.destinations cloudwatch',
  ],
  configure: (cmd) =>
    cmd
      .argument('<key>', 'a config key (see `config list`)')
      .argument('<value>', 'numbers, true/false, comma-separated lists, JSON for objects; null clears a nullable key'),
  local: async ({ io, opts }, [key, value]) => {
    const { configSet, formatValue } = await import('../lib/config/store.js');
    const r = configSet({ config: opts.config, cwd: io.cwd }, key!, value!);
    return {
      data: r,
      render: (out) => {
        for (const p of r.otherProblems) out.warn(`${r.file}: ${p} (left as it was)`);
        const was = r.previous === null ? '' : ` (was ${formatValue(r.previous)})`;
        out.say(`${r.created ? 'Created' : 'Updated'} ${r.file}: ${r.key} = ${formatValue(r.value)}${was}`);
      },
    };
  },
});

const get = defineCommand({
  name: 'get',
  summary: "Print a setting: the config file's value, else the default",
  examples: ['bedrock-monitor config get alarms.thresholds.tokensPerHour', 'bedrock-monitor config get region --json'],
  configure: (cmd) => cmd.argument('<key>', 'a config key (see `config list`)'),
  local: async ({ io, opts }, [key]) => {
    const { configGet, formatValue } = await import('../lib/config/store.js');
    const r = configGet({ config: opts.config, cwd: io.cwd }, key!);
    return {
      data: r,
      exitCode: r.source === 'unset' ? 1 : 0,
      render: (out) => {
        if (r.source === 'unset') out.info(`${r.key} is not set (in ${r.file} or by default).`);
        else out.print(formatValue(r.value));
        if (r.source === 'default') out.info(`(${r.key} is not in ${r.file}: this is the default)`);
      },
    };
  },
});

const unset = defineCommand({
  name: 'unset',
  summary: 'Remove a setting from the config file (back to the default)',
  examples: ['bedrock-monitor config unset alarms.thresholds.tokensPerHour'],
  configure: (cmd) => cmd.argument('<key>', 'a config key, or a section such as alarms.thresholds'),
  local: async ({ io, opts }, [key]) => {
    const { configUnset, formatValue } = await import('../lib/config/store.js');
    const r = configUnset({ config: opts.config, cwd: io.cwd }, key!);
    return {
      data: r,
      render: (out) =>
        out.say(
          r.removed
            ? `Removed ${r.key} from ${r.file} (was ${formatValue(r.previous)}).`
            : `${r.key} was not set in ${r.file}: nothing to remove.`,
        ),
    };
  },
});

const list = defineCommand({
  name: 'list',
  summary: 'Every setting with its value and where it comes from (config file or default)',
  examples: ['bedrock-monitor config list', 'bedrock-monitor config list --config team.json --json'],
  local: async ({ io, opts }) => {
    const { configList, formatValue } = await import('../lib/config/store.js');
    const r = configList({ config: opts.config, cwd: io.cwd });
    return {
      data: r,
      render: (out) => {
        out.say(
          r.exists
            ? `Settings from ${r.file} (and defaults):`
            : `No config file at ${r.file} yet: these are the defaults. \`bedrock-monitor config set KEY ` +
                `VALUE\` creates it.`,
        );
        out.print(
          out.fitTable({
            columns: [
              { head: 'KEY', priority: 0, wrap: true },
              { head: 'VALUE', priority: 0, wrap: true },
              { head: 'FROM', priority: 1 },
            ],
            rows: r.entries.map((e) => [
              e.key,
              e.source === 'unset' ? '(not set)' : shortValue(e.value, formatValue),
              e.source === 'unset' ? '' : e.source,
            ]),
          }),
        );
      },
    };
  },
});

/** A long list in the table: its first value and how many (`config get KEY` prints it whole). */
function shortValue(value: unknown, format: (v: unknown) => string): string {
  const text = format(value);
  if (!Array.isArray(value) || text.length <= 48) return text;
  return `${format(value[0])}, … (${value.length} in all)`;
}

export default defineCommand({
  name: 'config',
  summary: 'Read and write the config file: settings that last, where flags apply to one run',
  examples: ['bedrock-monitor config set alarms.thresholds.tokensPerHour 500000', 'bedrock-monitor config list'],
  children: [set, get, unset, list],
});
