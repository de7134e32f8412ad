import { pino, type Logger } from "pino";
import { audit, onAudit } from "../../src/audit/audit-log.js";
import { hardenRequests, observeRequests, type ObservedRequest } from "../../src/github/transport/harden-requests.js";
import type { GitHubClient } from "../../src/github/types.js";
import { routeLabel, routeTemplate } from "../../src/operations/github-route.js";
import { countAuditRecord, countGitHubRequest, installationOf, metricsRegistry, setQueueDepth } from "../../src/operations/metrics.js";

const silent = pino({ level: "silent" }) as Logger;

async function value(name: string, labels: Record<string, string> = {}): Promise<number | undefined> {
  const metric = (await metricsRegistry.getMetricsAsJSON()).find((m) => m.name === name);
  const found = (metric?.values as { value: number; labels: Record<string, string | number> }[] | undefined)?.find((v) =>
    Object.entries(labels).every(([k, want]) => String(v.labels[k]) === want),
  );
  return found?.value;
}

beforeEach(() => metricsRegistry.resetMetrics());

describe("route labels", () => {
  it.each([
    ["GET", "/repos/{owner}/{repo}/pulls", "GET /repos/{owner}/{repo}/pulls"],
    ["post", "/graphql", "POST /graphql"],
    ["GET", "/repos/{owner}/{repo}/contents/{path}{?ref}", "GET /repos/{owner}/{repo}/contents/{path}"],
    ["GET", "/rate_limit", "GET /rate_limit"],
    // Next pages come as full URLs from the Link header: ids and names never reach a label.
    ["GET", "https://api.github.com/repositories/123456/pulls?state=open&per_page=100&page=2", "GET /repositories/{id}/pulls"],
    [
      "GET",
      "https://github.acme.internal/api/v3/repos/acme/payments/issues/7/comments?page=3",
      "GET /repos/{name}/{name}/issues/{id}/comments",
    ],
    ["POST", "http://127.0.0.1:3000/api/graphql", "POST /graphql"],
    ["GET", "/orgs/acme-secret-project/teams/payments-admins/members", "GET /orgs/{name}/teams/{name}/members"],
    ["GET", "/repos/{owner}/{repo}/contents/.github%2Fsdlc-guard.yml", "GET /repos/{owner}/{repo}/contents/{name}"],
    ["WEIRD METHOD", "/x", "OTHER /{name}"],
  ])("%s %s → %s", (method, url, label) => {
    expect(routeLabel(method, url)).toBe(label);
  });

  it("keeps labels short", () => {
    expect(routeTemplate(`/${"a/".repeat(500)}`).length).toBeLessThanOrEqual(200);
  });
});

describe("counting audit records", () => {
  it("counts each kind of written evaluation by conclusion, and failing controls (fail or error) by id", async () => {
    countAuditRecord({
      action: "pull_request.evaluated",
      conclusion: "failure",
      controls: {
        reviews: "required:fail",
        jira: "advisory:error",
        description: "required:pass",
        "secret-scanning": "off:pass",
        waivable: "required:waived",
      },
    });
    countAuditRecord({ action: "push.evaluated", conclusion: "failure", controls: { "direct-push": "required:fail" } });
    countAuditRecord({ action: "tag.evaluated", conclusion: "success", controls: {} });
    countAuditRecord({ action: "release.evaluated", conclusion: "neutral" });
    countAuditRecord({ action: "merge_group.evaluated", conclusion: "success" });
    countAuditRecord({ action: "deployment.reviewed", decision: "rejected" });

    expect(await value("sdlc_guard_evaluations_total", { kind: "pull_request", conclusion: "failure" })).toBe(1);
    expect(await value("sdlc_guard_evaluations_total", { kind: "push", conclusion: "failure" })).toBe(1);
    expect(await value("sdlc_guard_evaluations_total", { kind: "tag", conclusion: "success" })).toBe(1);
    expect(await value("sdlc_guard_evaluations_total", { kind: "release", conclusion: "neutral" })).toBe(1);
    expect(await value("sdlc_guard_evaluations_total", { kind: "merge_group", conclusion: "success" })).toBe(1);
    expect(await value("sdlc_guard_evaluations_total", { kind: "deployment", conclusion: "rejected" })).toBe(1);
    expect(await value("sdlc_guard_control_failures_total", { control: "reviews" })).toBe(1);
    expect(await value("sdlc_guard_control_failures_total", { control: "jira" })).toBe(1);
    expect(await value("sdlc_guard_control_failures_total", { control: "direct-push" })).toBe(1);
    expect(await value("sdlc_guard_control_failures_total", { control: "description" })).toBeUndefined();
    expect(await value("sdlc_guard_control_failures_total", { control: "waivable" })).toBeUndefined();
  });

  it("ignores dry runs and other records, and keeps odd values out of the labels", async () => {
    countAuditRecord({ action: "pull_request.dry_run", conclusion: "success" });
    countAuditRecord({ action: "waiver.applied", conclusion: "success" });
    countAuditRecord({ action: "pull_request.evaluated", conclusion: 'x"}\nevil 1', controls: "not an object" });
    countAuditRecord({ action: "pull_request.evaluated", controls: { ["a".repeat(100)]: "required:fail" } });

    const text = await metricsRegistry.metrics();
    expect(text).not.toContain("evil");
    expect(await value("sdlc_guard_evaluations_total", { kind: "pull_request", conclusion: "other" })).toBe(1);
    expect(await value("sdlc_guard_evaluations_total", { kind: "pull_request", conclusion: "unknown" })).toBe(1);
    expect(await value("sdlc_guard_control_failures_total", { control: "other" })).toBe(1);
  });

  it("audit() tells its listeners every record; a throwing listener is ignored; listeners can stop", () => {
    const seen: unknown[] = [];
    const stopThrowing = onAudit(() => {
      throw new Error("broken listener");
    });
    const stop = onAudit((record) => seen.push(record));
    audit(silent, "push.evaluated", { conclusion: "success", delivery_id: "d-7" }, "done");
    stop();
    stopThrowing();
    audit(silent, "push.evaluated", { conclusion: "success" }, "not seen");
    expect(seen).toEqual([{ audit: true, action: "push.evaluated", delivery_id: "d-7", conclusion: "success" }]);
  });
});

describe("counting GitHub requests", () => {
  const appOctokit = { auth: async () => Promise.reject(new Error("installationId option is required")) } as unknown as GitHubClient;
  const installationOctokit = {
    auth: async () => ({ type: "token", tokenType: "installation", installationId: 77 }),
  } as unknown as GitHubClient;

  it("by route template and status, with what GitHub said of the rate limit per installation and resource", async () => {
    const request = (over: Partial<ObservedRequest>): ObservedRequest => ({
      octokit: installationOctokit,
      method: "GET",
      url: "/repos/{owner}/{repo}",
      status: 200,
      timedOut: false,
      headers: undefined,
      ...over,
    });
    countGitHubRequest(request({ headers: { "x-ratelimit-remaining": "4990", "x-ratelimit-resource": "core" } }));
    countGitHubRequest(
      request({ method: "POST", url: "/graphql", headers: { "x-ratelimit-remaining": "4999", "x-ratelimit-resource": "graphql" } }),
    );
    countGitHubRequest(request({ status: 404 }));
    countGitHubRequest(request({ status: undefined, timedOut: true }));
    countGitHubRequest(request({ status: undefined }));
    countGitHubRequest(
      request({ octokit: appOctokit, method: "GET", url: "/app/installations", headers: { "x-ratelimit-remaining": "4900" } }),
    );
    await new Promise((resolve) => setImmediate(resolve));

    expect(await value("sdlc_guard_github_requests_total", { route: "GET /repos/{owner}/{repo}", status: "200" })).toBe(1);
    expect(await value("sdlc_guard_github_requests_total", { route: "GET /repos/{owner}/{repo}", status: "404" })).toBe(1);
    expect(await value("sdlc_guard_github_requests_total", { route: "GET /repos/{owner}/{repo}", status: "timeout" })).toBe(1);
    expect(await value("sdlc_guard_github_requests_total", { route: "GET /repos/{owner}/{repo}", status: "error" })).toBe(1);
    expect(await value("sdlc_guard_github_requests_total", { route: "POST /graphql", status: "200" })).toBe(1);
    expect(await value("sdlc_guard_rate_limit_remaining", { installation: "77", resource: "core" })).toBe(4990);
    expect(await value("sdlc_guard_rate_limit_remaining", { installation: "77", resource: "graphql" })).toBe(4999);
    expect(await value("sdlc_guard_rate_limit_remaining", { installation: "app", resource: "core" })).toBe(4900);
  });

  it("asks an Octokit's auth for its installation once", async () => {
    let asked = 0;
    const octokit = { auth: async () => (asked++, { installationId: 12 }) } as unknown as GitHubClient;
    expect(await installationOf(octokit)).toBe("12");
    expect(await installationOf(octokit)).toBe("12");
    expect(asked).toBe(1);
    expect(await installationOf(appOctokit)).toBe("app");
  });

  it("hardenRequests tells its observers each attempt, answered or not, and returns the answer untouched", async () => {
    let hook: ((request: (o: object) => Promise<unknown>, options: Record<string, unknown>) => Promise<unknown>) | undefined;
    const octokit = { hook: { wrap: (_name: string, fn: typeof hook) => (hook = fn) } } as unknown as GitHubClient;
    hardenRequests(octokit, { timeoutMs: 1_000, secondaryRateLimitRetries: 0, maxRetryAfterSeconds: 0 });
    const seen: Omit<ObservedRequest, "octokit">[] = [];
    const stop = observeRequests(({ octokit: _o, ...rest }) => seen.push(rest));
    const throwing = observeRequests(() => {
      throw new Error("broken observer");
    });

    const answer = { status: 200, headers: { "x-ratelimit-remaining": "1" }, data: { ok: true } };
    await expect(hook!(async () => answer, { method: "GET", url: "/repos/{owner}/{repo}" })).resolves.toBe(answer);
    const failure = Object.assign(new Error("Not Found"), { status: 404, response: { headers: { "x-ratelimit-remaining": "0" } } });
    await expect(
      hook!(async () => Promise.reject(failure), { method: "GET", url: "/repos/{owner}/{repo}/pulls/{pull_number}" }),
    ).rejects.toBe(failure);
    await new Promise((resolve) => setImmediate(resolve));
    stop();
    throwing();

    expect(seen).toEqual([
      { method: "GET", url: "/repos/{owner}/{repo}", status: 200, timedOut: false, headers: { "x-ratelimit-remaining": "1" } },
      {
        method: "GET",
        url: "/repos/{owner}/{repo}/pulls/{pull_number}",
        status: 404,
        timedOut: false,
        headers: { "x-ratelimit-remaining": "0" },
      },
    ]);
  });

  it("the queue depth is whatever a queue last reported; nonsense is ignored", async () => {
    setQueueDepth(3);
    setQueueDepth(-1);
    setQueueDepth(Number.NaN);
    expect(await value("sdlc_guard_queue_depth")).toBe(3);
  });
});
