import type { ExceptionsConfig } from "../config/schema.js";
import { inlineCode } from "../common/markdown.js";
import { plainText } from "../common/plain-text.js";
import type { PullRequestComment, TeamMembers } from "../facts/pull-request.js";
import type { Fetched } from "../facts/fetched.js";
import type { ControlId } from "./catalogue.js";
import type { ControlResult } from "./results.js";
import { expiryOf, visibleLength } from "./waiver-terms.js";
import type { ChangeAuthors } from "./change-authors.js";

// POL-008: "Exceptions require CTO or Tech Lead approval with documented justification." A waiver is a PR comment
// `/sdlc-guard waive <control-id> <justification>` by a member of an approver team who is not the PR's author; GitHub
// (the comments) is the record, re-read and re-validated at every evaluation.
//
// Rules, in comment order: a valid waive makes the control waived; a valid revoke (by an approver, or by whoever
// waived it) ends it. A comment edited after it was posted does not count (the approval must be what was approved at
// the time: post a new comment instead); a deleted comment no longer exists, so its waiver or revocation is gone.

export type WaiverCommand =
  /** `days`: `--days=N` asked for this waiver (else `exceptions.expires_after_days`). */
  | { kind: "waive"; control: string; justification: string; days?: number }
  | { kind: "revoke"; control: string }
  /** `/sdlc-guard waive` or `revoke` without what the command needs. */
  | { kind: "malformed"; reason: string };

export interface Waiver {
  control: ControlId;
  /** Login of the approver. */
  by: string;
  at: string;
  justification: string;
  /** The comment that is the record. */
  url: string;
  /** When it ends by itself (its expiry). */
  expiresAt?: string;
}

/** A waiver that was granted but no longer applies: the row says so, and that a new one must be asked for. */
export interface EndedWaiver {
  control: ControlId;
  by: string;
  why: string;
  /** When the waiver was granted, and its comment: which waiver ended. */
  grantedAt?: string;
  url?: string;
}

export interface WaiverContext {
  prAuthor: string;
  config: ExceptionsConfig;
  /** Members of the approver teams (`org/slug` → members), as read for this evaluation. */
  approverTeams: TeamMembers;
  /** The controls this PR is evaluated against (waivable or not). */
  controls: readonly ControlId[];
  /** The current head and since when it has been the head (waiver-terms.ts); a waiver posted before then ended. */
  head?: { sha: string; since: Fetched<string> };
  /** The evaluation's time: a waiver past its expiry ended. */
  now?: string;
  /**
   * Who wrote the change, when approvers must be independent of it (`reviews.independent_approvers`): none of them may
   * waive its controls either; unreadable, no waiver can be checked, so none is given.
   */
  changeAuthors?: Fetched<ChangeAuthors>;
}

/** `/sdlc-guard waive|revoke` on the first non-empty line of the comment (text after it is part of the justification). */
const COMMAND = /^\s*\/sdlc-guard[ \t]+(waive|revoke)\b[ \t]*([^\s]*)[ \t]*([^]*)$/i;

/** The waiver command of a comment, or null when the comment is not one. */
export function parseWaiverCommand(body: string): WaiverCommand | null {
  const match = COMMAND.exec(body.replace(/^\s*\n/, ""));
  if (!match) return null;
  const verb = match[1]!.toLowerCase();
  const control = match[2]!.toLowerCase();
  if (!control)
    return {
      kind: "malformed",
      reason: `name the control: \`/sdlc-guard ${verb} <control-id>${verb === "waive" ? " <justification>" : ""}\``,
    };
  if (verb === "revoke") return { kind: "revoke", control };
  const days = /^--days[= ]([0-9]{1,4})(?:\s+|$)/i.exec(match[3]!.trim());
  if (/^--days\b/i.test(match[3]!.trim()) && !days)
    return {
      kind: "malformed",
      reason: "`--days` takes a whole number of days: `/sdlc-guard waive <control-id> --days=7 <justification>`",
    };
  const justification = (days ? match[3]!.trim().slice(days[0].length) : match[3]!).trim().replace(/\s+/g, " ");
  return { kind: "waive", control, justification, ...(days ? { days: Number(days[1]) } : {}) };
}

/** The approver teams as the replies name them (user text from the config: rendered inert). */
const approverList = (ctx: WaiverContext): string => ctx.config.approvers.map(plainText).join(", ");

/** Whether `login` is in one of the approver teams; undefined when a team's members could not be read. */
function isApprover(login: string, ctx: WaiverContext): boolean | undefined {
  let unknown = false;
  for (const team of ctx.config.approvers) {
    const members = ctx.approverTeams.get(team);
    if (!members?.ok) unknown = true;
    else if (members.value.has(login.toLowerCase())) return true;
  }
  return unknown ? undefined : false;
}

/** Why the command in `comment` is refused, or null when it is valid (the reply tells the commenter this text). */
export function refusalOf(command: WaiverCommand, comment: PullRequestComment, ctx: WaiverContext): string | null {
  if (command.kind === "malformed") return command.reason;
  const login = comment.author?.login;
  if (!login || comment.author!.bot) return "waivers are given by people, not bots";
  if (comment.edited) return "the comment was edited after it was posted; an edited waiver does not count: post a new comment";
  if (!ctx.controls.includes(command.control as ControlId)) {
    return `${inlineCode(command.control)} is not a control of this pull request (controls: ${ctx.controls.map(inlineCode).join(", ")})`;
  }
  if (!ctx.config.approvers.length)
    return "no approver team is configured (`exceptions.approvers` in .github/sdlc-guard.yml), so nothing can be waived";
  const approver = isApprover(login, ctx);
  if (approver === undefined)
    return `the members of the approver teams (${approverList(ctx)}) could not be read, so the approval cannot be verified`;
  if (command.kind === "waive") {
    if (ctx.config.non_waivable.includes(command.control as ControlId))
      return `${inlineCode(command.control)} cannot be waived (\`exceptions.non_waivable\`)`;
    if (login.toLowerCase() === ctx.prAuthor.toLowerCase()) return "the author of a pull request cannot waive its controls";
    if (ctx.changeAuthors && !ctx.changeAuthors.ok)
      return `who wrote the change could not be read (${ctx.changeAuthors.error}), so the waiver cannot be checked`;
    const wrote = ctx.changeAuthors?.value.byLogin.get(login.toLowerCase());
    if (wrote) return `people who wrote the change cannot waive its controls (${login} ${wrote.join(", ")})`;
    if (!approver) return `only members of ${approverList(ctx)} can waive a control`;
    // Characters as people see them (an emoji is one; zero-width and other invisible characters are none).
    if (visibleLength(command.justification) < ctx.config.min_justification_length) {
      return `a justification of at least ${ctx.config.min_justification_length} characters is needed: ${inlineCode(`/sdlc-guard waive ${command.control} <why this exception is acceptable>`)}`;
    }
    if (command.days !== undefined && (command.days < 1 || command.days > ctx.config.max_expires_after_days)) {
      return `a waiver lasts 1 to ${ctx.config.max_expires_after_days} days (\`exceptions.max_expires_after_days\`), not ${command.days}`;
    }
  }
  return null;
}

/** The waivers in force after every comment, in order; each command that did not count, with why; and the waivers that ended. */
export function activeWaivers(
  comments: readonly PullRequestComment[],
  ctx: WaiverContext,
): { waivers: Map<ControlId, Waiver>; refused: { comment: PullRequestComment; reason: string }[]; ended: EndedWaiver[] } {
  const waivers = new Map<ControlId, Waiver>();
  const refused: { comment: PullRequestComment; reason: string }[] = [];
  for (const comment of [...comments].sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id - b.id)) {
    const command = parseWaiverCommand(comment.body);
    if (!command) continue;
    let reason = refusalOf(command, comment, ctx);
    if (!reason && command.kind === "revoke") {
      const current = waivers.get(command.control as ControlId);
      const login = comment.author!.login.toLowerCase();
      // An approver, or whoever gave the waiver, may revoke it.
      if (current && isApprover(login, ctx) !== true && current.by.toLowerCase() !== login)
        reason = `only members of ${approverList(ctx)} can revoke a waiver`;
    }
    if (reason) {
      refused.push({ comment, reason });
      continue;
    }
    if (command.kind === "waive") {
      const days = command.days ?? Math.min(ctx.config.expires_after_days, ctx.config.max_expires_after_days);
      waivers.set(command.control as ControlId, {
        control: command.control as ControlId,
        by: comment.author!.login,
        at: comment.createdAt,
        justification: command.justification,
        url: comment.url,
        expiresAt: expiryOf(comment.createdAt, days),
      });
    } else if (command.kind === "revoke") {
      waivers.delete(command.control as ControlId);
    }
  }
  return { waivers, refused, ended: endWaivers(waivers, ctx) };
}

/** Removes the waivers that no longer apply (a new head, past their expiry) and says why each ended. */
function endWaivers(waivers: Map<ControlId, Waiver>, ctx: WaiverContext): EndedWaiver[] {
  const ended: EndedWaiver[] = [];
  for (const waiver of [...waivers.values()]) {
    const why = whyEnded(waiver, ctx);
    if (!why) continue;
    waivers.delete(waiver.control);
    ended.push({ control: waiver.control, by: waiver.by, why, grantedAt: waiver.at, url: waiver.url });
  }
  return ended;
}

function whyEnded(waiver: Waiver, ctx: WaiverContext): string | null {
  const what = `waiver of \`${waiver.control}\` by @${waiver.by}`;
  if (ctx.now && waiver.expiresAt && waiver.expiresAt <= ctx.now) return `${what} expired on ${waiver.expiresAt}; ask again`;
  if (!ctx.head || ctx.config.keep_on_new_commits.includes(waiver.control)) return null;
  const head = `\`${ctx.head.sha.slice(0, 7)}\``;
  if (!ctx.head.since.ok)
    return `${what} ended: the head commit it was given on cannot be established (${ctx.head.since.error}); ask again`;
  if (waiver.at < ctx.head.since.value) return `${what} ended by new commit ${head}; ask again`;
  return null;
}

/**
 * A control that does not pass and has a waiver in force is `waived` (it counts as passed), with who, when, why and
 * until when. A waiver that ended is said in its control's row (in the reason when the control does not pass).
 */
export function applyWaivers(
  results: ControlResult[],
  waivers: ReadonlyMap<ControlId, Waiver>,
  ended: readonly EndedWaiver[] = [],
): ControlResult[] {
  return results.map((result) => {
    const waiver = waivers.get(result.id);
    const endedHere = ended.filter((e) => e.control === result.id).map((e) => `${e.why[0]!.toUpperCase()}${e.why.slice(1)}.`);
    if (endedHere.length && result.enforcement !== "off" && !waiver) {
      return result.outcome === "pass"
        ? { ...result, notes: [...(result.notes ?? []), ...endedHere] }
        : { ...result, reason: `${result.reason} ${endedHere.join(" ")}` };
    }
    if (!waiver || result.outcome === "pass" || result.enforcement === "off") return result;
    return {
      ...result,
      outcome: "waived",
      reason: `Waived by @${waiver.by} on ${waiver.at.slice(0, 10)}${waiver.expiresAt ? ` until ${waiver.expiresAt.slice(0, 10)}` : ""}: "${plainText(waiver.justification)}". Without the waiver: ${result.reason}`,
      fix: "",
      waiver: {
        by: waiver.by,
        at: waiver.at,
        justification: waiver.justification,
        url: waiver.url,
        ...(waiver.expiresAt ? { expiresAt: waiver.expiresAt } : {}),
      },
    };
  });
}
