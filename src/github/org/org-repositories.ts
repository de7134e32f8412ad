import { fetched, unavailable, type Fetched } from "../../facts/fetched.js";
import { describeGitHubError } from "../../common/describe-error.js";
import { readAllPages } from "./org-rest-pages.js";
import type { RateBudget } from "../transport/rate-budget.js";
import type { GitHubClient } from "../types.js";

/** A repository as the organisation's repository list gives it. */
export interface ListedRepository {
  name: string;
  /** GraphQL id (REST `node_id`). */
  nodeId: string;
  url: string;
  archived: boolean;
  visibility: string;
  /** As REST names it (set even on an empty repository). */
  defaultBranch: string;
  pushedAt: string | null;
  secretScanning: Fetched<{ enabled: boolean; pushProtection: boolean }>;
}

interface RestRepository {
  name: string;
  node_id: string;
  archived?: boolean;
  visibility?: string;
  private: boolean;
  default_branch?: string;
  pushed_at?: string | null;
  security_and_analysis?: { secret_scanning?: { status?: string }; secret_scanning_push_protection?: { status?: string } } | null;
}

export const TWO_FACTOR_HIDDEN = "GitHub shows this setting only to organisation owners: grant the app Organization administration (read)";
const SECURITY_SETTINGS_HIDDEN =
  "GitHub did not show the repository's security settings (security_and_analysis): it shows them to repository admins and security managers; grant the app Administration (read)";

/** The organisation's `two_factor_requirement_enabled` (only owners see it). */
export async function readTwoFactorRequirement(octokit: GitHubClient, budget: RateBudget, org: string): Promise<Fetched<boolean>> {
  await budget.spend("core", 1);
  try {
    const { data } = await octokit.request("GET /orgs/{org}", { org });
    const required = data.two_factor_requirement_enabled;
    return typeof required === "boolean" ? fetched(required) : unavailable(TWO_FACTOR_HIDDEN);
  } catch (error) {
    return unavailable(describeGitHubError(error));
  }
}

/** Every repository of the organisation the caller can see, archived ones included. Throws when the list cannot be read. */
export async function listOrgRepositories(
  octokit: GitHubClient,
  budget: RateBudget,
  org: string,
  webUrl: string,
  onPage?: (listed: number) => void,
): Promise<ListedRepository[]> {
  const web = webUrl.replace(/\/+$/, "");
  const repos = await readAllPages<RestRepository>(octokit, budget, "GET /orgs/{org}/repos", { org, type: "all", per_page: 100 }, onPage);
  return repos.map((repo) => ({
    name: repo.name,
    nodeId: repo.node_id,
    url: `${web}/${org}/${repo.name}`,
    archived: repo.archived ?? false,
    visibility: repo.visibility ?? (repo.private ? "private" : "public"),
    defaultBranch: repo.default_branch ?? "main",
    pushedAt: repo.pushed_at ?? null,
    secretScanning: secretScanningOf(repo.security_and_analysis),
  }));
}

function secretScanningOf(settings: RestRepository["security_and_analysis"]): ListedRepository["secretScanning"] {
  const status = settings?.secret_scanning?.status;
  if (!status) return unavailable(SECURITY_SETTINGS_HIDDEN);
  return fetched({ enabled: status === "enabled", pushProtection: settings?.secret_scanning_push_protection?.status === "enabled" });
}
