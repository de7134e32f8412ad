import { z } from "zod";
import { userPatternError } from "../common/user-pattern.js";

// Pieces every section of the configuration shares: the controls' own sections (in their files) are built from them.

/** How a control's outcome counts: `required` fails the check, `advisory` only warns, `off` skips it. */
export const enforcementSchema = z
  .enum(["required", "advisory", "off"])
  .describe("required: a failure fails the check run; advisory: reported as a warning; off: not evaluated.");

export type Enforcement = z.output<typeof enforcementSchema>;

/** User-supplied patterns compile with RE2 (linear time) or the config is rejected. */
export function isLinearTimePattern(pattern: string, ctx: z.RefinementCtx): void {
  const error = userPatternError(pattern);
  // RE2 quotes the pattern at the end of its message; the check run shows the key path, not the user's text.
  if (!error) return;
  // RE2 names the symptom ("invalid escape sequence"); say which construct from other engines it does not have.
  const missing = /\(\?<[=!]/.test(pattern)
    ? "lookbehind"
    : /\(\?[=!]/.test(pattern)
      ? "lookahead"
      : /\\[1-9]|\\[kg][<{]|\\g-?[0-9]|\(\?P=/.test(pattern)
        ? "backreferences"
        : undefined;
  const hint = missing ? `; RE2 has no ${missing}: it matches in linear time` : "";
  ctx.addIssue({ code: "custom", message: `a valid RE2 regular expression (${error.replace(/: `[^]*$/, "")}${hint})` });
}

/** `org/team-slug`, as GitHub writes teams in CODEOWNERS and review requests (a leading @ is accepted). */
export const teamSchema = z
  .string()
  .regex(/^@?[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/[A-Za-z0-9_.-]{1,100}$/, "a team as org/team-slug, e.g. acme/senior-engineers")
  .transform((team) => team.replace(/^@/, "").toLowerCase());

/** Where a push, tag or release finding is reported (CONTROLS.md: a check run on the commit, and one issue per control). */
export const reportSchema = z
  .enum(["check", "issue", "both"])
  .describe(
    "check: the `sdlc-guard` check run on the affected commit; issue: one open `sdlc-guard` issue per control, each occurrence a comment; both.",
  );

export type ReportTo = z.output<typeof reportSchema>;

/**
 * How a floor value bounds the effective value of its key (the organisation's `floor:`; no repository may go below):
 * - `at-least`: enforcement, ordered off < advisory < required;
 * - `max`: a number: the larger wins; `min`: a number: the smaller wins (e.g. how long a waiver may last);
 * - `true` / `false`: the stricter boolean wins (e.g. `verify: true`, `count_stale_approvals: false`);
 * - `union`: a "must" list: the floor's entries are always in it (teams, checks, sections, non-waivable controls);
 * - `narrow`: a list of what is accepted: only the floor's entries may be in it; none left (or empty = anything) → the floor's;
 * - `within`: a list of who may bypass or approve: only the floor's entries may be in it (empty = nobody, the strictest);
 * - `all-or-union`: a list where empty means "all" (environments gated): empty stays empty, otherwise the floor's are added;
 * - `fixed`: a pattern: no order between two patterns, so the floor's is the value.
 */
export type FloorRule = "at-least" | "max" | "min" | "true" | "false" | "union" | "narrow" | "within" | "all-or-union" | "fixed";
