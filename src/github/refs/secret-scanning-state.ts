import { fetched, unavailable, type Fetched } from "../../facts/fetched.js";
import { type SecretScanningState } from "../../facts/pull-request.js";
import type { TtlCache } from "../../common/ttl-cache.js";
import { describeGitHubError, httpStatus } from "../../common/describe-error.js";
import { repositoryKey, type GitHubClient } from "../types.js";
import { readAllPages, TooManyPagesError } from "../org/org-rest-pages.js";
import type { RateBudget } from "../transport/rate-budget.js";

/**
 * GitHub's non-provider patterns (private keys, connection strings, auth headers) and generic passwords: the alerts
 * endpoint leaves them out unless they are asked for by name, so they are read separately.
 */
export const GENERIC_SECRET_TYPES = [
  "http_basic_authentication_header",
  "http_bearer_authentication_header",
  "mongodb_connection_string",
  "mysql_connection_string",
  "openssh_private_key",
  "pgp_private_key",
  "postgres_connection_string",
  "rsa_private_key",
  "password",
];

const NOT_SHOWN = "GitHub does not show security settings to the app";

/**
 * The organisation's open secret-scanning alerts (both lists) counted by repository id, read once and shared by every
 * repository of the organisation; or why they cannot stand in for a repository's own lists (`cached`: a stable answer,
 * such as the feature being off or too many alerts, kept like a count; a failed read is not kept).
 */
export type OrgSecretAlerts = { listed: true; countsByRepositoryId: ReadonlyMap<number, number> } | { listed: false; reason: string };

/** Past this many pages of one list (100 alerts each), the organisation's lists are not read: repositories read their own. */
export const ORG_ALERT_PAGE_LIMIT = 10;

/** Per repository, the state an evaluation uses; per organisation (lower-case login), its alert lists (the app's state cache). */
export interface SecretScanningCaches {
  secretScanning: TtlCache<SecretScanningState>;
  orgSecretAlerts: TtlCache<OrgSecretAlerts>;
}

/**
 * The repository's secret-scanning state: enabled, open alerts (both lists), push protection. Cached per repository
 * until a `secret_scanning_alert` or `security_and_analysis` event (or the TTL) drops it; only a complete read is
 * cached. A repository seen for the first time reads its own settings (`GET /repos/{owner}/{repo}`: visibility,
 * secret scanning, push protection) and takes its alert count from the organisation's alert lists, read once for every
 * repository of the organisation: one request where its own lists take three. When the settings are hidden from the
 * app or the organisation's lists cannot be used, the repository's own two lists are read, as without a cache.
 */
export async function readSecretScanning(
  octokit: GitHubClient,
  owner: string,
  repo: string,
  caches?: SecretScanningCaches,
): Promise<Fetched<SecretScanningState>> {
  const key = repositoryKey(owner, repo);
  const cached = caches?.secretScanning.get(key);
  if (cached) return fetched(cached);
  const readAt = caches?.secretScanning.generation;
  const [security, org] = await Promise.all([
    readRepositorySecurity(octokit, owner, repo),
    caches ? orgSecretAlerts(octokit, owner, caches.orgSecretAlerts) : undefined,
  ]);
  const derived = org && fromOrgAlerts(security, org);
  const state = derived ?? (await readRepositoryAlerts(octokit, owner, repo, security));
  // A push-protection read that failed is retried next time; "not shown to the app" is a stable answer.
  const complete = state.ok && (state.value.pushProtection.status !== "unknown" || state.value.pushProtection.detail === NOT_SHOWN);
  if (!complete || !caches) return state;
  if (derived === undefined || security.scanning !== "enabled") {
    caches.secretScanning.set(key, state.value, [key], readAt);
  } else {
    // A count taken from the organisation's lists lives no longer than they do in the cache, and is not kept at all
    // when they were not kept (dropped by an event while they were read).
    const notAfter = caches.orgSecretAlerts.expiresAt(owner.toLowerCase());
    if (notAfter !== undefined) caches.secretScanning.set(key, state.value, [key], readAt, notAfter);
  }
  return state;
}

/**
 * The state from the repository's own settings and the organisation's count of its alerts (by id: a renamed repository
 * keeps it), or undefined when they do not tell: settings hidden or unread, or the organisation's lists unusable.
 */
export function fromOrgAlerts(security: RepositorySecurity, org: OrgSecretAlerts): Fetched<SecretScanningState> | undefined {
  const { id, visibility, scanning, pushProtection } = security;
  if (id === undefined || visibility === undefined || (scanning !== "enabled" && scanning !== "disabled")) return undefined;
  if (scanning === "disabled") return fetched({ enabled: false, openAlerts: 0, moreAlerts: false, pushProtection });
  if (!org.listed) return undefined;
  const openAlerts = org.countsByRepositoryId.get(id) ?? 0;
  // A public repository's own alert list answers 404: when the organisation's lists show none of its alerts either,
  // say that they were not counted, as when its own lists are read.
  if (visibility === "public" && openAlerts === 0)
    return fetched({ enabled: true, openAlerts: 0, moreAlerts: false, alertsNotListed: true, pushProtection });
  return fetched({ enabled: true, openAlerts, moreAlerts: false, pushProtection });
}

/** The organisation's lists from the cache, or read once for every repository asking meanwhile. */
function orgSecretAlerts(octokit: GitHubClient, org: string, cache: TtlCache<OrgSecretAlerts>): Promise<OrgSecretAlerts> {
  const key = org.toLowerCase();
  return cache.getOrLoad(key, async (readAt) => {
    const { alerts, stable } = await readOrgSecretAlerts(octokit, org);
    if (stable) cache.set(key, alerts, [], readAt);
    return alerts;
  });
}

/** An alert of the organisation's lists, with the repository it was found in. */
export interface OrgListedAlert {
  repository?: { id?: number; name?: string } | null;
}

/**
 * Both open-alert lists of an organisation: provider patterns, then the generic ones GitHub lists only when named.
 * `hide_secret`: counts are needed, never the leaked values. Paged by cursor (an empty `after` asks for the first
 * cursor page, GitHub's advice for consistent results): by page number, an alert resolved during the read would shift
 * a later one onto a page already read, and that alert would be missed. `budget`: one request spent before each page
 * (the org summary); past `maxPages` pages of one list, `TooManyPagesError`.
 */
export async function listOrgOpenSecretAlerts(
  octokit: GitHubClient,
  org: string,
  budget?: Pick<RateBudget, "spend">,
  maxPages?: number,
): Promise<OrgListedAlert[]> {
  const list = (extra: Record<string, string>) =>
    readAllPages<OrgListedAlert>(
      octokit,
      budget,
      "GET /orgs/{org}/secret-scanning/alerts",
      { org, state: "open", per_page: 100, hide_secret: true, after: "", ...extra },
      undefined,
      maxPages,
    );
  const [provider, generic] = await Promise.all([list({}), list({ secret_type: GENERIC_SECRET_TYPES.join(",") })]);
  return [...provider, ...generic];
}

/**
 * The organisation's alerts counted by repository id. `stable`: worth caching (a count, the feature off or the app
 * not allowed, too many alerts); a server or network error, or a rate limit, is not.
 */
export async function readOrgSecretAlerts(octokit: GitHubClient, org: string): Promise<{ alerts: OrgSecretAlerts; stable: boolean }> {
  try {
    const counts = new Map<number, number>();
    for (const alert of await listOrgOpenSecretAlerts(octokit, org, undefined, ORG_ALERT_PAGE_LIMIT)) {
      const id = alert.repository?.id;
      // An alert GitHub does not attribute to a repository could be any repository's: the lists cannot be used.
      if (typeof id !== "number")
        return { alerts: { listed: false, reason: "an alert in the organisation's lists names no repository" }, stable: false };
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    return { alerts: { listed: true, countsByRepositoryId: counts }, stable: true };
  } catch (error) {
    if (error instanceof TooManyPagesError) {
      const reason = `the organisation has more than ${ORG_ALERT_PAGE_LIMIT * 100} open alerts in one list`;
      return { alerts: { listed: false, reason }, stable: true };
    }
    const status = httpStatus(error);
    const reason = describeGitHubError(error);
    // 404: not an organisation, or the feature is off for it; 403: the app may not list them. A 403 that is a rate
    // limit says so, and is not kept.
    const refused = status === 404 || (status === 403 && !/rate limit/i.test(reason));
    return { alerts: { listed: false, reason }, stable: refused };
  }
}

/** The repository's own two alert lists, with its settings already read (no organisation count to use). */
async function readRepositoryAlerts(
  octokit: GitHubClient,
  owner: string,
  repo: string,
  security: RepositorySecurity,
): Promise<Fetched<SecretScanningState>> {
  // hide_secret: the app needs counts, never the leaked values themselves.
  const list = (extra: Record<string, string>) =>
    octokit.rest.secretScanning.listAlertsForRepo({ owner, repo, state: "open", per_page: 100, hide_secret: true, ...extra } as Parameters<
      typeof octokit.rest.secretScanning.listAlertsForRepo
    >[0]);
  try {
    const pages = await Promise.all([list({}), list({ secret_type: GENERIC_SECRET_TYPES.join(",") })]);
    const moreAlerts = pages.some((page) => /rel="next"/.test(page.headers.link ?? ""));
    return fetched({
      enabled: true,
      openAlerts: pages.reduce((sum, page) => sum + page.data.length, 0),
      moreAlerts,
      pushProtection: security.pushProtection,
    });
  } catch (error) {
    if (httpStatus(error) !== 404) return unavailable(describeGitHubError(error));
    return fromNotFound(security);
  }
}

/**
 * GitHub answers 404 on the alerts both when secret scanning is disabled and when the repository is public (its OpenAPI
 * description): the repository's visibility and `security_and_analysis` tell the two apart, or the state is unknown.
 */
export function fromNotFound({ visibility, scanning, pushProtection, error }: RepositorySecurity): Fetched<SecretScanningState> {
  const disabled = fetched<SecretScanningState>({ enabled: false, openAlerts: 0, moreAlerts: false, pushProtection });
  if (visibility === undefined)
    return unavailable(
      `GitHub answered 404 on the alerts (a public repository or scanning disabled) and the repository could not be read to tell which, so whether secret scanning is enabled cannot be told (${error ?? NOT_SHOWN})`,
    );
  if (visibility !== "public") return disabled;
  if (scanning === "disabled") return disabled;
  if (scanning === "enabled") return fetched({ enabled: true, openAlerts: 0, moreAlerts: false, alertsNotListed: true, pushProtection });
  return unavailable(
    `GitHub answers 404 on the alerts of a public repository and ${NOT_SHOWN.replace(/^GitHub /, "")}, so whether secret scanning is enabled cannot be told`,
  );
}

/** What the repository itself says: visibility, secret scanning and push protection (only in REST `security_and_analysis`). */
export interface RepositorySecurity {
  /** Undefined when the repository could not be read. */
  id?: number;
  visibility?: string;
  scanning?: string;
  /** Advisory, so a failed read is reported, never fatal. */
  pushProtection: SecretScanningState["pushProtection"];
  error?: string;
}

async function readRepositorySecurity(octokit: GitHubClient, owner: string, repo: string): Promise<RepositorySecurity> {
  try {
    const { data } = await octokit.rest.repos.get({ owner, repo });
    const status = data.security_and_analysis?.secret_scanning_push_protection?.status;
    return {
      id: data.id,
      visibility: data.visibility ?? (data.private ? "private" : "public"),
      scanning: data.security_and_analysis?.secret_scanning?.status,
      pushProtection: status ? { status } : { status: "unknown", detail: NOT_SHOWN },
    };
  } catch (error) {
    const detail = describeGitHubError(error);
    return { pushProtection: { status: "unknown", detail }, error: detail };
  }
}
