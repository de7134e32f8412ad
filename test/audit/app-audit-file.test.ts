import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GitHubWorld } from "../../sim/github-world.js";
import { compliantPullRequest, compliantRepo } from "../../sim/scenarios.js";
import { pullRequestEvent } from "../../sim/webhook-payloads.js";
import { closeAuditFile, flushAuditFile } from "../../src/audit/audit-log.js";
import { verifyAuditFile } from "../../src/audit/hash-chain.js";
import { mockGitHub } from "../support/github-mock.js";
import { createTestApp } from "../support/test-app.js";

describe("the app's audit file (AUDIT_LOG_PATH)", () => {
  const dir = mkdtempSync(join(tmpdir(), "sdlc-guard-audit-"));
  afterEach(() => closeAuditFile());
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("each evaluation appends one hash-chained record with its delivery id, PR, conclusion and per-control results", async () => {
    const path = join(dir, "audit.jsonl");
    const world = new GitHubWorld();
    const repo = compliantRepo(world);
    const pr = compliantPullRequest(world, repo, 1);
    mockGitHub(world)
      .expectToken()
      .expectEvaluation("acme", "payments")
      .expectEvaluation("acme", "payments", { cached: true, write: "none" }); // the same result: evaluated, not written
    const app = createTestApp(world, { auditLogPath: path });
    const event = pullRequestEvent(world, repo, pr, "opened");
    await app.receive({ id: "delivery-1", name: "pull_request", payload: event.payload } as Parameters<typeof app.receive>[0]);
    await app.receive({
      id: "delivery-2",
      name: "pull_request",
      payload: pullRequestEvent(world, repo, pr, "edited").payload,
    } as Parameters<typeof app.receive>[0]);
    await flushAuditFile();

    const records = readFileSync(path, "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(records.map((r) => [r.seq, r.action, r.delivery_id, r.pull_request, r.conclusion])).toEqual([
      [1, "pull_request.evaluated", "delivery-1", 1, "success"],
      [2, "pull_request.evaluated", "delivery-2", 1, "success"],
    ]);
    expect(records[0]).toMatchObject({
      audit: true,
      repository: "acme/payments",
      head_sha: pr.headSha,
      controls: { reviews: "required:pass", jira: "required:pass" },
      check_run_written: true,
    });
    // The second evaluation is recorded although the run already showed its result and was not written again.
    expect(records[1]).toMatchObject({ check_run_id: records[0]!.check_run_id, check_run_written: false });
    expect(await verifyAuditFile(path)).toMatchObject({ ok: true, records: 2 });
  });
});
