/**
 * Reads parts of README.md that tests hold the code to (test vectors, table layouts), so the
 * documentation cannot drift from what the code does.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

export function readme(): string {
  return readFileSync(`${repoRoot}README.md`, 'utf8');
}

/** The text under a heading (any level), up to the next heading of the same or a higher level. */
export function readmeSection(heading: string, text = readme()): string {
  const lines = text.split('\n');
  const start = lines.findIndex((line) => /^#{1,6} /.test(line) && line.replace(/^#+ /, '') === heading);
  if (start < 0) throw new Error(`README.md has no heading "${heading}"`);
  const level = /^#+/.exec(lines[start] ?? '')?.[0].length ?? 1;
  const end = lines.findIndex((line, i) => i > start && new RegExp(`^#{1,${level}} `).test(line));
  return lines.slice(start + 1, end < 0 ? undefined : end).join('\n');
}

/** Fenced code blocks of a given info string (`json`, `text`), in order, without their last newline. */
export function codeBlocks(text: string, language: string): string[] {
  return [...text.matchAll(new RegExp(`^\`\`\`${language}\\n([\\s\\S]*?)\\n\`\`\`$`, 'gm'))].map((match) => match[1] ?? '');
}

/** The rows of the first Markdown table in `text`, as arrays of trimmed cells (header row first, separator dropped). */
export function markdownTable(text: string): string[][] {
  const rows = text.split('\n').filter((line) => line.startsWith('|'));
  return rows
    .map((line) => line.slice(1, line.endsWith('|') ? -1 : undefined).split('|').map((cell) => cell.trim()))
    .filter((cells) => !cells.every((cell) => /^:?-+:?$/.test(cell)));
}
