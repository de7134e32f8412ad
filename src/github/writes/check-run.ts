import { CHECK_NAME } from "../../common/product.js";
import { clampTitle } from "../../common/markdown.js";
import { keepOtherRows, type CheckRunReport } from "../../report/check-run-output.js";
import { clampKeepingResults, resultsBlock } from "../../report/check-run-state.js";
import { isUnchangedRun } from "../../report/unchanged-check-run.js";
import type { GitHubClient, RepoRef } from "../types.js";
import { isSupersededWrite } from "../transport/send-gate.js";

/** Our `sdlc-guard` run on a commit, as a query found it. */
export interface ExistingCheckRun {
  id: number;
  /** A pending result may keep an in-progress run open; a completed one cannot be reopened. */
  completed: boolean;
  /** Its summary as read (it carries the rows of the commit's evaluations). */
  summary?: string | null;
  /** As the query read them (when it did): what the run shows, so an unchanged result is not written again. */
  status?: string;
  conclusion?: string | null;
  title?: string | null;
}

/** A run this process wrote moments ago: its id and the rows it stored (the summary's hidden block only). */
export interface WrittenRun {
  id: number;
  summary: string;
  /** When it was written, in this process's order of writes (see `checkRunWriteMark`). */
  mark?: number;
}

let writes = 0;
/**
 * A point in this process's order of check-run writes. An evaluation takes one before it reads our run on a commit
 * (`CheckRunTarget.readMark`): a write of that commit's run after it makes what the evaluation read stale.
 */
export const checkRunWriteMark = (): number => writes;

export interface CheckRunTarget extends RepoRef {
  headSha: string;
  /** Our run on this SHA: `null` when GitHub said there is none, `undefined` when unknown (looked up before writing). */
  existing: ExistingCheckRun | null | undefined;
  appId: number | undefined;
  externalId: string;
  completedAt: string;
  /**
   * true: when the run read with the evaluation (`existing`) is completed and already shows exactly this result (state,
   * conclusion, title, summary; only the evaluation time may differ), nothing is written: no request at all.
   */
  skipUnchanged?: boolean;
  /**
   * `checkRunWriteMark()` taken before `existing` was read. When this process wrote the commit's run after it (another
   * PR with the same head, evaluated at the same time), that newer write is what is updated and merged with, never
   * the stale read: one run per commit, no row of another evaluation lost.
   */
  readMark?: number;
}

/** The run's id, and whether this call wrote it (false: it already showed the result). */
export interface EnsuredRun {
  id: number;
  written: boolean;
}

const RECENT_LIMIT = 5_000;

/**
 * Creates the single `sdlc-guard` check run of a head SHA, or updates it in place if it already exists, and says
 * whether a request was made (with `skipUnchanged`, an unchanged result is not). `recentlyWritten` (ids by
 * `owner/repo@sha`) covers the moment when GitHub's read still lags behind our own write.
 */
export async function ensureCheckRunWritten(
  octokit: GitHubClient,
  target: CheckRunTarget,
  report: CheckRunReport,
  recentlyWritten: Map<string, WrittenRun>,
): Promise<EnsuredRun> {
  const { owner, repo, headSha } = target;
  const key = `${owner}/${repo}@${headSha}`;
  const recent = recentlyWritten.get(key);
  const staleRead = recent !== undefined && target.readMark !== undefined && (recent.mark ?? Infinity) > target.readMark;
  const existing = staleRead ? undefined : target.existing;
  const run = existing ?? recent ?? (existing === undefined ? await findCheckRun(octokit, target) : null);
  const id = run?.id;
  // The rows other evaluations stored on the run stay, whichever way the run was found (reports/check-run-output.ts).
  const final = keepOtherRows(report, run?.summary);
  const fields = (mayStayOpen: boolean) => {
    const status = statusFields(final, target.completedAt, mayStayOpen);
    // Every write is within GitHub's limits (UTF-8 bytes), whichever path built the output.
    const output = { title: clampTitle(status.output.title), summary: clampKeepingResults(status.output.summary) };
    return { owner, repo, external_id: target.externalId, ...status, output };
  };
  // Only a fresh read is compared: one another write overtook (`staleRead`) is not what the run shows any more.
  if (target.skipUnchanged && existing && isUnchangedRun(fields(!existing.completed), existing, target.completedAt))
    return { id: existing.id, written: false };
  const update = async (checkRunId: number) => {
    const stillOpen = checkRunId === existing?.id && !existing.completed;
    return (await octokit.rest.checks.update({ ...fields(stillOpen), check_run_id: checkRunId })).data.id;
  };
  const create = async () =>
    (await octokit.rest.checks.create({ ...fields(true), name: CHECK_NAME, head_sha: headSha, request: { retries: 0 } })).data.id;
  const written = id ? await update(id) : await createOnce(create, update, async () => (await findCheckRun(octokit, target))?.id ?? null);
  if (recentlyWritten.size >= RECENT_LIMIT) recentlyWritten.delete(recentlyWritten.keys().next().value!);
  recentlyWritten.delete(key); // re-inserted last: the oldest entries go first
  recentlyWritten.set(key, { id: written, summary: resultsBlock(fields(false).output.summary), mark: ++writes });
  return { id: written, written: true };
}

/**
 * A pending result leaves the run in progress, which blocks a merge that requires it. GitHub cannot reliably move a
 * completed run back to in progress (its old conclusion stays), so a pending result on a completed run fails instead,
 * saying what it waits for: never a pass by accident. The run is re-evaluated when the awaited checks complete.
 */
function statusFields(report: CheckRunReport, completedAt: string, mayStayOpen: boolean) {
  if (report.conclusion !== "pending") {
    return { status: "completed" as const, conclusion: report.conclusion, completed_at: completedAt, output: report.output };
  }
  if (mayStayOpen) return { status: "in_progress" as const, output: report.output };
  const summary = `GitHub cannot reopen a completed check run, so it fails until the pending controls finish; it is re-evaluated when they do.\n\n${report.output.summary}`;
  return {
    status: "completed" as const,
    conclusion: "failure" as const,
    completed_at: completedAt,
    output: { title: report.output.title, summary: clampKeepingResults(summary) },
  };
}

/**
 * A create that failed may still have been made by GitHub (a 502 after the write): it is never retried blindly.
 * After a failure, the run is looked up again, updated if it exists, and created only if it does not.
 */
async function createOnce(
  create: () => Promise<number>,
  update: (id: number) => Promise<number>,
  find: () => Promise<number | null>,
): Promise<number> {
  try {
    return await create();
  } catch (error) {
    if (isSupersededWrite(error)) throw error; // never sent: nothing to look up
    const status = (error as { status?: number }).status;
    if (status !== undefined && status < 500) throw error;
    const found = await find();
    return found ? await update(found) : await create();
  }
}

async function findCheckRun(
  octokit: GitHubClient,
  { owner, repo, headSha, appId }: CheckRunTarget,
): Promise<{ id: number; summary: string | null } | null> {
  const { data } = await octokit.rest.checks.listForRef({
    owner,
    repo,
    ref: headSha,
    check_name: CHECK_NAME,
    filter: "latest",
    per_page: 1,
    ...(appId ? { app_id: appId } : {}),
  });
  const found = data.check_runs[0];
  return found ? { id: found.id, summary: found.output.summary } : null;
}
