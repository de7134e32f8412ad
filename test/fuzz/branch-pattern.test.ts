// Property-based fuzzing of classic branch-protection patterns (issue 8, "bad input"): repository admins write them,
// GitHub matches them with Ruby's File.fnmatch (FNM_PATHNAME), and the app ports that algorithm. On any pattern and
// any branch name it never throws, it answers as a plain recursive reading of the documented rules does, and it stays
// fast (no exponential backtracking) on long names and star-heavy patterns.
import fc from "fast-check";
import { matchesBranchPattern } from "../../src/github/refs/branch-pattern.js";

type Token =
  | { kind: "literal"; char: string }
  | { kind: "any" } // `?`
  | { kind: "star" } // `*`, and `**` not followed by `/` at the start of a segment
  | { kind: "segments" } // `**/` at the start of a segment: zero or more whole segments
  | { kind: "separator" } // `/`
  | { kind: "set"; has: (char: string) => boolean } // `[...]`
  | { kind: "never" }; // an unclosed `[`: nothing matches from here

/** The rules as the module's header documents them, read token by token (an independent statement of the rules). */
function tokenize(pattern: string): Token[] {
  const p = Array.from(pattern);
  const tokens: Token[] = [];
  let segmentStart = true;
  for (let i = 0; i < p.length;) {
    if (segmentStart && p[i] === "*" && p[i + 1] === "*" && p[i + 2] === "/") {
      tokens.push({ kind: "segments" });
      i += 3;
      continue;
    }
    const char = p[i]!;
    segmentStart = char === "/";
    if (char === "*") tokens.push({ kind: "star" });
    else if (char === "?") tokens.push({ kind: "any" });
    else if (char === "/") tokens.push({ kind: "separator" });
    else if (char === "[") {
      const set = readSet(p, i + 1);
      if (!set) {
        tokens.push({ kind: "never" });
        break;
      }
      tokens.push({ kind: "set", has: set.has });
      i = set.next;
      continue;
    } else tokens.push({ kind: "literal", char });
    i++;
  }
  return tokens;
}

/** `[abc]`, `[a-z]`, `[!...]`/`[^...]`; a reversed range matches its two ends only; null when unclosed. */
function readSet(p: string[], start: number): { has: (char: string) => boolean; next: number } | null {
  let i = start;
  const negated = p[i] === "!" || p[i] === "^";
  if (negated) i++;
  const members: ((char: string) => boolean)[] = [];
  for (;;) {
    if (i >= p.length) return null;
    if (p[i] === "]") break;
    const low = p[i]!;
    if (i + 1 >= p.length) return null;
    if (p[i + 1] === "-" && p[i + 2] !== "]") {
      const high = p[i + 2];
      if (high === undefined) return null;
      const [lo, hi] = [low.codePointAt(0)!, high.codePointAt(0)!];
      members.push((c) => c === low || c === high || (lo <= c.codePointAt(0)! && c.codePointAt(0)! <= hi));
      i += 3;
    } else {
      members.push((c) => c === low);
      i += 1;
    }
  }
  return { has: (c) => members.some((m) => m(c)) !== negated, next: i + 1 };
}

/** Exhaustive (memoised) matching of the tokens against the branch: slow, obviously right. */
function referenceMatch(pattern: string, branch: string): boolean {
  const tokens = tokenize(pattern);
  const s = Array.from(branch);
  const memo = new Map<number, boolean>();
  const match = (t: number, j: number): boolean => {
    const key = t * (s.length + 1) + j;
    const known = memo.get(key);
    if (known !== undefined) return known;
    let result: boolean;
    const token = tokens[t];
    const char = s[j];
    const inSegment = char !== undefined && char !== "/";
    if (!token) result = j === s.length;
    else if (token.kind === "segments") {
      const slash = s.indexOf("/", j);
      result = match(t + 1, j) || (slash >= 0 && match(t, slash + 1));
    } else if (token.kind === "star") result = match(t + 1, j) || (inSegment && match(t, j + 1));
    else if (token.kind === "any") result = inSegment && match(t + 1, j + 1);
    else if (token.kind === "separator") result = char === "/" && match(t + 1, j + 1);
    else if (token.kind === "set") result = inSegment && token.has(char) && match(t + 1, j + 1);
    else if (token.kind === "literal") result = char === token.char && match(t + 1, j + 1);
    else result = false;
    memo.set(key, result);
    return result;
  };
  return match(0, 0);
}

// ---------------------------------------------------------------------------------------------------------------
// Generators

const patternToken = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom("a", "b", "c", "-", ".", "😀", "!", "]", "\\") },
  { weight: 5, arbitrary: fc.constantFrom("*", "**", "?", "/", "**/") },
  { weight: 2, arbitrary: fc.constantFrom("[ab]", "[!a]", "[^b]", "[a-c]", "[c-a]", "[a-]", "[]a]", "[!]", "[😀]", "[", "[a", "[a-") },
);
const branchChar = fc.constantFrom("a", "b", "c", "/", "-", ".", "😀", "[", "]", "*", "?", "!", "\\");
const smallPattern = fc.array(patternToken, { maxLength: 8 }).map((t) => t.join(""));
const smallBranch = fc.string({ unit: branchChar, maxLength: 10 });

/** A branch the pattern should match: each token replaced by something it matches (so "true" answers are common). */
const matchingPair = fc
  .array(
    fc.tuple(
      fc.constantFrom("a", "b", "*", "?", "/", "**/", "[ab]", "[!a]", "[a-c]"),
      fc.string({ unit: fc.constantFrom("a", "b", "c"), maxLength: 3 }),
      fc.nat(2),
    ),
    { maxLength: 6 },
  )
  .map((parts) => {
    let pattern = "";
    let branch = "";
    for (const [token, filler, segments] of parts) {
      const segmentStart = pattern === "" || pattern.endsWith("/");
      pattern += token;
      if (token === "*") branch += filler;
      else if (token === "**/" && !segmentStart)
        branch += `${filler}/`; // `**` is `*` here, then the `/`
      else if (token === "?" || token === "[a-c]") branch += "c";
      else if (token === "[ab]") branch += "b";
      else if (token === "[!a]") branch += "b";
      else if (token === "**/") branch += "x/".repeat(segments);
      else branch += token;
    }
    return { pattern, branch };
  });

// ---------------------------------------------------------------------------------------------------------------

describe("fuzz: branch-protection patterns (fnmatch, FNM_PATHNAME)", () => {
  it("never throw on any pattern and any branch name", () => {
    const anything = fc.oneof(fc.string({ unit: "binary", maxLength: 60 }), fc.string({ unit: "grapheme", maxLength: 60 }), smallPattern);
    fc.assert(
      fc.property(anything, fc.oneof(anything, smallBranch), (pattern, branch) => {
        expect(typeof matchesBranchPattern(pattern, branch)).toBe("boolean");
      }),
      { numRuns: 1000 },
    );
  });

  it("answer as an exhaustive reading of the rules does, on random patterns and branches", () => {
    fc.assert(
      fc.property(smallPattern, smallBranch, (pattern, branch) => {
        expect(matchesBranchPattern(pattern, branch)).toBe(referenceMatch(pattern, branch));
      }),
      { numRuns: 1000 },
    );
  });

  it("answer as the exhaustive reading does on pairs built to match (and on their near misses)", () => {
    fc.assert(
      fc.property(matchingPair, fc.constantFrom("", "x", "/", "/x"), ({ pattern, branch }, suffix) => {
        expect(referenceMatch(pattern, branch)).toBe(true);
        expect(matchesBranchPattern(pattern, branch)).toBe(true);
        expect(matchesBranchPattern(pattern, branch + suffix)).toBe(referenceMatch(pattern, branch + suffix));
      }),
      { numRuns: 1000 },
    );
  });

  it("a pattern without wildcards matches exactly the branch of that name", () => {
    const plain = fc.string({ unit: fc.constantFrom("a", "b", "/", "-", ".", "😀", "!", "]", "\\", "^"), maxLength: 12 });
    fc.assert(
      fc.property(plain, plain, (name, other) => {
        expect(matchesBranchPattern(name, name)).toBe(true);
        expect(matchesBranchPattern(name, other)).toBe(name === other);
      }),
      { numRuns: 500 },
    );
  });

  // No timing assertion (performance is measured by benchmarks, never asserted): an exponential matcher would not finish
  // these 30,000-character names within the test's timeout, which is what fails then.
  it("finish on long branch names and star-heavy patterns (no exponential backtracking)", () => {
    const longUnit = fc.constantFrom("a", "a/", "ab/", "aaaa/", "😀", "a-", "/", "aaaaaaaaaa/");
    const heavyToken = fc.constantFrom("*", "*", "**/", "a", "?", "/", "*a", "a*", "[a-z]", "**", "b");
    fc.assert(
      fc.property(
        fc.array(heavyToken, { minLength: 1, maxLength: 40 }),
        longUnit,
        fc.constantFrom("", "b", "/b", "!"),
        (tokens, unit, tail) => {
          const pattern = tokens.join("");
          const branch = unit.repeat(Math.ceil(30_000 / unit.length)) + tail;
          expect(typeof matchesBranchPattern(pattern, branch)).toBe("boolean");
        },
      ),
      { numRuns: 200 },
    );
  }, 60_000);

  it("finish on the classic worst cases: `*a*a*…*b`, repeated `**/`, and segment-by-segment near misses", () => {
    const cases: [string, string][] = [
      [`${"*a".repeat(20)}*b`, "a".repeat(30_000)],
      [`${"**/a/".repeat(20)}b`, "a/".repeat(15_000)],
      [`**/${"a/".repeat(30)}b`, "a/".repeat(15_000)],
      [`**/${"*a*/".repeat(10)}b`, "aaaa/".repeat(6_000)],
      [`${"?".repeat(200)}*b`, "a".repeat(30_000)],
      [`**/${"[a-z]*".repeat(20)}b`, `${"abcdefghij/".repeat(2_700)}x`],
    ];
    for (const [pattern, branch] of cases) expect(matchesBranchPattern(pattern, branch)).toBe(false);
  }, 60_000);
});
