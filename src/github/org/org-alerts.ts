import { fetched, unavailable, type Fetched } from "../../facts/fetched.js";
import { describeGitHubError, httpStatus } from "../../common/describe-error.js";
import { readAllPages } from "./org-rest-pages.js";
import { RateLimitExhaustedError, type RateBudget } from "../transport/rate-budget.js";
import { listOrgOpenSecretAlerts } from "../refs/secret-scanning-state.js";
import type { GitHubClient } from "../types.js";
import { grantedPermission } from "../transport/granted-permission.js";
import { CODE_SECURITY_CONFIGURATIONS_GRANT, missingOptionalPermission } from "../permissions/app-permissions.js";

/** What the organisation's alert lists say, by lower-case repository name; a list that could not be read is unavailable. */
export interface OrgAlerts {
  /** Open secret-scanning alerts (provider and generic patterns). */
  secretAlerts: Fetched<Map<string, number>>;
  /** Open Dependabot alerts of critical and high severity. */
  dependabotAlerts: Fetched<Map<string, { critical: number; high: number }>>;
  /** Repositories with open code-scanning alerts (so code scanning is set up). */
  codeScanningAlerts: Fetched<Set<string>>;
  /** Repositories whose code security configuration enables code scanning default setup, with how. */
  defaultSetup: Fetched<Map<string, string>>;
}

interface WithRepository {
  repository?: { name?: string } | null;
}
type DependabotAlert = WithRepository & {
  security_advisory?: { severity?: string } | null;
  security_vulnerability?: { severity?: string } | null;
};
interface Configuration {
  id: number;
  name: string;
  code_scanning_default_setup?: string;
}

/** The four alert sources, read concurrently; `onRead` hears each one that is done (out of `ORG_ALERT_SOURCES`). */
export const ORG_ALERT_SOURCES = 4;

export async function readOrgAlerts(octokit: GitHubClient, budget: RateBudget, org: string, onRead?: () => void): Promise<OrgAlerts> {
  const all = <T>(route: string, parameters: Record<string, unknown>) =>
    readAllPages<T>(octokit, budget, route, { org, per_page: 100, ...parameters });
  const source = async <T>(what: string, permission: string, read: () => Promise<T>): Promise<Fetched<T>> => {
    try {
      return fetched(await read());
    } catch (error) {
      if (error instanceof RateLimitExhaustedError) throw error;
      const status = httpStatus(error);
      const hint = status === 403 || status === 404 ? ` (the feature is off for the organisation, or the app lacks ${permission})` : "";
      return unavailable(`${what}: ${describeGitHubError(error)}${hint}`);
    }
  };

  const secretAlerts = source("the organisation's secret-scanning alerts", "Secret scanning alerts (read)", async () =>
    countByRepository(
      await listOrgOpenSecretAlerts(octokit, org, budget), // as `secret-scanning` reads them, by cursor
      () => 1,
      0,
      (a, b) => a + b,
    ),
  );
  const dependabotAlerts = source("the organisation's Dependabot alerts", "Dependabot alerts (read)", async () => {
    const alerts = await all<DependabotAlert>("GET /orgs/{org}/dependabot/alerts", { state: "open", severity: "critical,high" });
    return countByRepository(alerts, severityCount, { critical: 0, high: 0 }, (a, b) => ({
      critical: a.critical + b.critical,
      high: a.high + b.high,
    }));
  });
  const codeScanningAlerts = source("the organisation's code-scanning alerts", "Code scanning alerts (read)", async () => {
    const alerts = await all<WithRepository>("GET /orgs/{org}/code-scanning/alerts", { state: "open" });
    return new Set(alerts.flatMap((alert) => (alert.repository?.name ? [alert.repository.name.toLowerCase()] : [])));
  });
  const defaultSetup = readDefaultSetup(all, source, () => grantedPermission(octokit, CODE_SECURITY_CONFIGURATIONS_GRANT.permission));
  const heard = <T>(read: Promise<T>) => read.finally(() => onRead?.());
  const [secret, dependabot, codeScanning, setUp] = await Promise.all([
    heard(secretAlerts),
    heard(dependabotAlerts),
    heard(codeScanningAlerts),
    heard(defaultSetup),
  ]);
  return { secretAlerts: secret, dependabotAlerts: dependabot, codeScanningAlerts: codeScanning, defaultSetup: setUp };
}

/** GitHub already filtered the list to critical and high: every alert counts; one without a severity counts as high. */
const severityCount = (alert: DependabotAlert) => {
  const severity = alert.security_advisory?.severity ?? alert.security_vulnerability?.severity;
  return severity === "critical" ? { critical: 1, high: 0 } : { critical: 0, high: 1 };
};

type ReadAll = <T>(route: string, parameters: Record<string, unknown>) => Promise<T[]>;
type Source = <T>(what: string, permission: string, read: () => Promise<T>) => Promise<Fetched<T>>;

/** Repositories attached to a configuration that turns code scanning default setup on. */
async function readDefaultSetup(
  all: ReadAll,
  source: Source,
  granted: () => Promise<string | undefined>,
): Promise<Fetched<Map<string, string>>> {
  const permission = "Organization administration (write)";
  const what = "the organisation's code security configurations";
  let refusal: unknown;
  const configurations = await source(what, permission, () =>
    all<Configuration>("GET /orgs/{org}/code-security/configurations", {}).catch((error: unknown) => {
      refusal = error;
      throw error;
    }),
  );
  if (!configurations.ok) {
    // An optional permission (app.yml asks read; GitHub wants write): name it, rather than "not accessible".
    const status = httpStatus(refusal);
    const access = status === 403 || status === 404 ? await granted() : "write";
    // Not known (a personal token): GitHub's answer stays, with the hint naming the permission.
    if (access === undefined || access === "write") return configurations;
    return unavailable(`${what}: ${missingOptionalPermission(CODE_SECURITY_CONFIGURATIONS_GRANT, access)}`);
  }
  const setUp = new Map<string, string>();
  for (const configuration of configurations.value.filter((c) => c.code_scanning_default_setup === "enabled")) {
    const attached = await source(`the repositories of code security configuration ${configuration.name}`, permission, () =>
      // `enforced` is attached too (and the repository cannot detach it).
      all<WithRepository>("GET /orgs/{org}/code-security/configurations/{configuration_id}/repositories", {
        configuration_id: configuration.id,
        status: "attached,enforced",
      }),
    );
    if (!attached.ok) return attached;
    for (const { repository } of attached.value) {
      const name = repository?.name?.toLowerCase();
      if (name && !setUp.has(name)) setUp.set(name, `default setup (configuration ${configuration.name})`);
    }
  }
  return fetched(setUp);
}

function countByRepository<A extends WithRepository, C>(
  alerts: A[],
  count: (alert: A) => C,
  zero: C,
  add: (a: C, b: C) => C,
): Map<string, C> {
  const counts = new Map<string, C>();
  for (const alert of alerts) {
    const name = alert.repository?.name?.toLowerCase();
    if (name) counts.set(name, add(counts.get(name) ?? zero, count(alert)));
  }
  return counts;
}
