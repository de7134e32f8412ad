import { z } from "zod";
import { enforcementSchema, reportSchema } from "../config/schema-parts.js";
import { pushControl } from "./control.js";
import { inlineCode } from "../common/markdown.js";
import type { PushSnapshot } from "../facts/refs.js";
import { fail, pass, type Finding } from "./finding.js";

const short = (sha: string): string => `\`${sha.slice(0, 7)}\``;

/**
 * `force-push` (POL-008 "force-push and history rewriting prohibited"): no forced push to, and no deletion of, a
 * protected or default branch. `direct-push` bypass actors never apply: a rewrite loses reviewed history.
 */
export function evaluateForcePush(push: PushSnapshot): Finding {
  const branch = inlineCode(push.branch);
  // A deletion is checked first: it is the larger loss, whatever `forced` says.
  if (push.deleted) {
    return fail(
      `Protected branch ${branch} was deleted by ${push.pusher}; its last commit was ${short(push.before)}.`,
      `Restore ${branch} at ${short(push.before)} (the "Restore branch" button, or \`git push origin <sha>:refs/heads/<branch>\`) and block deletion in its branch protection or ruleset.`,
    );
  }
  if (push.forced) {
    return fail(
      `History of ${branch} was rewritten by a forced push by ${push.pusher}: ${short(push.before)} → ${short(push.after)}.`,
      `Compare ${short(push.before)} with ${short(push.after)} and restore any reviewed commit that was lost, then block force pushes on ${branch} in its branch protection or ruleset.`,
    );
  }
  return pass(`The push to ${branch} was not forced and did not delete the branch.`);
}

const settings = z
  .strictObject({
    enforcement: enforcementSchema.default("required"),
    report: reportSchema.default("both"),
  })
  .describe("`force-push`: no forced push (history rewrite) to, and no deletion of, the default or a protected branch.");

export const forcePushControl = pushControl({
  id: "force-push",
  family: "push",
  settings,
  triggers: ["push"],
  violationIssue: {
    title: "sdlc-guard: force pushes and deletions of protected branches",
    intro:
      "POL-008: force-push and history rewriting are prohibited. Each comment below is a forced push to, or a deletion of, a protected branch. Check that no reviewed change was lost, block force pushes and deletions in the branch's protection, then close this issue.",
  },
  evaluate: (push) => evaluateForcePush(push),
});
