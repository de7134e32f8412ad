import type { JiraIssue } from "../facts/jira.js";
import { fetched, unavailable, type Fetched } from "../facts/fetched.js";

export interface JiraSettings {
  baseUrl: string;
  email: string;
  apiToken: string;
  timeoutMs: number;
}

export interface JiraClient {
  /** The issue, `null` when Jira says it does not exist; `ok: false` when Jira could not be asked. */
  getIssue(key: string): Promise<Fetched<JiraIssue | null>>;
}

/** Reads `JIRA_BASE_URL` / `JIRA_EMAIL` / `JIRA_API_TOKEN`; no client when any is missing. */
export function jiraSettingsFromEnv(env: NodeJS.ProcessEnv): JiraSettings | undefined {
  const { JIRA_BASE_URL: baseUrl, JIRA_EMAIL: email, JIRA_API_TOKEN: apiToken } = env;
  if (!baseUrl || !email || !apiToken) return undefined;
  const timeoutMs = Number(env.JIRA_TIMEOUT_MS ?? 5000);
  return { baseUrl: baseUrl.replace(/\/+$/, ""), email, apiToken, timeoutMs: timeoutMs > 0 ? timeoutMs : 5000 };
}

export function createJiraClient(settings: JiraSettings): JiraClient {
  const authorization = `Basic ${Buffer.from(`${settings.email}:${settings.apiToken}`).toString("base64")}`;
  return {
    async getIssue(key) {
      const url = `${settings.baseUrl}/rest/api/3/issue/${encodeURIComponent(key)}?fields=status`;
      let response: Response;
      try {
        response = await fetch(url, {
          headers: { authorization, accept: "application/json" },
          signal: AbortSignal.timeout(settings.timeoutMs),
        });
      } catch (error) {
        const why = (error as Error).name === "TimeoutError" ? `no answer within ${settings.timeoutMs} ms` : (error as Error).message;
        return unavailable(`Jira unreachable (${why})`);
      }
      if (response.status === 404) return fetched(null);
      if (response.status === 401 || response.status === 403) {
        return unavailable(`Jira refused the credentials (HTTP ${response.status}); check JIRA_EMAIL and JIRA_API_TOKEN`);
      }
      if (!response.ok) return unavailable(`Jira unreachable (HTTP ${response.status})`);
      try {
        const body = (await response.json()) as { key?: string; fields?: { status?: { name?: string } } };
        return fetched({ key: body.key ?? key, status: body.fields?.status?.name ?? "unknown" });
      } catch {
        return unavailable("Jira unreachable (the answer was not JSON)");
      }
    },
  };
}
