import { CHECK_NAME } from "../../common/product.js";
import { describeGitHubError, httpStatus } from "../../common/describe-error.js";
import type { ExistingRuleset, RulesetChange, SecuritySettingsChange } from "../../controls/apply-plan.js";
import { fetched, unavailable, type Fetched } from "../../facts/fetched.js";
import type { GitHubClient } from "../types.js";

/** Names of the organisation rulesets `apply` writes start with this. */
const OUR_RULESETS = `${CHECK_NAME}: default branches`;

interface RestRulesetConditions {
  ref_name?: { include?: string[]; exclude?: string[] };
  repository_name?: { include?: string[]; exclude?: string[] };
}

/**
 * The organisation's rulesets `apply` wrote (by name), each with the repositories it targets. Read only when a
 * ruleset is to be planned. GitHub shows organisation rulesets to owners only: a refusal is the reason, not an error.
 */
export async function readOurOrgRulesets(octokit: GitHubClient, org: string): Promise<Fetched<ExistingRuleset[]>> {
  try {
    const listed = (await octokit.paginate("GET /orgs/{org}/rulesets", { org, per_page: 100 })) as { id: number; name: string }[];
    const ours = listed.filter((r) => r.name.startsWith(OUR_RULESETS));
    const read: ExistingRuleset[] = [];
    for (const ruleset of ours) {
      const { data } = await octokit.request("GET /orgs/{org}/rulesets/{ruleset_id}", { org, ruleset_id: ruleset.id });
      const conditions = (data.conditions ?? {}) as RestRulesetConditions;
      const byName = conditions.repository_name;
      const defaultBranchOnly = conditions.ref_name?.include?.length === 1 && conditions.ref_name.include[0] === "~DEFAULT_BRANCH";
      const repositories = byName?.include && !byName.exclude?.length && defaultBranchOnly ? byName.include : null;
      read.push({ id: ruleset.id, name: ruleset.name, repositories });
    }
    return fetched(read);
  } catch (error) {
    const status = httpStatus(error);
    const why =
      status === 403 || status === 404
        ? "only an organisation owner may manage organisation rulesets (use an owner's GITHUB_TOKEN with admin:org)"
        : "they could not be read";
    return unavailable(`${why}: ${describeGitHubError(error)}`);
  }
}

/** The request body of the organisation ruleset: a PR with the approvals, stale reviews dismissed, no force push, no deletion, `sdlc-guard` from the app. */
function rulesetBody(change: RulesetChange) {
  return {
    name: change.name,
    target: "branch" as const,
    enforcement: "active" as const,
    bypass_actors: [],
    conditions: {
      ref_name: { include: ["~DEFAULT_BRANCH"], exclude: [] },
      repository_name: { include: change.repositories, exclude: [], protected: false },
    },
    rules: [
      {
        type: "pull_request" as const,
        parameters: {
          required_approving_review_count: change.approvals,
          dismiss_stale_reviews_on_push: true,
          require_code_owner_review: false,
          require_last_push_approval: false,
          required_review_thread_resolution: false,
        },
      },
      { type: "non_fast_forward" as const },
      { type: "deletion" as const },
      {
        type: "required_status_checks" as const,
        parameters: {
          strict_required_status_checks_policy: false,
          required_status_checks: [{ context: CHECK_NAME, integration_id: change.appId }],
        },
      },
    ],
  };
}

/** Creates the organisation ruleset, or updates the one of that name; resolves to what GitHub did, as `METHOD path`. */
export async function writeOrgRuleset(octokit: GitHubClient, org: string, change: RulesetChange): Promise<string> {
  const body = rulesetBody(change);
  if (change.rulesetId === null) {
    const { data } = await octokit.request("POST /orgs/{org}/rulesets", { org, ...body });
    return `POST /orgs/${org}/rulesets (ruleset ${data.id})`;
  }
  await octokit.request("PUT /orgs/{org}/rulesets/{ruleset_id}", { org, ruleset_id: change.rulesetId, ...body });
  return `PUT /orgs/${org}/rulesets/${change.rulesetId}`;
}

/** Turns on secret scanning and push protection of one repository (needs admin on it). */
export async function writeSecuritySettings(octokit: GitHubClient, org: string, change: SecuritySettingsChange): Promise<string> {
  const on = { status: "enabled" };
  await octokit.request("PATCH /repos/{owner}/{repo}", {
    owner: org,
    repo: change.repository,
    security_and_analysis: {
      ...(change.secretScanning ? { secret_scanning: on } : {}),
      ...(change.pushProtection ? { secret_scanning_push_protection: on } : {}),
    },
  });
  return `PATCH /repos/${org}/${change.repository}`;
}

/** Who applies: the token's user (`GET /user`), or the app's installation when GitHub has no user for the credentials. */
export async function readApplier(octokit: GitHubClient, auth: "token" | "app-installation", appId: number | undefined): Promise<string> {
  if (auth === "app-installation") return `app ${appId ?? "?"} (installation)`;
  try {
    const { data } = await octokit.request("GET /user");
    return data.login;
  } catch (error) {
    throw new Error(`cannot tell who applies (GET /user): ${describeGitHubError(error)}`, { cause: error });
  }
}
