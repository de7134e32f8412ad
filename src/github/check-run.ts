import type { CheckRunReport } from "../report/check-run-output.js";
import type { GitHubClient, RepoRef } from "./types.js";

/** The app's one check run per head commit; users make it a required status check. */
export const CHECK_NAME = "sdlc-guard";

export interface CheckRunTarget extends RepoRef {
  headSha: string;
  /** Known id of the `sdlc-guard` run on this SHA: a number, `null` when GitHub said there is none, `undefined` when unknown. */
  existingId: number | null | undefined;
  appId: number | undefined;
  externalId: string;
  completedAt: string;
}

const RECENT_LIMIT = 5_000;

/**
 * Creates the single `sdlc-guard` check run of a head SHA, or updates it in place if it already exists.
 * `recentlyWritten` (ids by `owner/repo@sha`) covers the moment when GitHub's read still lags behind our own write.
 */
export async function ensureCheckRun(
  octokit: GitHubClient,
  target: CheckRunTarget,
  report: CheckRunReport,
  recentlyWritten: Map<string, number>,
): Promise<number> {
  const { owner, repo, headSha } = target;
  const key = `${owner}/${repo}@${headSha}`;
  const id = target.existingId ?? recentlyWritten.get(key) ?? (target.existingId === undefined ? await findCheckRun(octokit, target) : null);
  const fields = {
    owner,
    repo,
    status: "completed" as const,
    conclusion: report.conclusion,
    completed_at: target.completedAt,
    external_id: target.externalId,
    output: report.output,
  };
  const update = async (checkRunId: number) => (await octokit.rest.checks.update({ ...fields, check_run_id: checkRunId })).data.id;
  const create = async () => (await octokit.rest.checks.create({ ...fields, name: CHECK_NAME, head_sha: headSha, request: { retries: 0 } })).data.id;
  const written = id ? await update(id) : await createOnce(create, update, () => findCheckRun(octokit, target));
  if (recentlyWritten.size >= RECENT_LIMIT) recentlyWritten.delete(recentlyWritten.keys().next().value!);
  recentlyWritten.set(key, written);
  return written;
}

/**
 * A create that failed may still have been made by GitHub (a 502 after the write): it is never retried blindly.
 * After a failure, the run is looked up again, updated if it exists, and created only if it does not.
 */
async function createOnce(create: () => Promise<number>, update: (id: number) => Promise<number>, find: () => Promise<number | null>): Promise<number> {
  try {
    return await create();
  } catch (error) {
    const status = (error as { status?: number }).status;
    if (status !== undefined && status < 500) throw error;
    const found = await find();
    return found ? await update(found) : await create();
  }
}

async function findCheckRun(octokit: GitHubClient, { owner, repo, headSha, appId }: CheckRunTarget): Promise<number | null> {
  const { data } = await octokit.rest.checks.listForRef({
    owner,
    repo,
    ref: headSha,
    check_name: CHECK_NAME,
    filter: "latest",
    per_page: 1,
    ...(appId ? { app_id: appId } : {}),
  });
  return data.check_runs[0]?.id ?? null;
}
