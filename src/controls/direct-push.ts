import { z } from "zod";
import { enforcementSchema, reportSchema } from "../config/schema-parts.js";
import { pushControl } from "./control.js";
import { inlineCode } from "../common/markdown.js";
import type { PushSnapshot } from "../facts/refs.js";
import { cannotEvaluate, fail, pass, type Finding } from "./finding.js";

/** How many commits (or pull requests) are named; the rest are counted. */
const MAX_LISTED = 10;

function listSome(items: string[]): string {
  const shown = items.slice(0, MAX_LISTED).join(", ");
  return items.length > MAX_LISTED ? `${shown} and ${items.length - MAX_LISTED} more` : shown;
}

const shortShas = (shas: string[]): string => listSome(shas.map((sha) => `\`${sha.slice(0, 7)}\``));

/**
 * `direct-push` (POL-008 "direct commits to protected branches shall be prohibited"): every commit a push added to a
 * protected or default branch arrived through a pull request merged into that branch.
 */
export function evaluateDirectPush(push: PushSnapshot, config: DirectPushSettings): Finding {
  const branch = inlineCode(push.branch);
  if (push.deleted) {
    return pass(
      `Branch ${branch} was deleted: a deletion adds no commit (deleting a protected branch is the \`force-push\` control's concern).`,
    );
  }
  if (!push.commits.ok) return cannotEvaluate(`the commits pushed to ${branch}`, push.commits.error);
  const commits = push.commits.value;
  if (commits.length === 0) return pass(`The push to ${branch} added no commit.`);

  const direct = commits.filter((commit) => commit.mergedInto.length === 0).map((commit) => commit.sha);
  if (direct.length === 0) {
    const pullRequests = [...new Set(commits.flatMap((commit) => commit.mergedInto))].sort((a, b) => a - b);
    return pass(
      `All ${commits.length} commit(s) pushed to ${branch} arrived through a merged pull request (${listSome(pullRequests.map((n) => `#${n}`))}).`,
    );
  }
  const counted = `${direct.length} of ${commits.length} commit(s)`;
  // GitHub logins are case-insensitive: `Release-Bot` pushing is the `release-bot` of the configuration.
  const pusher = push.pusher.toLowerCase();
  if (config.bypass_actors.some((actor) => actor.toLowerCase() === pusher)) {
    return pass(
      `${counted} were pushed directly to ${branch} by bypass actor ${push.pusher} (allowed by \`controls.direct-push.bypass_actors\`).`,
      [`Pushed without a pull request: ${shortShas(direct)}.`],
    );
  }
  return fail(
    `${counted} pushed to ${branch} by ${push.pusher} did not arrive through a merged pull request: ${shortShas(direct)}.`,
    `Revert those commits on ${branch} and land the change through a reviewed pull request; keep ${branch} protected so that every change needs a pull request (with administrators included).`,
  );
}

const settings = z
  .strictObject({
    enforcement: enforcementSchema.default("required"),
    report: reportSchema.default("both"),
    bypass_actors: z
      .array(z.string().regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:\[bot\])?$/, "a GitHub login, e.g. release-bot or release-bot[bot]"))
      .max(50)
      .default([])
      .describe(
        "Logins allowed to push commits straight to protected branches (e.g. a release bot): reported, but the control passes. Never covers force pushes.",
      ),
  })
  .describe("`direct-push`: every commit pushed to the default or a protected branch arrived through a pull request merged into it.");

export type DirectPushSettings = z.output<typeof settings>;

export const directPushControl = pushControl({
  id: "direct-push",
  family: "push",
  settings,
  floor: { bypass_actors: "within" },
  triggers: ["push"],
  violationIssue: {
    title: "sdlc-guard: direct pushes to protected branches",
    intro:
      "POL-008: direct commits to protected branches shall be prohibited. Each comment below is a push whose commits did not arrive through a merged pull request. Review each one (revert it, or land it again through a reviewed PR), keep branch protection on, then close this issue.",
  },
  evaluate: (push, settings) => evaluateDirectPush(push, settings),
});
