import { describeHold } from "../config/policy-floor.js";
import { formatConfigError } from "../config/config-error.js";
import { decideDeployment, type DeploymentDecision } from "../controls/deployment.js";
import { readDeployment, type DeploymentRequest } from "../github/refs/deployment-snapshot.js";
import { describeGitHubError } from "../common/describe-error.js";
import { beginEvaluation } from "./begin-evaluation.js";
import type { EvaluationDeps } from "./evaluate-pull-request.js";
import { loadConfigCached } from "./state-cache.js";
import { audit } from "../audit/audit-log.js";

export interface DeploymentGateTarget extends DeploymentRequest {
  /** The workflow run waiting on the rule (from the callback URL GitHub sent). */
  runId: number;
  requestedBy: string;
}

/** GitHub shows the comment next to the decision; it is kept short. */
const COMMENT_LIMIT = 1_000;

/** `…/repos/{owner}/{repo}/actions/runs/{run_id}/deployment_protection_rule`: the run id, or undefined. */
export function runIdOfCallback(callbackUrl: string, owner: string, repo: string): number | undefined {
  let path: string;
  try {
    path = decodeURIComponent(new URL(callbackUrl).pathname);
  } catch {
    return undefined;
  }
  const match = path.match(/\/repos\/([^/]+)\/([^/]+)\/actions\/runs\/([0-9]{1,20})\/deployment_protection_rule$/);
  // The callback must be for the repository the event is about: the answer is posted there, never elsewhere.
  if (!match || match[1]!.toLowerCase() !== owner.toLowerCase() || match[2]!.toLowerCase() !== repo.toLowerCase()) return undefined;
  return Number(match[3]);
}

/**
 * Answers a custom deployment protection rule: approves only a semver tag whose commit has a successful `sdlc-guard`
 * result (or came from a PR that had one), rejects anything else with the reason, and rejects when it cannot tell.
 */
export async function evaluateDeployment(deps: EvaluationDeps, target: DeploymentGateTarget): Promise<DeploymentDecision> {
  const { octokit, log, appId, memory } = deps;
  beginEvaluation(deps);
  const { owner, repo, environment } = target;
  let decision: DeploymentDecision;
  try {
    const loaded = await loadConfigCached(octokit, owner, repo, memory.cache);
    if (!loaded.ok) {
      decision = { state: "rejected", reason: `Could not load the sdlc-guard policy: ${formatConfigError(loaded.error)}` };
    } else {
      // Type-checked against the whole policy (the descriptor's `decide` takes the other controls' settings untyped).
      decision = decideDeployment(await readDeployment(octokit, target, appId), loaded.config);
      if (loaded.floorHeld?.length)
        decision = { ...decision, reason: `${decision.reason} (Held at the org floor: ${loaded.floorHeld.map(describeHold).join(", ")}.)` };
    }
  } catch (error) {
    decision = {
      state: "rejected",
      reason: `Could not tell whether this deployment is allowed (${describeGitHubError(error)}), so it is rejected.`,
    };
  }
  const comment = `sdlc-guard ${decision.state}: ${decision.reason}`.slice(0, COMMENT_LIMIT);
  const auditFields = {
    repository: `${owner}/${repo}`,
    environment,
    ref: target.ref,
    commit: target.sha,
    run_id: target.runId,
    requested_by: target.requestedBy,
    decision: decision.state,
    reason: decision.reason,
  };
  if (deps.write === false) {
    audit(log, "deployment.dry_run", auditFields, `dry run: deployment to ${environment} would be ${decision.state}`);
    return decision;
  }
  await octokit.rest.actions.reviewCustomGatesForRun({
    owner,
    repo,
    run_id: target.runId,
    environment_name: environment,
    state: decision.state,
    comment,
  });
  audit(log, "deployment.reviewed", auditFields, `deployment of ${target.ref} to ${environment} ${decision.state}`);
  return decision;
}
