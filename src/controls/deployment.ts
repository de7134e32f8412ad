import { z } from "zod";
import { enforcementSchema } from "../config/schema-parts.js";
import { deploymentControl as defineDeploymentControl, type DeploymentDecision } from "./control.js";
import { inlineCode } from "../common/markdown.js";
import type { DeploymentSnapshot } from "../facts/refs.js";
import { isReleaseTagName, SEMVER_TAG_PATTERN, type ReleaseTagSettings } from "./release-tag.js";
import { vouchingOf, whyNotVouched } from "./pull-request-verdict.js";

export type { DeploymentDecision };

/** The settings the gate reads: its own, and the release-tag pattern a deployed tag must match. */
export interface DeploymentPolicy {
  controls: { deployment: DeploymentSettings; "release-tag": Pick<ReleaseTagSettings, "pattern"> };
}

const approved = (reason: string): DeploymentDecision => ({ state: "approved", reason });
const rejected = (reason: string): DeploymentDecision => ({ state: "rejected", reason });
const short = (sha: string): string => `\`${sha.slice(0, 7)}\``;
const isSuccess = (conclusion: string | null): boolean => conclusion?.toLowerCase() === "success";

/**
 * `deployment` (POL-008 "deployments only from approved, tagged releases"), answered as a custom deployment
 * protection rule: approve only a release tag whose commit is vouched for (the merge, squash or last rebased commit
 * of a PR merged into the default branch that passed on its final head) and whose own run, if any, passed. Fails closed:
 * anything that cannot be read rejects. Advisory enforcement approves, saying what would have been rejected.
 */
export function decideDeployment(snapshot: DeploymentSnapshot, config: DeploymentPolicy): DeploymentDecision {
  const control = config.controls.deployment;
  const environment = snapshot.environment.toLowerCase();
  if (control.environments.length > 0 && !control.environments.some((gated) => gated.toLowerCase() === environment)) {
    return approved(
      `Environment ${inlineCode(snapshot.environment)} is not gated by the sdlc-guard configuration (\`controls.deployment.environments\`).`,
    );
  }
  if (control.enforcement === "off") return approved("The `deployment` control is turned off in the configuration.");
  const decision = decideOnPolicy(snapshot, config.controls["release-tag"].pattern);
  if (control.enforcement === "advisory" && decision.state === "rejected")
    return approved(`advisory: would be rejected: ${decision.reason}`);
  return decision;
}

function decideOnPolicy(snapshot: DeploymentSnapshot, pattern: string): DeploymentDecision {
  const ref = inlineCode(snapshot.ref);
  const commit = short(snapshot.sha);
  if (!isReleaseTagName(snapshot.ref, pattern)) {
    const kind =
      pattern === SEMVER_TAG_PATTERN
        ? "is not a semantic-version tag"
        : "does not match the release-tag pattern (`controls.release-tag.pattern`)";
    return rejected(`Deployments only from approved, tagged releases: ${ref} ${kind}.`);
  }
  const { tagCommit, ourRun, mergedPullRequests } = snapshot;
  if (!tagCommit.ok) return rejected(`Could not tell whether tag ${ref} points to the deployed commit ${commit}: ${tagCommit.error}`);
  if (tagCommit.value === null) return rejected(`Deployments only from approved, tagged releases: there is no tag named ${ref}.`);
  if (tagCommit.value !== snapshot.sha) {
    return rejected(`Tag ${ref} points to ${short(tagCommit.value)}, not to the deployed commit ${commit}.`);
  }

  if (!ourRun.ok) return rejected(`Could not tell whether sdlc-guard passed on ${commit} (tag ${ref}): ${ourRun.error}`);
  // A passing run of the commit's own judges only its push or tag: the code is vouched for only by the PR that merged as it.
  const vouching =
    mergedPullRequests.ok && snapshot.defaultBranch ? vouchingOf(snapshot.sha, mergedPullRequests.value, snapshot.defaultBranch) : null;
  const notVouched = vouching && vouching.kind !== "vouched" ? whyNotVouched(snapshot.sha, vouching, snapshot.defaultBranch) : "";
  const run = ourRun.value;
  if (run?.status === "completed" && !isSuccess(run.conclusion)) {
    const title = run.title ? `: ${run.title.replace(/\.$/, "")}` : "";
    const concluded = run.conclusion ? `concluded ${inlineCode(run.conclusion)}` : "completed without a conclusion";
    return rejected(`sdlc-guard ${concluded} on ${commit} (tag ${ref})${title}${notVouched ? `; ${notVouched}` : ""}.`);
  }
  // Our own run still evaluating this commit (e.g. its tag) may yet fail: nothing else outweighs it.
  if (run && run.status !== "completed")
    return rejected(`sdlc-guard has not finished on this commit (${commit}, tag ${ref}): deploy again once it has concluded.`);

  if (!mergedPullRequests.ok) {
    return rejected(
      `Could not tell whether ${commit} (tag ${ref}) was merged through a compliant pull request: ${mergedPullRequests.error}`,
    );
  }
  if (!vouching) return rejected(`Could not tell which branch is the default branch, so nothing vouches for ${commit} (tag ${ref}).`);
  if (vouching.kind !== "vouched") return rejected(`Tag ${ref}: ${notVouched}.`);
  const carries = run ? " carries a successful sdlc-guard result and" : "";
  return approved(
    `Tag ${ref} (${commit})${carries} was merged through compliant PR #${vouching.by.number} (sdlc-guard passed on its final head ${short(vouching.by.headSha)}).`,
  );
}

const settings = z
  .strictObject({
    enforcement: enforcementSchema.default("required"),
    environments: z
      .array(z.string().min(1).max(255))
      .max(100)
      .default([])
      .describe("Environments gated (case-insensitive). Empty: every environment whose protection rules include the app."),
  })
  .describe("`deployment`: as a custom deployment protection rule, approve only a semver tag whose commit passed sdlc-guard.");

export type DeploymentSettings = z.output<typeof settings>;

export const deploymentControl = defineDeploymentControl({
  id: "deployment",
  family: "deployment",
  settings,
  floor: { environments: "all-or-union" },
  triggers: ["deployment_protection_rule"],
  decide: (deployment, settings, others: { "release-tag": ReleaseTagSettings }) =>
    decideDeployment(deployment, { controls: { deployment: settings, "release-tag": others["release-tag"] } }),
});
