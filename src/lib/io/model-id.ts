/**
 * Shorter readable forms of a Bedrock model ID, for a terminal that is too narrow for it in full.
 * Each form drops one whole part, least telling first, and never cuts a part in the middle:
 *
 *   arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-haiku-4-5-20251001-v1:0
 *   → arn…/us.anthropic.claude-haiku-4-5-20251001-v1:0   (the ARN's resource part: compactArn)
 *   → arn…/us.anthropic.claude-haiku-4-5-20251001        (the version suffix)
 *   → arn…/us.claude-haiku-4-5-20251001                  (the provider)
 *   → arn…/us.claude-haiku-4-5                           (the date)
 *
 * Whole IDs stay in JSON, CSV, markdown and any output that is not a terminal.
 */

const GEO = new Set(['us', 'eu', 'apac', 'jp', 'au', 'ca', 'global', 'us-gov']);

function idForms(id: string): string[] {
  const forms: string[] = [];
  const noVersion = id.replace(/-v\d+(:\d+)?(:\w+)?$|:\d+(:\w+)?$/, '');
  forms.push(noVersion);
  const parts = noVersion.split('.');
  const geo = parts.length > 2 && GEO.has(parts[0]!) ? parts[0] : undefined;
  const model = parts.length > 1 ? parts.slice(geo ? 2 : 1).join('.') : noVersion;
  const noProvider = geo ? `${geo}.${model}` : model;
  forms.push(noProvider);
  forms.push(noProvider.replace(/-\d{8}$/, ''));
  return forms;
}

const ARN_MARK = 'arn…/';

/**
 * How a terminal shows a model ARN: by its resource part (the profile or model ID). Region and
 * account are the ones the report is about, so nothing is lost. Other IDs are shown as they are.
 */
export function compactArn(id: string): string {
  return id.startsWith('arn:') && id.includes('/') ? `${ARN_MARK}${id.slice(id.indexOf('/') + 1)}` : id;
}

/** Shorter forms of a model ID (or model ARN), longest first; each strictly shorter than the one before. */
export function modelIdForms(id: string): string[] {
  let forms: string[];
  if (id.startsWith('arn:') || id.startsWith(ARN_MARK)) {
    const resource = id.slice(id.indexOf('/') + 1);
    forms = [resource, ...idForms(resource)].map((f) => `${ARN_MARK}${f}`);
  } else {
    forms = idForms(id);
  }
  const out: string[] = [];
  let last = id;
  for (const f of forms) {
    if (f.length < last.length && f.length > 0) {
      out.push(f);
      last = f;
    }
  }
  return out;
}
