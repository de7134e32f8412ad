import { z } from "zod";
import { enforcementSchema, reportSchema } from "../config/schema-parts.js";
import { pushControl } from "./control.js";
import { inlineCode } from "../common/markdown.js";
import { combineProtection } from "./branch-protection.js";
import { describeMergedPull, passedOnHead, verdictOnHead } from "./pull-request-verdict.js";
import type { MergedPullVerdict, MergeSnapshot, PushSnapshot } from "../facts/refs.js";
import { cannotEvaluate, fail, pass, type Finding } from "./finding.js";

import { type Fetched } from "../facts/fetched.js";

import { CHECK_NAME as OUR_CHECK } from "../common/product.js";
const MAX_LISTED = 10;

/** Whether the merge went past a required `sdlc-guard` check (true), or the branch did not require it (false). */
export function mergeBypassedOurCheck(snapshot: MergeSnapshot): Fetched<boolean> {
  if (!snapshot.baseProtection.ok) return snapshot.baseProtection;
  const protection = snapshot.baseProtection.value;
  const required = protection ? combineProtection(protection.classic, protection.rules).requiredChecks.includes(OUR_CHECK) : false;
  return { ok: true, value: required };
}

const FIX =
  "Review the merged change now: revert it, or have it reviewed and land it again through a pull request that passes sdlc-guard. Require the `sdlc-guard` check on the branch (administrators included, no bypass list) so that a failing pull request cannot merge.";

/**
 * `merged-unverified` at merge time (POL-008 reviews and automated approval, enforced when it counts): the PR was
 * merged with a completed, successful `sdlc-guard` run on its final head (every failing required control waived counts).
 */
export function evaluateMergedPull(snapshot: MergeSnapshot): Finding {
  if (!snapshot.pull.ok) return cannotEvaluate(`the verdict PR #${snapshot.number} was merged with`, snapshot.pull.error);
  const pr = snapshot.pull.value;
  if (!pr) return pass(`PR #${snapshot.number} is not merged: nothing to verify.`);
  const by = pr.mergedBy ? `@${pr.mergedBy}` : "an unknown account";
  if (passedOnHead(pr)) return pass(`PR #${pr.number} was merged by ${by} with ${verdictOnHead(pr)}.`);
  const branch = inlineCode(pr.baseRefName);
  const bypass = mergeBypassedOurCheck(snapshot);
  const how = !bypass.ok
    ? `whether ${branch} requires the \`sdlc-guard\` check could not be read (${bypass.error})`
    : bypass.value
      ? `${branch} requires the \`sdlc-guard\` check, so the merge bypassed it (an administrator or a bypass actor)`
      : `${branch} does not require the \`sdlc-guard\` check, so GitHub let it merge`;
  return fail(`PR #${pr.number} was merged into ${branch} by ${by} although ${verdictOnHead(pr)}; ${how}.`, FIX);
}

/**
 * `merged-unverified` on a push: each commit that arrived through a PR inherits that PR's verdict; a commit whose PRs
 * all merged without passing fails the push (commits that came through no PR are `direct-push`'s concern).
 */
export function evaluatePushedMergeVerdicts(push: PushSnapshot): Finding {
  const branch = inlineCode(push.branch);
  if (push.deleted) return pass(`Branch ${branch} was deleted: a deletion brings no pull request.`);
  if (!push.commits.ok) return cannotEvaluate(`the pull requests of the commits pushed to ${branch}`, push.commits.error);
  const throughPulls = push.commits.value.filter((c) => c.pullRequests.length > 0);
  if (throughPulls.length === 0)
    return pass(
      `No commit pushed to ${branch} arrived through a merged pull request (commits pushed directly are \`direct-push\`'s concern).`,
    );
  const unverified = throughPulls.filter((c) => !c.pullRequests.some(passedOnHead));
  const pulls = new Map<number, MergedPullVerdict>();
  for (const commit of unverified) for (const pr of commit.pullRequests) pulls.set(pr.number, pr);
  if (unverified.length === 0) {
    const passed = [...new Set(throughPulls.flatMap((c) => c.pullRequests.filter(passedOnHead).map((pr) => `#${pr.number}`)))];
    return pass(
      `The ${throughPulls.length} commit(s) pushed to ${branch} through pull requests inherit a passing verdict (${passed.slice(0, MAX_LISTED).join(", ")} passed sdlc-guard on their final heads).`,
    );
  }
  const listed = [...pulls.values()].sort((a, b) => a.number - b.number);
  const more = listed.length > MAX_LISTED ? ` and ${listed.length - MAX_LISTED} more` : "";
  return fail(
    `${unverified.length} of ${push.commits.value.length} commit(s) pushed to ${branch} arrived through pull requests merged without a passing sdlc-guard result: ${listed.slice(0, MAX_LISTED).map(describeMergedPull).join("; ")}${more}.`,
    FIX,
  );
}

const settings = z
  .strictObject({
    enforcement: enforcementSchema.default("required"),
    report: reportSchema.default("both"),
  })
  .describe(
    "`merged-unverified`: every merged PR was merged with a passing sdlc-guard result on its final head (or every failing required control waived); a commit pushed through a PR inherits its verdict.",
  );

/** Evaluated on each merge (src/evaluation/evaluate-merge.ts) and, as a push row, on the commits a push brought. */
export const mergedUnverifiedControl = pushControl({
  id: "merged-unverified",
  family: "push",
  settings,
  triggers: ["pull_request.closed", "push"],
  violationIssue: {
    title: "sdlc-guard: pull requests merged without a passing sdlc-guard result",
    intro:
      "POL-008: changes are reviewed and approved by automated tooling before they merge. Each comment below is a pull request merged while sdlc-guard had not passed on its final head: who merged it, what was failing, and whether a required check was bypassed. Review each change (revert it, or land it again through a compliant PR), require the `sdlc-guard` check with administrators included, then close this issue.",
  },
  evaluate: (push) => evaluatePushedMergeVerdicts(push),
});
