import { Argument } from 'commander';
import { defineCommand } from '../lib/cli/command.js';

interface Opts {
  action?: 'list' | 'refresh';
}

export default defineCommand<Opts>({
  name: 'prices',
  summary: 'List the token prices reports use, or refresh them from the AWS Price List API',
  flags: { 'dry-run': 'refresh: fetch and show the prices, write no file' },
  examples: [
    'bedrock-monitor prices list                 # model, rates, source and date',
    'bedrock-monitor prices refresh --region eu-west-1',
    'bedrock-monitor prices list --json | jq \'.rows[] | select(.source == "price-list")\'',
  ],
  configure: (cmd) =>
    cmd
      .addArgument(
        new Argument('[action]', 'list: show the prices in use; refresh: fetch current ones for the Region')
          .choices(['list', 'refresh'])
          .default('list'),
      )
      .hook('preAction', (c) => {
        c.setOptionValue('action', c.processedArgs[0] ?? 'list');
      }),
  run: async (ctx, o) => {
    const { listPrices, runPricesRefresh } = await import('../lib/report/prices.js');
    const { renderPricesList, renderRefresh } = await import('../lib/report/prices-render.js');
    if (o.action === 'refresh') {
      const spinner = await ctx.out.spinner('Reading the AWS Price List');
      let data;
      try {
        data = await runPricesRefresh(ctx, (m) => spinner.text(`Reading the AWS Price List: ${m}`));
      } finally {
        spinner.stop();
      }
      return { data, render: (out) => renderRefresh(out, data) };
    }
    const data = await listPrices(ctx);
    for (const w of data.warnings) ctx.out.warn(w);
    return { data, render: (out) => renderPricesList(out, data) };
  },
});
