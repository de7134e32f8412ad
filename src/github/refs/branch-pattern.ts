// GitHub matches classic branch-protection patterns with Ruby's `File.fnmatch` and the `File::FNM_PATHNAME` flag
// ("About protected branches"). This is a port of that algorithm (Ruby's dir.c), on code points, so it answers as
// GitHub does:
// - `*` matches any run of characters except `/` (`qa/*` matches `qa/x`, not `qa/x/y`); `?` one character except
//   `/`; `[abc]`, `[a-z]` one character of the set; `[!abc]` and `[^abc]` one character not in it.
// - `**/` at the start of a segment matches zero or more whole segments (`qa/**/*` matches `qa/x` and `qa/x/y/z`);
//   anywhere else `**` is the same as `*` (`release/**` does not match `release/1/hotfix`).
// - Case-sensitive, over the whole branch name. An unclosed `[` matches nothing.
// - Backslash is an ordinary character: GitHub does not support it as an escape, and git refuses it in branch names.
//   Ruby's rule that wildcards do not match a segment's leading `.` is left out: git refuses such branch names too.
// Patterns come from repository admins: as in Ruby, only the latest `*` of a segment and the latest `**/` are
// retried, so matching stays polynomial in the lengths (no exponential backtracking).

/** Whether a classic branch-protection rule's name pattern (fnmatch syntax) applies to a branch. */
export function matchesBranchPattern(pattern: string, branch: string): boolean {
  const p = Array.from(pattern);
  const s = Array.from(branch);
  let pi = 0;
  let si = 0;
  let retryP = -1; // where the pattern resumes after the latest `**/`
  let retryS = -1; // where that `**/` started matching in the branch
  for (;;) {
    if (isRecursive(p, pi)) {
      do pi += 3;
      while (isRecursive(p, pi));
      retryP = pi;
      retryS = si;
    }
    const end = matchSegment(p, pi, s, si);
    if (end) {
      [pi, si] = end;
      if (pi < p.length && si < s.length) {
        pi++; // both at a `/`: on to the next segment
        si++;
        continue;
      }
      if (pi >= p.length && si >= s.length) return true;
    }
    // Let the latest `**/` swallow one more segment of the branch, if there is one.
    if (retryP < 0) return false;
    const slash = s.indexOf("/", retryS);
    if (slash < 0) return false;
    retryS = slash + 1;
    pi = retryP;
    si = retryS;
  }
}

const isRecursive = (p: readonly string[], i: number): boolean => p[i] === "*" && p[i + 1] === "*" && p[i + 2] === "/";

/** The end of a segment: the end of the text, or a `/`. */
const atEnd = (text: readonly string[], i: number): boolean => i >= text.length || text[i] === "/";

/**
 * Matches one segment of the pattern against one segment of the branch (Ruby's `fnmatch_helper`). On success returns
 * where both segments end; only the latest `*` is retried, which is enough since a `*` cannot cross a `/`.
 */
function matchSegment(p: readonly string[], pStart: number, s: readonly string[], sStart: number): [number, number] | null {
  let pi = pStart;
  let si = sStart;
  let starP = -1;
  let starS = -1;
  for (;;) {
    const token = p[pi];
    if (token === "*") {
      while (p[pi] === "*") pi++;
      if (atEnd(p, pi)) {
        while (!atEnd(s, si)) si++;
        return [pi, si];
      }
      if (atEnd(s, si)) return null;
      starP = pi;
      starS = si;
      continue;
    }
    if (token === "?" || token === "[") {
      if (atEnd(s, si)) return null;
      const next = token === "?" ? pi + 1 : matchBracket(p, pi + 1, s[si]!);
      if (next !== null) {
        pi = next;
        si++;
        continue;
      }
    } else {
      if (atEnd(s, si)) return atEnd(p, pi) ? [pi, si] : null;
      if (!atEnd(p, pi) && token === s[si]) {
        pi++;
        si++;
        continue;
      }
    }
    // Mismatch: the latest `*` takes one more character.
    if (starP < 0) return null;
    pi = starP;
    starS++;
    si = starS;
  }
}

/**
 * A bracket expression starting after its `[` (Ruby's `bracket`): returns the index after its `]` when `char` is in
 * the set (or, negated with `!` or `^`, not in it); null otherwise, and for an unclosed bracket. A reversed range such
 * as `z-a` matches only its two ends, as in Ruby.
 */
function matchBracket(p: readonly string[], start: number, char: string): number | null {
  let i = start;
  const negated = p[i] === "!" || p[i] === "^";
  if (negated) i++;
  const code = char.codePointAt(0)!;
  let found = false;
  while (p[i] !== "]") {
    const low = p[i];
    if (low === undefined || i + 1 >= p.length) return null;
    i++;
    if (p[i] === "-" && p[i + 1] !== "]") {
      const high = p[i + 1];
      if (high === undefined) return null;
      i += 2;
      const inRange = low.codePointAt(0)! <= code && code <= high.codePointAt(0)!;
      found ||= char === low || char === high || inRange;
    } else {
      found ||= char === low;
    }
  }
  return found === negated ? null : i + 1;
}
