/** Markdown tables, the form the bench and the load test print their results in. */

export type Align = 'left' | 'right';

/** A markdown table; `align` per column (default left). Pipes in cells are escaped. */
export function markdownTable(
  header: readonly string[],
  rows: ReadonlyArray<readonly string[]>,
  align: readonly Align[] = [],
): string {
  const line = (cells: readonly string[]) => `| ${cells.map((cell) => cell.replaceAll('|', '\\|')).join(' | ')} |`;
  const rule = `| ${header.map((_, i) => (align[i] === 'right' ? '---:' : '---')).join(' | ')} |`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}

export const PASS = 'PASS';
export const FAIL = '**FAIL**';
export const verdict = (ok: boolean): string => (ok ? PASS : FAIL);
