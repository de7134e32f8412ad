import { inlineCode } from "../common/markdown.js";
import type { MergedPullVerdict } from "../facts/refs.js";

const short = (sha: string): string => `\`${sha.slice(0, 7)}\``;

/** Passed: our run on the final head completed with success (a run whose failing required controls are all waived concludes success). */
export function passedOnHead(pr: MergedPullVerdict): boolean {
  return pr.headRun.ok && pr.headRun.value?.status === "completed" && pr.headRun.value.conclusion?.toLowerCase() === "success";
}

/** What sdlc-guard said on the PR's final head, in a clause: "sdlc-guard concluded `failure` on its head `abc1234`: …". */
export function verdictOnHead(pr: MergedPullVerdict): string {
  const head = `its head ${short(pr.headSha)}`;
  if (!pr.headRun.ok) return `the sdlc-guard result on ${head} could not be read (${pr.headRun.error})`;
  const run = pr.headRun.value;
  if (!run) return `sdlc-guard has no result on ${head}`;
  if (run.status !== "completed") return `sdlc-guard had not finished on ${head}`;
  const title = run.title ? `: ${run.title.replace(/\.$/, "")}` : "";
  if (run.conclusion?.toLowerCase() === "success") return `sdlc-guard passed on ${head}${title}`;
  return `sdlc-guard concluded ${inlineCode(run.conclusion ?? "no conclusion")} on ${head}${title}`;
}

/** "PR #12 (merged by @alice: sdlc-guard concluded `failure` on its head `abc1234`: …)". */
export function describeMergedPull(pr: MergedPullVerdict): string {
  return `PR #${pr.number} (merged by ${pr.mergedBy ? `@${pr.mergedBy}` : "an unknown account"}: ${verdictOnHead(pr)})`;
}

/**
 * Whether a commit is vouched for: it is the commit a PR merged into `branch` put there (merge, squash, or last rebased
 * commit), and that PR passed on its final head. `failed`: it is such a commit, but no such PR passed. `intermediate`:
 * it is only one of the commits of such PRs, never evaluated as their result. `none`: no PR merged into `branch` brought it.
 */
export type Vouching =
  | { kind: "vouched"; by: MergedPullVerdict }
  | { kind: "failed"; pulls: MergedPullVerdict[] }
  | { kind: "intermediate"; pulls: MergedPullVerdict[] }
  | { kind: "none" };

/** `pulls`: the merged PRs GitHub associates with the commit; `branch` null: merged into any branch. */
export function vouchingOf(commitSha: string, pulls: MergedPullVerdict[], branch: string | null): Vouching {
  const into = pulls.filter((pr) => branch === null || pr.baseRefName === branch);
  const mergedAs = into.filter((pr) => pr.mergeCommitSha === commitSha);
  const passing = mergedAs.find(passedOnHead);
  if (passing) return { kind: "vouched", by: passing };
  if (mergedAs.length) return { kind: "failed", pulls: mergedAs };
  return into.length ? { kind: "intermediate", pulls: into } : { kind: "none" };
}

/** Why a commit is not vouched for, as a clause ("commit `abc1234` is …", no final period); empty for a vouched commit. */
export function whyNotVouched(commitSha: string, vouching: Vouching, branch: string | null): string {
  const commit = `commit ${short(commitSha)}`;
  const where = branch ? ` into ${inlineCode(branch)}` : "";
  switch (vouching.kind) {
    case "vouched":
      return "";
    case "failed":
      return `${commit} is the merge of ${vouching.pulls.map(describeMergedPull).join(" and ")}, which did not pass sdlc-guard on its final head, so nothing vouches for it`;
    case "intermediate":
      return `${commit} is an intermediate commit of ${vouching.pulls.map((pr) => `PR #${pr.number}`).join(", ")}, not the commit the merge produced: sdlc-guard never evaluated it as a result, so nothing vouches for it`;
    case "none":
      return `${commit} did not come from a pull request merged${where} (a direct push), so nothing vouches for it`;
  }
}
