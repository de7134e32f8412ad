import type { Logger } from "pino";
import type { Context, Probot } from "probot";
import { parseWaiverCommand } from "../controls/waivers.js";
import { describeGitHubError } from "../common/describe-error.js";
import type { HandlerDeps } from "./app-options.js";
import { evaluateForEvent, githubFor, repoOf } from "./evaluate-from-event.js";
import { audit } from "../audit/audit-log.js";
import { clampMarkdown, inlineCode, ISSUE_BODY_LIMIT } from "../common/markdown.js";
import { plainText } from "../common/plain-text.js";

/**
 * `/sdlc-guard waive <control-id> <justification>` and `/sdlc-guard revoke <control-id>` in a PR comment. The PR is
 * evaluated again from fresh state (the comments are the record, re-validated at each evaluation), then the comment
 * gets a reaction and a reply saying what was done, or why nothing was. An edited waiver no longer counts and a
 * deleted one is gone: both re-evaluate the PR.
 */
export function registerWaiverEvents(app: Probot, options: HandlerDeps): void {
  app.on("issue_comment.created", async (context) => {
    const { issue, comment } = context.payload;
    if (!issue.pull_request || comment.user?.type === "Bot") return;
    const command = parseWaiverCommand(comment.body ?? "");
    if (!command) return;
    await answerCommand(
      context,
      issue.number,
      comment.id,
      comment.user?.login ?? "someone",
      command.kind === "revoke" ? "revoke" : "waive",
      command.kind === "malformed" ? undefined : command.control,
    );
  });

  app.on(["issue_comment.edited", "issue_comment.deleted"], async (context) => {
    const { issue, comment, action } = context.payload;
    const before = action === "edited" ? ((context.payload as { changes?: { body?: { from?: string } } }).changes?.body?.from ?? "") : "";
    if (!issue.pull_request || comment.user?.type === "Bot") return;
    if (!parseWaiverCommand(comment.body ?? "") && !parseWaiverCommand(before)) return;
    const outcome = await evaluateForEvent(context, options, issue.number);
    const log = context.log as unknown as Logger;
    audit(
      log,
      `waiver.comment_${action}`,
      {
        repository: `${repoOf(context).owner}/${repoOf(context).repo}`,
        pull_request: issue.number,
        user: comment.user?.login,
        conclusion: outcome.report?.conclusion,
      },
      `a waiver comment was ${action}: re-evaluated`,
    );
    if (action === "edited") {
      const { owner, repo } = repoOf(context);
      await (
        await githubFor(context, options)
      ).rest.issues.createComment({
        owner,
        repo,
        issue_number: issue.number,
        body: `@${comment.user?.login} an edited waiver comment does not count (the approval must stay as it was given): the check was evaluated again without it. To waive, post a new \`/sdlc-guard waive <control-id> <justification>\` comment.`,
      });
    }
  });

  async function answerCommand(
    context: Context<"issue_comment.created">,
    number: number,
    commentId: number,
    login: string,
    verb: "waive" | "revoke",
    control: string | undefined,
  ) {
    const { owner, repo } = repoOf(context);
    const octokit = await githubFor(context, options);
    const log = context.log as unknown as Logger;
    // A reply quotes user text (a justification as long as a comment may be, grown by the inert rendering): cut to the limit.
    const reply = (body: string) =>
      octokit.rest.issues.createComment({ owner, repo, issue_number: number, body: clampMarkdown(`@${login} ${body}`, ISSUE_BODY_LIMIT) });
    const react = (content: "+1" | "confused") =>
      octokit.rest.reactions.createForIssueComment({ owner, repo, comment_id: commentId, content });

    let outcome;
    try {
      outcome = await evaluateForEvent(context, options, number);
    } catch (error) {
      await reply(
        `the pull request could not be evaluated (${describeGitHubError(error)}), so nothing was ${verb === "waive" ? "waived" : "revoked"}. Please try again later.`,
      );
      return;
    }
    const auditFields = {
      repository: `${owner}/${repo}`,
      pull_request: number,
      user: login,
      control,
      comment_id: commentId,
      conclusion: outcome.report?.conclusion,
    };
    if (outcome.status !== "reported") {
      await react("confused");
      await reply(`nothing was ${verb === "waive" ? "waived" : "revoked"}: the pull request is not open.`);
      return;
    }
    if (outcome.waiversUnread) {
      audit(
        log,
        "waiver.refused",
        { ...auditFields, reason: `the pull request's comments could not be read: ${outcome.waiversUnread}` },
        "waiver not checked",
      );
      await react("confused");
      await reply(
        `nothing was ${verb === "waive" ? "waived" : "revoked"}: the pull request's comments could not be read (${outcome.waiversUnread}), so no waiver counts for now. Please try again later.`,
      );
      return;
    }
    if (!outcome.waivers) {
      audit(
        log,
        "waiver.refused",
        { ...auditFields, reason: "no approvers configured or the configuration is unusable" },
        "waiver refused",
      );
      await react("confused");
      await reply(
        "nothing was waived: no approver team is configured (`exceptions.approvers` in `.github/sdlc-guard.yml`), or the configuration cannot be used (see the check run).",
      );
      return;
    }
    if (!outcome.waivers.commands.includes(commentId)) {
      // GitHub did not list the comment yet, or it was deleted meanwhile (no reaction then: it may be gone).
      audit(
        log,
        "waiver.refused",
        { ...auditFields, reason: "the comment was not among the pull request's comments" },
        "waiver not checked",
      );
      await reply(
        `nothing was ${verb === "waive" ? "waived" : "revoked"}: GitHub did not list this comment on the pull request yet; please post the command again in a minute.`,
      );
      return;
    }
    const refusal = outcome.waivers.refused.find((r) => r.commentId === commentId);
    if (refusal) {
      audit(log, "waiver.refused", { ...auditFields, reason: refusal.reason }, "waiver refused");
      await react("confused");
      await reply(`nothing was ${verb === "waive" ? "waived" : "revoked"}: ${refusal.reason}.`);
      return;
    }
    const active = outcome.waivers.active.find((w) => w.control === control);
    if (verb === "waive" && active) {
      audit(log, "waiver.applied", { ...auditFields, justification: active.justification }, `${control} waived by ${login}`);
      await react("+1");
      await reply(
        `${inlineCode(active.control)} is waived on this pull request: "${plainText(active.justification)}". The \`sdlc-guard\` check shows it as waived and counts it as passed; ${inlineCode(`/sdlc-guard revoke ${active.control}`)} undoes it.`,
      );
    } else if (verb === "revoke") {
      audit(log, "waiver.revoked", auditFields, `${control} waiver revoked by ${login}`);
      await react("+1");
      await reply(
        active
          ? `${inlineCode(active.control)} is still waived by a later comment.`
          : `no waiver of ${inlineCode(control ?? "")} is in force on this pull request any more; the check was evaluated again.`,
      );
    } else {
      // A valid command superseded in the same evaluation (revoked by a later comment, or already ended): say so, waive nothing.
      const ended = outcome.waivers.ended?.find((e) => e.control === control);
      if (ended) audit(log, "waiver.ended", { ...auditFields, reason: ended.why }, `${control} waiver ended`);
      await react("confused");
      await reply(
        ended
          ? `${inlineCode(control ?? "")} is not waived: ${ended.why}.`
          : `${inlineCode(control ?? "")} is not waived: a later comment revoked it.`,
      );
    }
  }
}
