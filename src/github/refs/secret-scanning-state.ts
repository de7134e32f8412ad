import { fetched, unavailable, type Fetched } from "../../facts/fetched.js";
import { type SecretScanningState } from "../../facts/pull-request.js";
import type { TtlCache } from "../../common/ttl-cache.js";
import { describeGitHubError, httpStatus } from "../../common/describe-error.js";
import { repositoryKey, type GitHubClient } from "../types.js";

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
 * The repository's secret-scanning state: enabled, open alerts (both lists), push protection. Three REST reads, so it
 * is cached per repository until a `secret_scanning_alert` or `security_and_analysis` event (or the TTL) drops it;
 * only a complete read is cached.
 */
export async function readSecretScanning(
  octokit: GitHubClient,
  owner: string,
  repo: string,
  cache?: TtlCache<SecretScanningState>,
): Promise<Fetched<SecretScanningState>> {
  const key = repositoryKey(owner, repo);
  const cached = cache?.get(key);
  if (cached) return fetched(cached);
  const readAt = cache?.generation;
  const state = await readFromGitHub(octokit, owner, repo);
  // A push-protection read that failed is retried next time; "not shown to the app" is a stable answer.
  const complete = state.ok && (state.value.pushProtection.status !== "unknown" || state.value.pushProtection.detail === NOT_SHOWN);
  if (complete) cache?.set(key, state.value, [key], readAt);
  return state;
}

async function readFromGitHub(octokit: GitHubClient, owner: string, repo: string): Promise<Fetched<SecretScanningState>> {
  // hide_secret: the app needs counts, never the leaked values themselves.
  const list = (extra: Record<string, string>) =>
    octokit.rest.secretScanning.listAlertsForRepo({ owner, repo, state: "open", per_page: 100, hide_secret: true, ...extra } as Parameters<
      typeof octokit.rest.secretScanning.listAlertsForRepo
    >[0]);
  const security = readRepositorySecurity(octokit, owner, repo);
  try {
    const pages = await Promise.all([list({}), list({ secret_type: GENERIC_SECRET_TYPES.join(",") })]);
    const moreAlerts = pages.some((page) => /rel="next"/.test(page.headers.link ?? ""));
    return fetched({
      enabled: true,
      openAlerts: pages.reduce((sum, page) => sum + page.data.length, 0),
      moreAlerts,
      pushProtection: (await security).pushProtection,
    });
  } catch (error) {
    if (httpStatus(error) !== 404) return unavailable(describeGitHubError(error));
    return fromNotFound(await security);
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
interface RepositorySecurity {
  /** Undefined when the repository could not be read. */
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
      visibility: data.visibility ?? (data.private ? "private" : "public"),
      scanning: data.security_and_analysis?.secret_scanning?.status,
      pushProtection: status ? { status } : { status: "unknown", detail: NOT_SHOWN },
    };
  } catch (error) {
    const detail = describeGitHubError(error);
    return { pushProtection: { status: "unknown", detail }, error: detail };
  }
}
