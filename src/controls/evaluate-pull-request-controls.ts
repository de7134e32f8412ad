import type { SdlcGuardConfig } from "../config/schema.js";
import type { OptionalPullRequestFact } from "../facts/pull-request.js";
import { PULL_REQUEST_CONTROLS } from "./catalogue.js";
import type { PullRequestEvidence } from "./control.js";
import { cannotEvaluate } from "./finding.js";
import { controlRow, isOn, type ControlResult } from "./results.js";

export type { PullRequestEvidence };

/** What each optional fact is, for a row that could not be evaluated because it was not read. */
const FACT_NAMES: Record<OptionalPullRequestFact, string> = {
  changedFiles: "the pull request's changed files",
  commits: "the pull request's commits",
  headChecks: "the checks on the head commit",
  codeOwners: "the CODEOWNERS file of the base branch",
  comments: "the pull request's comments",
  forcePushes: "the force pushes of the pull request's head branch",
  secretScanning: "the secret-scanning alerts",
  labels: "the pull request's labels",
};

/** The optional facts an enabled control needs with its settings. */
function factsNeededBy(control: (typeof PULL_REQUEST_CONTROLS)[number], config: SdlcGuardConfig): OptionalPullRequestFact[] {
  const settings = config.controls[control.id];
  const facts = control.facts as Partial<Record<OptionalPullRequestFact, (settings: unknown) => boolean>>;
  return (Object.keys(facts) as OptionalPullRequestFact[]).filter((fact) => facts[fact]!(settings));
}

/**
 * The optional parts of the PR the snapshot reads: those the enabled controls declare, and the comments and force pushes
 * when approvers are configured (waiver commands, and the head each waiver is bound to).
 */
export function snapshotNeeds(config: SdlcGuardConfig): ReadonlySet<OptionalPullRequestFact> {
  const needs = new Set(
    PULL_REQUEST_CONTROLS.filter((control) => isOn(control.id, config)).flatMap((control) => factsNeededBy(control, config)),
  );
  // Waiver commands; a waiver is bound to the head it was given on, which a force push can bring back.
  // Who wrote the change may not waive its controls either (with independent approvers): the commits are needed too.
  if (config.exceptions.approvers.length > 0) {
    for (const fact of ["comments", "forcePushes"] as const) needs.add(fact);
    if (config.controls.reviews.independent_approvers) needs.add("commits");
  }
  return needs;
}

/** Runs every pull-request control in catalogue order; an `off` control is listed but not evaluated. */
export function evaluatePullRequestControls(evidence: PullRequestEvidence, config: SdlcGuardConfig): ControlResult[] {
  return PULL_REQUEST_CONTROLS.map((control) =>
    controlRow(control.id, config, () => {
      // A needed fact the snapshot did not read fails closed (the catalogue test keeps this from happening).
      const unread = factsNeededBy(control, config).find((fact) => evidence.snapshot[fact] === undefined);
      if (unread) return cannotEvaluate(FACT_NAMES[unread], "it was not read for this evaluation");
      return control.evaluate(evidence, config.controls[control.id] as never, config.controls as never);
    }),
  );
}
