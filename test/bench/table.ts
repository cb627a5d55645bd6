/** The results as one Markdown table: readable in a terminal, pasted as is into README. */
import type { Cell, RowResult } from './rows/row.js';

export const columns = ['figure', 'ours', 'stock credential', 'DefaultAzureCredential', 'stock/ours', 'target', 'met?', 'how'] as const;

const escape = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const cellText = (cell: Cell | undefined): string => (cell === undefined ? '—' : cell.text);

export function renderTable(rows: readonly RowResult[]): string {
  const lines = [`| ${columns.join(' | ')} |`, `|${columns.map(() => '---').join('|')}|`];
  for (const row of rows) {
    const ours = row.error === undefined ? cellText(row.ours) : `failed: ${row.error}`;
    const values = [row.figure, ours, cellText(row.stock), cellText(row.dac), row.ratio, row.target, row.met, row.how];
    lines.push(`| ${values.map(escape).join(' | ')} |`);
  }
  return lines.join('\n');
}
