/** Progress text for downloads: a bar, objects and bytes (drawn by the command's spinner, on a terminal only). */

export const mb = (n: number): string => `${(n / 1e6).toFixed(1)} MB`;

export function progressText(label: string, done: number, total: number, bytes: number, totalBytes: number): string {
  const width = 20;
  const filled = total ? Math.round((done / total) * width) : width;
  return (
    `${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} objects, ${mb(bytes)} of ` +
    `${mb(totalBytes)}`
  );
}
