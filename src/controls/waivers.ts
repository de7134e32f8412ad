import type { ExceptionsConfig } from "../config/schema.js";
import { inlineCode } from "../common/markdown.js";
import { plainText } from "../common/plain-text.js";
import type { PullRequestComment, TeamMembers } from "../facts/pull-request.js";
import type { ControlId } from "./catalogue.js";
import type { ControlResult } from "./results.js";

// POL-008: "Exceptions require CTO or Tech Lead approval with documented justification." A waiver is a PR comment
// `/sdlc-guard waive <control-id> <justification>` by a member of an approver team who is not the PR's author; GitHub
// (the comments) is the record, re-read and re-validated at every evaluation.
//
// Rules, in comment order: a valid waive makes the control waived; a valid revoke (by an approver, or by whoever
// waived it) ends it. A comment edited after it was posted does not count (the approval must be what was approved at
// the time: post a new comment instead); a deleted comment no longer exists, so its waiver or revocation is gone.

export type WaiverCommand =
  | { kind: "waive"; control: string; justification: string }
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
}

export interface WaiverContext {
  prAuthor: string;
  config: ExceptionsConfig;
  /** Members of the approver teams (`org/slug` → members), as read for this evaluation. */
  approverTeams: TeamMembers;
  /** The controls this PR is evaluated against (waivable or not). */
  controls: readonly ControlId[];
}

/** `/sdlc-guard waive|revoke` on the first non-empty line of the comment (text after it is part of the justification). */
const COMMAND = /^\s*\/sdlc-guard[ \t]+(waive|revoke)\b[ \t]*([^\s]*)[ \t]*([^]*)$/i;

/** The waiver command of a comment, or null when the comment is not one. */
export function parseWaiverCommand(body: string): WaiverCommand | null {
  const match = COMMAND.exec(body.replace(/^\s*\n/, ""));
  if (!match) return null;
  const verb = match[1]!.toLowerCase();
  const control = match[2]!.toLowerCase();
  if (!control) return { kind: "malformed", reason: `name the control: \`/sdlc-guard ${verb} <control-id>${verb === "waive" ? " <justification>" : ""}\`` };
  if (verb === "revoke") return { kind: "revoke", control };
  return { kind: "waive", control, justification: match[3]!.trim().replace(/\s+/g, " ") };
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
  if (!ctx.config.approvers.length) return "no approver team is configured (`exceptions.approvers` in .github/sdlc-guard.yml), so nothing can be waived";
  const approver = isApprover(login, ctx);
  if (approver === undefined) return `the members of the approver teams (${approverList(ctx)}) could not be read, so the approval cannot be verified`;
  if (command.kind === "waive") {
    if (ctx.config.non_waivable.includes(command.control as ControlId)) return `${inlineCode(command.control)} cannot be waived (\`exceptions.non_waivable\`)`;
    if (login.toLowerCase() === ctx.prAuthor.toLowerCase()) return "the author of a pull request cannot waive its controls";
    if (!approver) return `only members of ${approverList(ctx)} can waive a control`;
    // Characters as people count them (an emoji is one), not UTF-16 units.
    if (Array.from(command.justification).length < ctx.config.min_justification_length) {
      return `a justification of at least ${ctx.config.min_justification_length} characters is needed: ${inlineCode(`/sdlc-guard waive ${command.control} <why this exception is acceptable>`)}`;
    }
  }
  return null;
}

/** The waivers in force after every comment, in order; and each command that did not count, with why. */
export function activeWaivers(comments: readonly PullRequestComment[], ctx: WaiverContext): { waivers: Map<ControlId, Waiver>; refused: { comment: PullRequestComment; reason: string }[] } {
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
      if (current && isApprover(login, ctx) !== true && current.by.toLowerCase() !== login) reason = `only members of ${approverList(ctx)} can revoke a waiver`;
    }
    if (reason) {
      refused.push({ comment, reason });
      continue;
    }
    if (command.kind === "waive") {
      waivers.set(command.control as ControlId, { control: command.control as ControlId, by: comment.author!.login, at: comment.createdAt, justification: command.justification, url: comment.url });
    } else if (command.kind === "revoke") {
      waivers.delete(command.control as ControlId);
    }
  }
  return { waivers, refused };
}

/** A control that does not pass and has a waiver in force is `waived` (it counts as passed), with who, when and why. */
export function applyWaivers(results: ControlResult[], waivers: ReadonlyMap<ControlId, Waiver>): ControlResult[] {
  return results.map((result) => {
    const waiver = waivers.get(result.id);
    if (!waiver || result.outcome === "pass" || result.enforcement === "off") return result;
    return {
      ...result,
      outcome: "waived",
      reason: `Waived by @${waiver.by} on ${waiver.at.slice(0, 10)}: "${plainText(waiver.justification)}". Without the waiver: ${result.reason}`,
      fix: "",
      waiver: { by: waiver.by, at: waiver.at, justification: waiver.justification, url: waiver.url },
    };
  });
}
