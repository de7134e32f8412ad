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
  const missing = /\(\?<[=!]/.test(pattern) ? "lookbehind" : /\(\?[=!]/.test(pattern) ? "lookahead" : /\\[1-9]|\\[kg][<{]|\\g-?[0-9]|\(\?P=/.test(pattern) ? "backreferences" : undefined;
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
  .describe("check: the `sdlc-guard` check run on the affected commit; issue: one open `sdlc-guard` issue per control, each occurrence a comment; both.");

export type ReportTo = z.output<typeof reportSchema>;
