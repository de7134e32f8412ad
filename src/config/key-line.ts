/**
 * The 1-based line of `keyPath` (`["controls", "reviews", "min_approvals"]`) in a YAML file, for a config error to point
 * at; `undefined` when not even its first key is in the file. Block mappings are followed by indentation; a key the
 * file does not spell out on its own line (in a flow mapping `{ ... }`, a list, or missing) points at its closest ancestor.
 * A pointer for people, not a parser: the schema error itself comes from the real parser.
 */
export function lineOfKey(text: string, keyPath: readonly (string | number)[]): number | undefined {
  const lines = text.split("\n");
  let from = 0;
  let parentIndent = -1;
  let line: number | undefined;
  for (const segment of keyPath) {
    // A list entry, a key inside a flow mapping (`{ ... }`) or a key the file lacks: the closest ancestor's line.
    const found = typeof segment === "number" ? undefined : findKey(lines, segment, from, parentIndent);
    if (found === undefined) return line;
    line = found.index + 1;
    from = found.index + 1;
    parentIndent = found.indent;
  }
  return line;
}

function findKey(lines: string[], key: string, from: number, parentIndent: number): { index: number; indent: number } | undefined {
  let blockIndent: number | undefined;
  for (let i = from; i < lines.length; i++) {
    const content = lines[i]!.replace(/\s+$/, "");
    if (!content.trim() || content.trim().startsWith("#")) continue;
    const indent = content.length - content.trimStart().length;
    if (indent <= parentIndent) return undefined; // left the parent mapping
    blockIndent ??= indent;
    if (indent !== blockIndent) continue; // deeper: a child of a sibling
    if (keyOf(content.trimStart()) === key) return { index: i, indent };
  }
  return undefined;
}

/** The key a `key: value` line starts with, unquoted. */
function keyOf(line: string): string | undefined {
  const unquoted = /^(?:"((?:[^"\\]|\\.)*)"|'((?:[^']|'')*)'|([^\s:#][^:#]*?))\s*:(?:\s|$)/.exec(line);
  if (!unquoted) return undefined;
  return unquoted[1] ?? unquoted[2]?.replaceAll("''", "'") ?? unquoted[3];
}
