/**
 * CODEOWNERS as GitHub reads it, implemented by hand: no regular expression is ever built from the file's patterns.
 *
 * Patterns follow gitignore rules with GitHub's limits (no `!` negation, no `[...]` ranges): `*` and `?` stay inside
 * one path segment, a `**` segment spans any number of segments, a leading `/` or a `/` in the middle anchors the
 * pattern to the root, a trailing `/` matches only directories, and a pattern that names a directory owns everything
 * below it, except that a last segment of exactly `*` (`docs/*`) matches only the files directly in that directory.
 * The last matching line wins; a line without owners leaves the file without owners.
 *
 * Matching is a dynamic programme over path segments, with the two-pointer wildcard algorithm inside a segment:
 * O(pattern length × path length) at worst, never exponential.
 */
import { inlineCode } from "../common/markdown.js";
import { plainText } from "../common/plain-text.js";
import { cannotEvaluate, fail, pass, type Finding } from "./finding.js";
import { type CodeOwnersFile, type TeamMembers } from "../facts/pull-request.js";
import { type Fetched } from "../facts/fetched.js";

export interface CodeOwnersRule {
  line: number;
  pattern: string;
  /** As written, lower-cased and without the leading `@` for users (`octocat`) and teams (`acme/payments`); e-mail addresses kept as-is. */
  owners: string[];
}

export interface CodeOwnersError {
  /** 1-based; 0 for a problem with the whole file. */
  line: number;
  message: string;
}

export interface ParsedCodeOwners {
  rules: CodeOwnersRule[];
  errors: CodeOwnersError[];
}

/** GitHub does not load a CODEOWNERS file of 3 MB or more. */
export const MAX_CODEOWNERS_BYTES = 3 * 1024 * 1024;
/** Longer patterns are reported as errors rather than matched (no real path pattern comes close). */
export const MAX_PATTERN_LENGTH = 512;
const MAX_OWNER_LENGTH = 256;

const STAR = -1;
const ANY_CHAR = -2;

/** One pattern segment: code points (literal), STAR or ANY_CHAR; or a `**` segment. */
interface Segment {
  globstar: boolean;
  tokens: number[];
}

interface CompiledPattern {
  segments: Segment[];
  /** Trailing `/`: the pattern matches directories only, so a file matches when one of its parent directories does. */
  directoryOnly: boolean;
}

type Compiled = { ok: true; pattern: CompiledPattern } | { ok: false; message: string };

/** Turns a pattern into segments, or says why GitHub would reject it. */
function compilePattern(pattern: string): Compiled {
  if (pattern.length > MAX_PATTERN_LENGTH) return { ok: false, message: `pattern is longer than ${MAX_PATTERN_LENGTH} characters` };
  if (pattern.startsWith("!")) return { ok: false, message: `negation (${inlineCode("!")}) is not supported in CODEOWNERS` };

  // Split on unescaped `/`, resolving escapes; remember which segments are an unescaped `**`.
  const raw: { tokens: number[]; stars: number; others: number }[] = [{ tokens: [], stars: 0, others: 0 }];
  const chars = Array.from(pattern);
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i] as string;
    const current = raw[raw.length - 1] as { tokens: number[]; stars: number; others: number };
    if (ch === "\\") {
      const next = chars[++i];
      if (next === undefined) return { ok: false, message: `pattern ends with an unfinished escape (${inlineCode("\\")})` };
      current.tokens.push(next.codePointAt(0) as number);
      current.others++;
    } else if (ch === "/") {
      raw.push({ tokens: [], stars: 0, others: 0 });
    } else if (ch === "[") {
      return { ok: false, message: `character ranges (${inlineCode("[...]")}) are not supported in CODEOWNERS` };
    } else if (ch === "*") {
      if (current.tokens[current.tokens.length - 1] !== STAR) current.tokens.push(STAR);
      current.stars++;
    } else if (ch === "?") {
      current.tokens.push(ANY_CHAR);
      current.others++;
    } else {
      current.tokens.push(ch.codePointAt(0) as number);
      current.others++;
    }
  }

  const directoryOnly = raw.length > 1 && (raw[raw.length - 1] as { tokens: number[] }).tokens.length === 0;
  // gitignore: a separator at the start or in the middle anchors the pattern to the root; otherwise it matches at any depth.
  const anchored = raw.length - (directoryOnly ? 1 : 0) > 1;
  const segments: Segment[] = raw
    .filter((s) => s.tokens.length > 0)
    .map((s) => ({ globstar: s.stars === 2 && s.others === 0, tokens: s.tokens }));
  if (segments.length === 0) return { ok: false, message: "pattern matches no file" };
  if (!anchored && !(segments[0] as Segment).globstar) segments.unshift({ globstar: true, tokens: [STAR] });
  return { ok: true, pattern: { segments, directoryOnly } };
}

/** Two-pointer wildcard match of one segment: `*` any run, `?` one character. O(tokens × characters) at worst. */
function matchSegment(tokens: number[], text: number[]): boolean {
  let t = 0;
  let c = 0;
  let starAt = -1;
  let resumeAt = 0;
  while (c < text.length) {
    const token = tokens[t];
    if (token !== undefined && token !== STAR && (token === ANY_CHAR || token === text[c])) {
      t++;
      c++;
    } else if (token === STAR) {
      starAt = t++;
      resumeAt = c;
    } else if (starAt >= 0) {
      t = starAt + 1;
      c = ++resumeAt;
    } else {
      return false;
    }
  }
  while (tokens[t] === STAR) t++;
  return t === tokens.length;
}

function pathSegments(path: string): number[][] {
  return path
    .split("/")
    .filter((s) => s.length > 0)
    .map((s) => Array.from(s, (ch) => ch.codePointAt(0) as number));
}

function matchCompiled(pattern: CompiledPattern, path: number[][]): boolean {
  const n = path.length;
  if (n === 0) return false;
  const { segments, directoryOnly } = pattern;
  // reach[j]: the pattern segments seen so far match the first j path segments.
  let reach = new Uint8Array(n + 1);
  reach[0] = 1;
  for (let k = 0; k < segments.length; k++) {
    const segment = segments[k] as Segment;
    const next = new Uint8Array(n + 1);
    if (segment.globstar) {
      const first = reach.indexOf(1);
      if (first < 0) return false;
      // A trailing `**` (`foo/**`) matches what is inside, not the directory itself; elsewhere it may match nothing.
      const atLeastOne = k === segments.length - 1 && !directoryOnly;
      next.fill(1, atLeastOne ? first + 1 : first);
    } else {
      for (let j = 0; j < n; j++) {
        if (reach[j] && matchSegment(segment.tokens, path[j] as number[])) next[j + 1] = 1;
      }
    }
    reach = next;
  }
  if (directoryOnly) return reach.subarray(1, n).includes(1);
  const last = segments[segments.length - 1] as Segment;
  // GitHub: `docs/*` owns the files directly in `docs/`, not those further down.
  if (!last.globstar && last.tokens.length === 1 && last.tokens[0] === STAR) return reach[n] === 1;
  return reach.subarray(1).includes(1);
}

/** Whether a CODEOWNERS pattern matches a repository-relative file path (case-sensitive); invalid patterns match nothing. */
export function matchesCodeOwnersPattern(pattern: string, path: string): boolean {
  const compiled = compilePattern(pattern);
  return compiled.ok && matchCompiled(compiled.pattern, pathSegments(path));
}

const compiledRules = new WeakMap<CodeOwnersRule, CompiledPattern | null>();

function compiledRule(rule: CodeOwnersRule): CompiledPattern | null {
  let compiled = compiledRules.get(rule);
  if (compiled === undefined) {
    const result = compilePattern(rule.pattern);
    compiled = result.ok ? result.pattern : null;
    compiledRules.set(rule, compiled);
  }
  return compiled;
}

/** Splits a line into tokens on unescaped blanks, up to a `#` that starts a token (a comment); escapes stay in the token. */
function tokenize(line: string): string[] {
  const tokens: string[] = [];
  let current = "";
  for (let i = 0; i < line.length; i++) {
    const ch = line[i] as string;
    if (ch === " " || ch === "\t") {
      if (current) tokens.push(current);
      current = "";
    } else if (ch === "#" && current === "") {
      break;
    } else if (ch === "\\" && i + 1 < line.length) {
      current += ch + line[++i];
    } else {
      current += ch;
    }
  }
  if (current) tokens.push(current);
  return tokens;
}

const USER_OWNER = /^@[A-Za-z0-9_-]+$/;
const TEAM_OWNER = /^@[A-Za-z0-9_-]+\/[A-Za-z0-9_-]+$/;
const EMAIL_OWNER = /^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$/;

function parseOwner(token: string): string | null {
  if (token.length > MAX_OWNER_LENGTH) return null;
  if (USER_OWNER.test(token) || TEAM_OWNER.test(token)) return token.slice(1).toLowerCase();
  if (EMAIL_OWNER.test(token)) return token;
  return null;
}

const isEmailOwner = (owner: string): boolean => owner.includes("@");
const isTeamOwner = (owner: string): boolean => !isEmailOwner(owner) && owner.includes("/");
/** An owner as the finding shows it: the `@login` or `@org/team` (or e-mail) a reader knows, but mentioning no one. */
const showOwner = (owner: string): string => plainText(isEmailOwner(owner) ? owner : `@${owner}`);

/** Reads a CODEOWNERS file. Invalid lines become errors (GitHub skips them) and no rule. */
export function parseCodeOwners(text: string): ParsedCodeOwners {
  if (Buffer.byteLength(text, "utf8") >= MAX_CODEOWNERS_BYTES) {
    return { rules: [], errors: [{ line: 0, message: "the file is 3 MB or larger, and GitHub does not load a CODEOWNERS file that big" }] };
  }
  const rules: CodeOwnersRule[] = [];
  const errors: CodeOwnersError[] = [];
  text.split("\n").forEach((rawLine, index) => {
    const line = index + 1;
    const [pattern, ...ownerTokens] = tokenize(rawLine.replace(/\r$/, ""));
    if (pattern === undefined) return;
    const compiled = compilePattern(pattern);
    if (!compiled.ok) {
      errors.push({ line, message: `${inlineCode(pattern)}: ${compiled.message}` });
      return;
    }
    const owners: string[] = [];
    for (const token of ownerTokens) {
      const owner = parseOwner(token);
      if (owner === null) {
        errors.push({ line, message: `${inlineCode(token)} is not an owner (use @login, @org/team or an e-mail address)` });
        return;
      }
      owners.push(owner);
    }
    const rule: CodeOwnersRule = { line, pattern, owners };
    compiledRules.set(rule, compiled.pattern);
    rules.push(rule);
  });
  return { rules, errors };
}

/** The last rule matching the path, or null when none does. */
export function ruleFor(parsed: ParsedCodeOwners, path: string): CodeOwnersRule | null {
  const segments = pathSegments(path);
  for (let i = parsed.rules.length - 1; i >= 0; i--) {
    const rule = parsed.rules[i] as CodeOwnersRule;
    const compiled = compiledRule(rule);
    if (compiled && matchCompiled(compiled, segments)) return rule;
  }
  return null;
}

/** Lower-case `org/team` owners of the given files (the teams whose membership must be read), sorted, unique. */
export function teamsToResolve(file: CodeOwnersFile, paths: string[]): string[] {
  const parsed = parseCodeOwners(file.text);
  const teams = new Set<string>();
  for (const path of paths) {
    for (const owner of ruleFor(parsed, path)?.owners ?? []) if (isTeamOwner(owner)) teams.add(owner);
  }
  return [...teams].sort();
}

export interface CodeOwnersInput {
  /** `undefined`: not read for this evaluation (fails closed); `null` value: no CODEOWNERS file in any of the three places. */
  codeOwners: Fetched<CodeOwnersFile | null> | undefined;
  /** `undefined`: not read for this evaluation (fails closed). */
  changedFiles: Fetched<string[]> | undefined;
  /** Logins whose approvals are counted (any case). */
  approvers: string[];
  /** Members of the teams that own changed files, keyed `org/slug` lower-case. */
  teams: TeamMembers;
}

const MAX_LISTED_ERRORS = 5;
const MAX_LISTED_FILES = 10;

const plural = (count: number, word: string): string => `${count} ${word}${count === 1 ? "" : "s"}`;

function listSome(items: string[], max: number, separator = ", "): string {
  const shown = items.slice(0, max).join(separator);
  return items.length > max ? `${shown} and ${items.length - max} more` : shown;
}

interface Unapproved {
  path: string;
  owners: string[];
  emailOnly: boolean;
}

/** "every changed file's owners approved": each changed file with owners has an approval from one of them (a user by login, or a member of a team). */
export function evaluateCodeOwners(input: CodeOwnersInput): Finding {
  const { codeOwners, changedFiles } = input;
  if (!codeOwners) return cannotEvaluate("the CODEOWNERS file of the base branch", "it was not read for this evaluation");
  if (!codeOwners.ok) return cannotEvaluate("the CODEOWNERS file of the base branch", codeOwners.error);
  if (!changedFiles) return cannotEvaluate("the pull request's changed files", "they were not read for this evaluation");
  if (!changedFiles.ok) return cannotEvaluate("the pull request's changed files", changedFiles.error);
  const file = codeOwners.value;
  if (file === null) {
    return fail(
      "No CODEOWNERS file in .github/, the root or docs/ of the base branch; require_code_owners needs one.",
      "Add a `.github/CODEOWNERS` file to the base branch that names the owners of the code (e.g. `* @org/team`), or turn the control off.",
    );
  }
  const where = inlineCode(file.path);
  const parsed = parseCodeOwners(file.text);
  if (parsed.errors.length) {
    const listed = parsed.errors.map((e) =>
      e.line > 0 ? `${inlineCode(`${file.path}:${e.line}`)}: ${e.message}` : `${where}: ${e.message}`,
    );
    return fail(
      `${where} has ${plural(parsed.errors.length, "invalid line")}: ${listSome(listed, MAX_LISTED_ERRORS, "; ")}.`,
      `Correct or remove the invalid lines in ${where}: GitHub ignores invalid lines, so the app does not guess which owners were meant.`,
    );
  }

  const approvers = [...new Set(input.approvers.map((login) => login.toLowerCase()))];
  const approvedBy = (owner: string): boolean => {
    if (isEmailOwner(owner)) return false;
    if (!isTeamOwner(owner)) return approvers.includes(owner);
    const members = input.teams.get(owner);
    return members?.ok === true && approvers.some((login) => members.value.has(login));
  };

  let owned = 0;
  let unowned = 0;
  const unapproved: Unapproved[] = [];
  const unreadable = new Map<string, string[]>(); // team -> files it owns that nobody else approved
  for (const path of changedFiles.value) {
    const owners = ruleFor(parsed, path)?.owners ?? [];
    if (owners.length === 0) {
      unowned++;
      continue;
    }
    owned++;
    if (owners.some(approvedBy)) continue;
    const unknownTeams = owners.filter((owner) => isTeamOwner(owner) && input.teams.get(owner)?.ok !== true);
    if (unknownTeams.length) for (const team of unknownTeams) unreadable.set(team, [...(unreadable.get(team) ?? []), path]);
    else unapproved.push({ path, owners, emailOnly: owners.every(isEmailOwner) });
  }

  const teamProblems = [...unreadable.keys()].sort().map((team) => {
    const members = input.teams.get(team);
    return {
      team,
      error: members && !members.ok ? members.error : "its members were not read for this evaluation",
      files: unreadable.get(team) ?? [],
    };
  });

  if (unapproved.length) {
    const listed = unapproved.map(({ path, owners, emailOnly }) =>
      emailOnly
        ? `${inlineCode(path)} (owners: ${owners.map(showOwner).join(", ")}, e-mail addresses the app cannot match to GitHub accounts)`
        : `${inlineCode(path)} (owners: ${owners.map(showOwner).join(", ")})`,
    );
    const fixes = [
      ...(unapproved.some((u) => !u.emailOnly) ? ["Get an approval on the latest commit from one of the owners of each listed file."] : []),
      ...(unapproved.some((u) => u.emailOnly)
        ? [
            `Name the owners of files owned only by e-mail addresses by @login or @org/team in ${where}: the app cannot match e-mail owners to GitHub accounts.`,
          ]
        : []),
    ];
    const notes = teamProblems.map(
      ({ team, error, files }) =>
        `Could not read the members of ${showOwner(team)} (${error}), so approvals by them are not known for ${listSome(files.map(inlineCode), MAX_LISTED_FILES)}.`,
    );
    return fail(
      `Per ${where}, ${unapproved.length} of ${plural(owned, "changed file")} with owners ${unapproved.length === 1 ? "lacks" : "lack"} an approval from one of their owners: ${listSome(listed, MAX_LISTED_FILES)}.`,
      fixes.join(" "),
      notes.length ? notes : undefined,
    );
  }
  if (teamProblems.length) {
    return cannotEvaluate(
      `the members of ${teamProblems.map((p) => showOwner(p.team)).join(", ")}, code owners of ${listSome([...new Set(teamProblems.flatMap((p) => p.files))].map(inlineCode), MAX_LISTED_FILES)}`,
      teamProblems.map((p) => (teamProblems.length > 1 ? `${showOwner(p.team)}: ${p.error}` : p.error)).join("; "),
    );
  }
  if (owned === 0) {
    const count = changedFiles.value.length;
    return pass(
      count === 0
        ? `The pull request changes no files, so ${where} requires no code owner approval.`
        : `${count === 1 ? "The only changed file has no owner" : `None of the ${count} changed files has an owner`} in ${where}, so no code owner approval is needed.`,
    );
  }
  const withoutOwner = unowned ? ` (${plural(unowned, "file")} ${unowned === 1 ? "has" : "have"} no owner)` : "";
  const all = owned === 1 ? "the only changed file" : `all ${owned} changed files`;
  return pass(`Code owners in ${where} approved ${all} with owners${withoutOwner}.`);
}
