import type { Output } from './output.js';
import { truthyEnv } from './output.js';
import type { BarStyle } from './view-text.js';

/**
 * Where bars per row are drawn (report tables, time series and top-N shares): only in a terminal
 * (never into a pipe or a file, where the figures are the point); Unicode eighth blocks when the
 * locale says UTF-8 (LC_ALL, else LC_CTYPE, else LANG), plain ASCII '#' otherwise and when TERM=dumb.
 * NO_COLOR does not turn them off: they are characters, not colour. BM_BARS=0 turns them off.
 */
export function barStyle(out: Output): BarStyle | undefined {
  const env = out.io.env;
  if (out.width === undefined) return undefined;
  if (env.BM_BARS !== undefined && !truthyEnv(env.BM_BARS)) return undefined;
  const locale = env.LC_ALL || env.LC_CTYPE || env.LANG || '';
  if (env.TERM === 'dumb' || !/utf-?8/i.test(locale)) return 'ascii';
  return 'unicode';
}
