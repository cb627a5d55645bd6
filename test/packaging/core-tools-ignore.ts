/**
 * What `func azure functionapp publish` zips, as Azure Functions Core Tools decides it: its own
 * .funcignore parser (src/Cli/func/Common/GitIgnoreParser.cs, a C# port of codemix's
 * gitignore-parser), ported line for line, and the names it always leaves out
 * (FileSystemHelpers.GetLocalFiles). It is not gitignore: every pattern is anchored at the project
 * root, `*` never crosses a `/`, a match needs only a word boundary after it (`test` also matches
 * `test.js` and `test-data/`), and a `!` line re-includes whatever it matches, in any order.
 */

/** Core Tools' PrepareRegexPattern: escape, then `**` -> `(.+)`, `*` -> `([^/]+)`. */
function prepare(pattern: string): string {
  return pattern
    .replace(/[-[\]/{}()+?.\\^$|]/g, '\\$&')
    .replaceAll('**', '(.+)')
    .replaceAll('*', '([^\\/]+)');
}

function alternation(patterns: readonly string[]): RegExp {
  // `$^` matches nothing: the C# code's stand-in for an empty list.
  return patterns.length === 0 ? /$^/ : new RegExp(`^((${patterns.map(prepare).join(')|(')}))\\b`);
}

export interface CoreToolsIgnore {
  /** `path` relative to the project root, `/`-separated: would Core Tools publish it? */
  accepts(path: string): boolean;
}

export function coreToolsIgnore(funcignore: string): CoreToolsIgnore {
  const positive: string[] = [];
  const negative: string[] = [];
  for (const raw of funcignore.split('\n')) {
    let line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const isNegative = line.startsWith('!');
    if (isNegative) line = line.slice(1);
    if (line.startsWith('/')) line = line.slice(1);
    (isNegative ? negative : positive).push(line);
  }
  const ignored = alternation(positive);
  const unignored = alternation(negative);
  return { accepts: (path) => unignored.test(path) || !ignored.test(path) };
}

/** Directories and files GetLocalFiles never zips, whatever .funcignore says (by name, at any depth). */
const leftOutDirectories: readonly string[] = ['.git', '.vscode'];
const leftOutFiles: readonly string[] = ['.funcignore', '.gitignore', 'local.settings.json', 'project.lock.json'];

/** GetLocalFiles' name rule for one path (names compare without case, as it does). */
export function leftOutByName(path: string): boolean {
  const segments = path.toLowerCase().split('/');
  const file = segments.pop() ?? '';
  return leftOutFiles.includes(file) || segments.some((dir) => leftOutDirectories.includes(dir));
}
