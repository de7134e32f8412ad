import type { CheckRunReport } from "../report/check-run-output.js";
import { ensureCheckRunWritten, type CheckRunTarget, type EnsuredRun, type WrittenRun } from "../github/writes/check-run.js";
import { repositoryKey, type GitHubClient } from "../github/types.js";
import type { SharedState } from "./shared-state.js";

/**
 * Evaluations are serialized per pull request (evaluate-pull-request.ts), not per repository: PRs of one repository
 * are read and evaluated side by side. What must stay one at a time is the commit: a head SHA has ONE `sdlc-guard`
 * check run, shared by every PR with that head and by the commit's other roles (a push to the default branch, a tag),
 * and it is found or created, then updated with the rows of the others kept. So every write of a commit's run runs
 * under this lock (in this process, or with Redis on every replica), and `readMark` makes a read that another write
 * overtook merge with that newer write (check-run.ts).
 */
export function withCommitLock<T>(shared: SharedState, owner: string, repo: string, sha: string, task: () => Promise<T>): Promise<T> {
  return shared.withLock(`evaluate:${repositoryKey(owner, repo)}@${sha.toLowerCase()}`, task);
}

/** `ensureCheckRunWritten` under the commit's lock: the run's id, and whether it was written (see `skipUnchanged`). */
export function writeCommitCheckRunReporting(
  memory: { shared: SharedState; checkRuns: Map<string, WrittenRun> },
  octokit: GitHubClient,
  target: CheckRunTarget,
  report: CheckRunReport,
): Promise<EnsuredRun> {
  return withCommitLock(memory.shared, target.owner, target.repo, target.headSha, () =>
    ensureCheckRunWritten(octokit, target, report, memory.checkRuns),
  );
}

/** `ensureCheckRunWritten` under the commit's lock, for callers that need only the run's id. */
export async function writeCommitCheckRun(
  memory: { shared: SharedState; checkRuns: Map<string, WrittenRun> },
  octokit: GitHubClient,
  target: CheckRunTarget,
  report: CheckRunReport,
): Promise<number> {
  return (await writeCommitCheckRunReporting(memory, octokit, target, report)).id;
}
