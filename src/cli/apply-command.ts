import { audit, closeAuditFile, configureAuditFile } from "../audit/audit-log.js";
import { describeFailure } from "../common/describe-error.js";
import { webUrlFromEnv } from "../common/web-url.js";
import { formatConfigError } from "../config/config-error.js";
import { loadConfig } from "../config/load-config.js";
import { planApply, type ApplyInput, type ApplyPlan, type PlannedChange } from "../controls/apply-plan.js";
import { fetched, type Fetched } from "../facts/fetched.js";
import type { RepositoryFacts } from "../facts/org-summary.js";
import type { OpenFilesPullRequest } from "../controls/apply-files.js";
import { ForeignBranchError, readOpenFilesPullRequest, writeRepositoryFiles } from "../github/apply/apply-files.js";
import { readApplier, readOurOrgRulesets, writeOrgRuleset, writeSecuritySettings } from "../github/apply/apply-rulesets.js";
import { collectOrgFacts } from "../github/org/org-facts.js";
import { readDefaultBranchFile } from "../github/refs/read-config-file.js";
import { matchesBranchPattern } from "../github/refs/branch-pattern.js";
import { hardenRequests } from "../github/transport/harden-requests.js";
import type { GitHubClient } from "../github/types.js";
import { applyTotals, planAsJson, planAsTable, type ChangeOutcome } from "../report/apply-plan-text.js";
import { appIdFromEnv, cliLogger } from "./evaluate-command.js";
import { githubClientFromEnv } from "./github-client.js";
import { CliError, EXIT, type CliDeps, type CliIo } from "./io.js";
import { progressBar } from "./progress.js";

export const APPLY_FORMATS = ["table", "json"] as const;

export interface ApplyOptions {
  org: string;
  /** Only these repositories (names). */
  repo?: string[];
  /** fnmatch patterns of repository names to include / exclude. */
  include?: string[];
  exclude?: string[];
  /** `--codeowners`: owners of the CODEOWNERS pull request (validated `@org/team` / `@login`). */
  codeowners?: string[];
  /** `--security-contact`: where SECURITY.md says to report (validated e-mail address or https URL). */
  securityContact?: string;
  yes?: boolean;
  format: (typeof APPLY_FORMATS)[number];
}

/**
 * `sdlc-guard apply --org <org>`: plans what each selected repository lacks that an administrator can set (an
 * organisation ruleset protecting the default branches, secret scanning and push protection) and prints it; only
 * with `--yes` are the planned changes made, with the caller's credentials, each one recorded in the audit log with
 * who made it. A change GitHub refuses is reported and the others go on. Exit code 0: planned (dry run) or everything
 * applied; 1: a change failed or something cannot be changed; 2: nothing was planned (credentials, config, GitHub).
 */
export async function applyCommand(options: ApplyOptions, env: NodeJS.ProcessEnv, io: CliIo, deps: CliDeps = {}): Promise<number> {
  const { org } = options;
  const log = cliLogger(env, io.stderr);
  const { octokit, auth } = await githubClientFromEnv(env, { owner: org }, log, deps.Octokit);
  const counter = hardenRequests(octokit);
  const first = counter.count;
  const appId = appIdFromEnv(env);

  const loaded = await loadConfig(org, ".github", (location) => readDefaultBranchFile(octokit, location)).catch((error: unknown) => {
    throw new CliError(`cannot read the organisation's config: ${describeFailure(error)}`);
  });
  if (!loaded.ok) throw new CliError(`the organisation's config cannot be used: ${formatConfigError(loaded.error)}`);

  const bar = progressBar(io.stderr);
  let plan: ApplyPlan;
  /** Who applies, when planning already read it (a files pull request was open): not asked of GitHub twice. */
  let knownApplier: string | undefined;
  try {
    const facts = await collectOrgFacts(octokit, {
      org,
      appId,
      now: deps.now?.() ?? new Date(),
      periodDays: loaded.config.summary.period_days,
      webUrl: webUrlFromEnv(env),
      onProgress: bar?.onProgress,
    });
    const input: ApplyInput = {
      org,
      orgConfig: loaded.config,
      repositories: selectRepositories(facts.repositories, options),
      appId,
      rulesets: fetched([]),
      files: { codeowners: options.codeowners, securityContact: options.securityContact },
    };
    plan = planApply(input);
    // The org's rulesets are read only when one is needed (owners only may read them); whether a files pull request
    // is already open, only for the repositories one is planned for.
    const rulesets = plan.changes.some((c) => c.kind === "org-ruleset");
    const filesFor = plan.changes.flatMap((c) => (c.kind === "repository-files" ? [c] : []));
    if (rulesets || filesFor.length) {
      const openFilePullRequests = new Map<string, Fetched<OpenFilesPullRequest | null>>();
      // Who applies is read (GET /user, once) only when a pull request from the branch is already open.
      let applier: Promise<string | undefined> | undefined;
      const me = () =>
        (applier ??=
          auth === "token"
            ? readApplier(octokit, auth, appId).then(
                (login) => (knownApplier = login),
                () => undefined,
              )
            : Promise.resolve(undefined));
      for (const change of filesFor) openFilePullRequests.set(change.repository, await readOpenFilesPullRequest(octokit, org, change, me));
      plan = planApply({
        ...input,
        rulesets: rulesets ? await readOurOrgRulesets(octokit, org) : input.rulesets,
        openFilePullRequests,
      });
    }
  } catch (error) {
    bar?.stop();
    throw new CliError(`cannot plan ${org}: ${describeFailure(error)}`);
  }
  bar?.stop();

  let outcomes: ChangeOutcome[] | undefined;
  let appliedBy: string | undefined;
  if (options.yes && plan.changes.length) {
    appliedBy =
      knownApplier ??
      (await readApplier(octokit, auth, appId).catch((error: unknown) => {
        throw new CliError(describeFailure(error));
      }));
    configureAuditFile(env.AUDIT_LOG_PATH, log);
    try {
      outcomes = await applyChanges(octokit, plan, appliedBy, log, io);
    } finally {
      await closeAuditFile();
    }
  }

  const text = options.format === "json" ? planAsJson(plan, { dryRun: !options.yes, appliedBy, outcomes }) : planAsTable(plan, outcomes);
  io.stdout.write(text);
  const totals = applyTotals(plan, outcomes);
  const requests = counter.count - first;
  const done = options.yes
    ? `${totals.applied} applied, ${totals.failed} failed${appliedBy ? ` (by ${appliedBy})` : ""}`
    : `dry run: nothing written (--yes applies it)`;
  io.stderr.write(
    `sdlc-guard: ${totals.repositories} repositories: ${totals.holds} settings hold, ${totals.planned} changes planned, ${totals.cannot} cannot be changed; ${done}; ${requests} GitHub requests\n`,
  );
  return totals.failed || (options.yes && totals.cannot) ? EXIT.failure : EXIT.success;
}

/** Active repositories, narrowed by `--repo`, `--include` and `--exclude` (fnmatch patterns, as GitHub's branch rules). */
function selectRepositories(repositories: RepositoryFacts[], options: ApplyOptions): RepositoryFacts[] {
  const named = options.repo?.map((n) => n.toLowerCase());
  return repositories.filter(
    (r) =>
      !r.archived &&
      (!named || named.includes(r.name.toLowerCase())) &&
      (!options.include?.length || options.include.some((p) => matchesBranchPattern(p, r.name))) &&
      !options.exclude?.some((p) => matchesBranchPattern(p, r.name)),
  );
}

/** Each change in turn: one GitHub refuses is reported and the next one goes on; each is recorded in the audit log. */
async function applyChanges(
  octokit: GitHubClient,
  plan: ApplyPlan,
  by: string,
  log: ReturnType<typeof cliLogger>,
  io: CliIo,
): Promise<ChangeOutcome[]> {
  const outcomes: ChangeOutcome[] = [];
  const bar = progressBar(io.stderr);
  try {
    for (const [done, change] of plan.changes.entries()) {
      bar?.onProgress({ phase: "applying", done, total: plan.changes.length });
      const outcome = await applyOne(octokit, plan.org, change);
      outcomes.push(outcome);
      const repositories = change.kind === "org-ruleset" ? change.fixes : [change.repository];
      audit(
        log,
        outcome.status === "applied" ? "apply.changed" : "apply.failed",
        {
          org: plan.org,
          change: change.id,
          kind: change.kind,
          repositories,
          by,
          ...(outcome.request ? { request: outcome.request } : {}),
          ...(outcome.reason ? { reason: outcome.reason } : {}),
        },
        `${change.id} ${outcome.status} by ${by}`,
      );
    }
  } finally {
    bar?.stop();
  }
  return outcomes;
}

async function applyOne(octokit: GitHubClient, org: string, change: PlannedChange): Promise<ChangeOutcome> {
  try {
    const request =
      change.kind === "org-ruleset"
        ? await writeOrgRuleset(octokit, org, change)
        : change.kind === "repository-files"
          ? await writeRepositoryFiles(octokit, org, change)
          : await writeSecuritySettings(octokit, org, change);
    return { id: change.id, status: "applied", request };
  } catch (error) {
    if (error instanceof ForeignBranchError) return { id: change.id, status: "failed", reason: `refused: ${error.message}` };
    const status = (error as { status?: unknown }).status;
    const refused = {
      "org-ruleset": "refused: an organisation owner's token is needed",
      "security-settings":
        "refused: admin on the repository is needed (or a security manager role, and GitHub Advanced Security where the repository is private)",
      "repository-files": "refused: contents write and pull requests write on the repository are needed (a rerun resumes)",
    };
    const why =
      status === 403 || status === 404 ? refused[change.kind] : change.kind === "repository-files" ? "failed (a rerun resumes)" : "failed";
    return { id: change.id, status: "failed", reason: `${why}: ${describeFailure(error)}` };
  }
}
