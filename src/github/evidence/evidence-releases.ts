import type { EvidenceRelease, EvidenceUnreadable } from "../../report/evidence-types.js";
import { pageOf, type GqlPage } from "../transport/graphql-pages.js";
import type { Period } from "../org/org-merged-pulls.js";
import { describeFieldErrors, followPages, graphqlPartial, type NextPage } from "../org/org-node-pages.js";
import type { RateBudget } from "../transport/rate-budget.js";
import type { GitHubClient } from "../types.js";

/** Releases read with each repository, newest created first; a busier repository's later pages are read together. */
const FIRST_RELEASES = 20;
const MORE_RELEASES = 100;
/** Past this many pages of releases created in the period, a repository's list is unreadable rather than partial. */
const MAX_RELEASE_PAGES = 20;

const RELEASE_FIELDS = "tagName name publishedAt createdAt isPrerelease isDraft url";
const releasesConnection = (first: number, afterVariable?: string) =>
  `releases(first: ${first}${afterVariable ? `, after: ${afterVariable}` : ""}, orderBy: { field: CREATED_AT, direction: DESC }) { ${pageOf(RELEASE_FIELDS)} }`;

export const RELEASES_QUERY = `query SdlcGuardEvidenceReleases($ids: [ID!]!) {
  nodes(ids: $ids) { ... on Repository { ${releasesConnection(FIRST_RELEASES)} } }
}`;

/** GraphQL points of one query about `repositories` repositories. */
export const releasesQueryCost = (repositories: number): number => Math.max(1, Math.ceil((1 + repositories) / 100));

interface GqlRelease {
  tagName: string;
  name: string | null;
  publishedAt: string | null;
  createdAt: string;
  isPrerelease: boolean;
  isDraft: boolean;
  url: string;
}

/** A repository to read: its name and GraphQL id. */
export interface RepositoryToRead {
  name: string;
  nodeId: string;
}

/**
 * The releases published in the period, of every repository given, `perQuery` repositories a query (`nodes(ids:)`),
 * never one request per repository. Releases are listed newest created first, and a release is published after it is
 * created, so a repository's pages are read until one reaches a release created before the period. A repository whose
 * releases could not be read (a query or a page that failed, an error on it) is unreadable; the others are still read.
 */
export async function readReleases(
  octokit: GitHubClient,
  budget: RateBudget,
  repositories: RepositoryToRead[],
  options: { org: string; period: Period; perQuery: number; onBatch?: (done: number) => void },
): Promise<{ releases: EvidenceRelease[]; unreadable: EvidenceUnreadable[] }> {
  const { period, perQuery } = options;
  const releases: EvidenceRelease[] = [];
  const unreadable: EvidenceUnreadable[] = [];
  const failed = (repo: RepositoryToRead, why: string) => unreadable.push({ what: `releases of ${options.org}/${repo.name}`, why });
  const more: NextPage[] = [];
  const byId = new Map(repositories.map((r) => [r.nodeId, r]));

  /** Keeps the page's releases published in the period; the cursor of the next page when it may hold more. */
  const take = (repo: RepositoryToRead, page: GqlPage<GqlRelease>): string | undefined => {
    const nodes = page.nodes.filter((n): n is GqlRelease => n !== null);
    for (const r of nodes) {
      if (
        r.isDraft ||
        !r.publishedAt ||
        Date.parse(r.publishedAt) < period.since.getTime() ||
        Date.parse(r.publishedAt) >= period.until.getTime()
      )
        continue;
      releases.push({
        repository: repo.name,
        tag: r.tagName,
        name: r.name,
        publishedAt: r.publishedAt,
        prerelease: r.isPrerelease,
        url: r.url,
      });
    }
    const last = nodes.at(-1);
    const olderMayFollow = last && Date.parse(last.createdAt) >= period.since.getTime();
    return page.pageInfo.hasNextPage && page.pageInfo.endCursor && olderMayFollow ? page.pageInfo.endCursor : undefined;
  };

  for (let start = 0; start < repositories.length; start += perQuery) {
    const batch = repositories.slice(start, start + perQuery);
    await budget.spend("graphql", releasesQueryCost(batch.length));
    const outcome = await graphqlPartial<{ nodes: ({ releases?: GqlPage<GqlRelease> | null } | null)[] | null }>(octokit, RELEASES_QUERY, {
      ids: batch.map((r) => r.nodeId),
    });
    batch.forEach((repo, i) => {
      if (!outcome.ok) return failed(repo, outcome.error);
      // An error on this repository, or one that names no repository (it may concern any of them).
      const errors = outcome.errors.filter((e) => e.path?.[0] !== "nodes" || typeof e.path[1] !== "number" || e.path[1] === i);
      const page = outcome.data.nodes?.[i]?.releases;
      if (errors.length) return failed(repo, describeFieldErrors(errors));
      if (!page) return failed(repo, "GitHub returned nothing for the repository");
      const after = take(repo, page);
      if (after) more.push({ key: repo.nodeId, id: repo.nodeId, after });
    });
    options.onBatch?.(Math.min(repositories.length, start + batch.length));
  }

  if (more.length) {
    const followed = await followPages<GqlRelease>(octokit, budget, more, {
      name: "SdlcGuardEvidenceMoreReleases",
      typeName: "Repository",
      connection: (after) => releasesConnection(MORE_RELEASES, after),
      perQuery,
      cost: releasesQueryCost,
      maxPages: MAX_RELEASE_PAGES,
      what: "releases",
      take: (key, page) => take(byId.get(key)!, page),
    });
    for (const [key, outcome] of followed) if (!outcome.ok) failed(byId.get(key)!, outcome.error);
  }
  return { releases, unreadable };
}
