import { CONFIG_PATH } from "../../common/product.js";
import type { MergedPullRequest, RepositoryFiles } from "../../facts/org-summary.js";
import { mapFetched, fetched, unavailable, type Fetched } from "../../facts/fetched.js";
import { type ClassicProtection, type RulesetRule } from "../../facts/pull-request.js";
import type { GqlPage } from "../transport/graphql-pages.js";
import { findCommunityFiles, type CommunityFolders } from "./org-files.js";
import {
  appIdVariable,
  FIRST_PULLS_PAGE,
  mergedPullsConnection,
  mergedPullsCost,
  mergedPullsOf,
  type GqlMergedPull,
  type Period,
} from "./org-merged-pulls.js";
import { describeFieldErrors, graphqlPartial, type GqlFieldError } from "./org-node-pages.js";
import { BRANCH_RULES_SELECTION, toClassicProtection, toRulesetRules, type GqlBranchRules } from "../refs/pull-request-snapshot.js";
import type { RateBudget } from "../transport/rate-budget.js";
import type { GitHubClient } from "../types.js";

/** Repositories asked about in one query (GitHub's `nodes(ids:)` takes at most 100). */
export const DEFAULT_REPOS_PER_QUERY = 50;
export const MAX_REPOS_PER_QUERY = 100;

const TREE = "... on Tree { entries { name type } }";
/** The folders where GitHub looks for community files, on the default branch (`HEAD`). */
const COMMUNITY_FOLDERS = `root: object(expression: "HEAD:") { ${TREE} }
      dotGithub: object(expression: "HEAD:.github") { ${TREE} }
      docs: object(expression: "HEAD:docs") { ${TREE} }`;

/**
 * Everything the summary reads of up to 100 repositories in one query: the default branch's protection (classic rule
 * and the repository and organisation rulesets that apply), the latest release, the community-file folders and the
 * workflows, and the first page of merged PRs with our run on each head. Dependabot's setting is asked for apart
 * (`vulnerabilityAlerts`): a field the app may not see would otherwise null the whole repository. The organisation's
 * `.github` repository (its default community files) comes with the first batch that succeeds.
 */
export function repositoriesQuery(appId: number | undefined): string {
  const appIdDefinition = appIdVariable(appId) ? `, ${appIdVariable(appId)!.definitions}` : "";
  return `query SdlcGuardOrgRepositories($ids: [ID!]!, $org: String!, $withDefaults: Boolean!${appIdDefinition}) {
  nodes(ids: $ids) {
    ... on Repository {
      defaultBranchRef {
        name
        ${BRANCH_RULES_SELECTION}
      }
      latestRelease { tagName publishedAt }
      ${COMMUNITY_FOLDERS}
      workflows: object(expression: "HEAD:.github/workflows") { ${TREE} }
      ownConfig: object(expression: "HEAD:${CONFIG_PATH}") { ... on Blob { text isTruncated } }
      ${mergedPullsConnection(FIRST_PULLS_PAGE, appId)}
    }
  }
  vulnerabilityAlerts: nodes(ids: $ids) { ... on Repository { hasVulnerabilityAlertsEnabled } }
  orgDefaults: repository(owner: $org, name: ".github") @include(if: $withDefaults) {
    isPrivate
    ${COMMUNITY_FOLDERS}
  }
}`;
}

/** GraphQL points of one query about `repositories` repositories (GitHub: connections asked for / 100, at least 1). */
export function repositoriesQueryCost(repositories: number, appId: number | undefined): number {
  // The two nodes lists, then per repository: its branch's rules (each with its ruleset's bypass list: 100 more), the
  // classic rule's two bypass allowance lists, and its merged PRs (with their commits, suites and runs).
  return Math.max(1, Math.ceil((2 + repositories * (1 + 100 + 2) + mergedPullsCost(repositories, FIRST_PULLS_PAGE, appId)) / 100));
}

type GqlFolder = { entries?: { name: string; type: string }[] | null } | null;
interface GqlRepository {
  defaultBranchRef: ({ name: string } & GqlBranchRules) | null;
  latestRelease: { tagName: string; publishedAt: string | null } | null;
  root: GqlFolder;
  dotGithub: GqlFolder;
  docs: GqlFolder;
  workflows: GqlFolder;
  ownConfig: { text?: string | null; isTruncated?: boolean } | null;
  pullRequests: GqlPage<GqlMergedPull> | null;
}
interface GqlRepositoriesAnswer {
  nodes: (Partial<GqlRepository> | null)[] | null;
  vulnerabilityAlerts: ({ hasVulnerabilityAlertsEnabled?: boolean } | null)[] | null;
  orgDefaults?: ({ isPrivate: boolean } & Pick<GqlRepository, "root" | "dotGithub" | "docs">) | null;
}

/** What GraphQL says of one repository; each part unavailable on its own when GitHub could not give it. */
export interface RepositoryDetails {
  /** null: an empty repository; undefined: not known (the branch could not be read). */
  defaultBranch: string | null | undefined;
  protection: Fetched<{ classic: ClassicProtection | null; rules: RulesetRule[] }>;
  dependabotEnabled: Fetched<boolean>;
  files: Fetched<RepositoryFiles>;
  /** File names in `.github/workflows`. */
  workflows: Fetched<string[]>;
  /** The repository's own `.github/sdlc-guard.yml` (null: none, so the organisation's applies). */
  configText: Fetched<string | null>;
  latestRelease: Fetched<{ tagName: string; publishedAt: string | null } | null>;
  /** The first page's PRs merged in the period. */
  mergedPullRequests: Fetched<MergedPullRequest[]>;
  /** Set when later pages may hold more PRs merged in the period. */
  morePullsAfter?: string;
}

/** The organisation's default community files; null when it has no public `.github` repository. */
export type OrgDefaultFiles = Fetched<RepositoryFiles | null>;

/** The parts of a repository's answer an error can be pinned to (by the field its path names). */
const PART_OF_FIELD: Record<string, Part> = {
  defaultBranchRef: "protection",
  latestRelease: "latestRelease",
  root: "files",
  dotGithub: "files",
  docs: "files",
  workflows: "workflows",
  ownConfig: "configText",
  pullRequests: "mergedPullRequests",
};
type Part = "protection" | "latestRelease" | "files" | "workflows" | "configText" | "mergedPullRequests";

/**
 * Reads the repositories (their REST `node_id`s) `perQuery` per query. An error on one repository makes only its
 * affected parts unavailable; a query that fails as a whole makes its repositories' parts unavailable; either way the
 * other batches are still read.
 */
export async function readRepositoryDetails(
  octokit: GitHubClient,
  budget: RateBudget,
  org: string,
  ids: string[],
  options: { appId: number | undefined; period: Period; perQuery: number; onBatch?: (done: number) => void },
): Promise<{ details: Map<string, RepositoryDetails>; defaults: OrgDefaultFiles }> {
  const details = new Map<string, RepositoryDetails>();
  let defaults: OrgDefaultFiles = fetched(null); // no repository to read: no defaults needed
  let defaultsRead = false;
  const query = repositoriesQuery(options.appId);
  for (let start = 0; start < ids.length; start += options.perQuery) {
    const batch = ids.slice(start, start + options.perQuery);
    // Asked again with the next batch when the query that asked for it failed.
    const withDefaults = !defaultsRead;
    await budget.spend("graphql", repositoriesQueryCost(batch.length, options.appId));
    const outcome = await graphqlPartial<GqlRepositoriesAnswer>(octokit, query, {
      ids: batch,
      org,
      withDefaults,
      ...appIdVariable(options.appId)?.values,
    });
    if (!outcome.ok) {
      batch.forEach((id) => details.set(id, unreadable(outcome.error)));
      if (withDefaults) defaults = unavailable(`the organisation's .github repository: ${outcome.error}`);
    } else {
      defaultsRead = true;
      const { data, errors } = outcome;
      batch.forEach((id, i) => details.set(id, repositoryDetails(data, errors, i, options.period, options.appId)));
      if (withDefaults) defaults = orgDefaultsOf(data, errors);
    }
    options.onBatch?.(Math.min(ids.length, start + batch.length));
  }
  return { details, defaults };
}

function unreadable(error: string): RepositoryDetails {
  const failed = unavailable<never>(error);
  return {
    defaultBranch: undefined,
    protection: failed,
    dependabotEnabled: failed,
    files: failed,
    workflows: failed,
    configText: failed,
    latestRelease: failed,
    mergedPullRequests: failed,
  };
}

function repositoryDetails(
  data: GqlRepositoriesAnswer,
  allErrors: GqlFieldError[],
  index: number,
  period: Period,
  appId: number | undefined,
): RepositoryDetails {
  const node = data.nodes?.[index];
  // Errors on this repository, by part (`all`: the repository itself, or a field not pinned to one part).
  const byPart = new Map<Part | "all", GqlFieldError[]>();
  for (const error of allErrors) {
    const [list, i, field] = error.path ?? [];
    if (list !== "nodes" || i !== index) continue;
    const part = (typeof field === "string" && PART_OF_FIELD[field]) || "all";
    byPart.set(part, [...(byPart.get(part) ?? []), error]);
  }
  // An error with no path, or one on a whole list, cannot be pinned to one repository: it counts against every one.
  const unpinned = allErrors.filter((e) => !isPinned(e));
  const whole = [...(byPart.get("all") ?? []), ...unpinned];
  const dependabotEnabled = dependabotOf(data, allErrors, index);
  if (!node || whole.length) {
    const why = whole.length ? describeFieldErrors(whole) : "GitHub returned nothing for the repository";
    return { ...unreadable(why), dependabotEnabled: unpinned.length ? unavailable(why) : dependabotEnabled };
  }
  const part = <T>(name: Part, read: () => Fetched<T>): Fetched<T> => {
    const errors = byPart.get(name);
    return errors ? unavailable(describeFieldErrors(errors)) : read();
  };

  const ref = node.defaultBranchRef ?? null;
  const branchName = ref ? `the default branch ${ref.name}` : "";
  const protection = part("protection", () => {
    if (!ref) return fetched({ classic: null, rules: [] }); // an empty repository: nothing to protect yet
    const rules = toRulesetRules(ref.rules, branchName, appId);
    return mapFetched(rules, (value) => ({ classic: toClassicProtection(ref.branchProtectionRule, appId), rules: value }));
  });
  const firstPulls = part("mergedPullRequests", (): Fetched<ReturnType<typeof mergedPullsOf>> =>
    node.pullRequests ? fetched(mergedPullsOf(node.pullRequests, period)) : unavailable("GitHub did not return the merged pull requests"),
  );
  return {
    defaultBranch: byPart.has("protection") ? undefined : (ref?.name ?? null),
    protection,
    dependabotEnabled,
    files: part("files", () => fetched(findCommunityFiles(foldersOf(node)))),
    workflows: part("workflows", () => fetched(namesIn(node.workflows ?? null) ?? [])),
    configText: part("configText", () =>
      node.ownConfig?.isTruncated
        ? unavailable(`its ${CONFIG_PATH} is too large for GitHub to return`)
        : fetched(node.ownConfig?.text ?? null),
    ),
    latestRelease: part("latestRelease", () => fetched(node.latestRelease ?? null)),
    mergedPullRequests: mapFetched(firstPulls, (first) => first.pulls),
    morePullsAfter: firstPulls.ok ? firstPulls.value.nextAfter : undefined,
  };
}

/** Whether an error names one repository of the answer's lists, or the organisation's `.github` repository. */
const isPinned = ({ path = [] }: GqlFieldError): boolean =>
  path[0] === "orgDefaults" || ((path[0] === "nodes" || path[0] === "vulnerabilityAlerts") && typeof path[1] === "number");

function dependabotOf(data: GqlRepositoriesAnswer, errors: GqlFieldError[], index: number): Fetched<boolean> {
  const mine = errors.filter((e) => e.path?.[0] === "vulnerabilityAlerts" && e.path[1] === index);
  if (mine.length) return unavailable(describeFieldErrors(mine));
  const enabled = data.vulnerabilityAlerts?.[index]?.hasVulnerabilityAlertsEnabled;
  return typeof enabled === "boolean" ? fetched(enabled) : unavailable("GitHub did not say whether Dependabot alerts are enabled");
}

function orgDefaultsOf(data: GqlRepositoriesAnswer, errors: GqlFieldError[]): OrgDefaultFiles {
  const mine = errors.filter((e) => e.path?.[0] === "orgDefaults");
  // No `.github` repository (or one the app cannot see) is GitHub's NOT_FOUND: no defaults, as for the users.
  if (mine.some((e) => e.type !== "NOT_FOUND")) return unavailable(`the organisation's .github repository: ${describeFieldErrors(mine)}`);
  const repo = data.orgDefaults;
  // GitHub uses the defaults of a public `.github` repository only.
  if (!repo || repo.isPrivate) return fetched(null);
  return fetched(findCommunityFiles(foldersOf(repo)));
}

const foldersOf = (node: Partial<Pick<GqlRepository, "root" | "dotGithub" | "docs">>): CommunityFolders => ({
  github: namesIn(node.dotGithub ?? null),
  root: namesIn(node.root ?? null),
  docs: namesIn(node.docs ?? null),
});

/** The file names in a folder; null when there is no such folder (or the path is a file). */
function namesIn(folder: GqlFolder): string[] | null {
  if (!folder?.entries) return null;
  return folder.entries.filter((e) => e.type === "blob").map((e) => e.name);
}
