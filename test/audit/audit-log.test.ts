import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { audit, closeAuditFile, configureAuditFile, flushAuditFile, RECORDS_NOT_WRITTEN } from "../../src/audit/audit-log.js";
import { verifyAuditFile } from "../../src/audit/hash-chain.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "sdlc-guard-audit-"));
});
afterEach(async () => {
  await closeAuditFile();
  await rm(dir, { recursive: true, force: true });
});

/** A logger like Probot's `context.log` (bound to the delivery id), and the lines it wrote. */
function deliveryLogger(id = "delivery-1") {
  const lines: Record<string, unknown>[] = [];
  const root = pino({ level: "info" }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  return { log: root.child({ name: "event", id }), lines, root };
}

async function fileRecords(path: string): Promise<Record<string, unknown>[]> {
  return (await readFile(path, "utf8"))
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

const evaluated = (n: number) => ({ repository: "acme/payments", pull_request: n, head_sha: `sha${n}`, conclusion: "success" });

describe("audit()", () => {
  it("writes one log line with audit, action and the delivery id the logger is bound with", () => {
    const { log, lines } = deliveryLogger("d-42");
    audit(log, "pull_request.evaluated", evaluated(7), "sdlc-guard success for acme/payments#7");

    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 30,
      audit: true,
      action: "pull_request.evaluated",
      delivery_id: "d-42",
      repository: "acme/payments",
      pull_request: 7,
      msg: "sdlc-guard success for acme/payments#7",
    });
  });

  it("takes fields.delivery_id when given, null when there is no delivery; audit and action cannot be overridden", () => {
    const { log, lines, root } = deliveryLogger("d-1");
    audit(log, "summary.published", { delivery_id: "d-other", org: "acme" }, "published");
    audit(root, "summary.published", { org: "acme", audit: "summary.published", action: "forged" }, "from the schedule");

    expect(lines[0]).toMatchObject({ delivery_id: "d-other", action: "summary.published" });
    expect(lines[1]).toMatchObject({ audit: true, action: "summary.published", delivery_id: null });
  });

  it("a file written through audit() by several calls verifies OK and each line has audit/action/delivery_id", async () => {
    const path = join(dir, "audit.jsonl");
    configureAuditFile(path);
    const first = deliveryLogger("d-1");
    const second = deliveryLogger("d-2");
    for (let n = 1; n <= 5; n++) audit(n % 2 ? first.log : second.log, "pull_request.evaluated", evaluated(n), `evaluated #${n}`);
    audit(
      second.log,
      "deployment.reviewed",
      { repository: "acme/payments", environment: "production", decision: "approved" },
      "deployment approved",
    );
    await flushAuditFile();

    const records = await fileRecords(path);
    expect(records.map((r) => [r.seq, r.action, r.delivery_id, r.pull_request])).toEqual([
      [1, "pull_request.evaluated", "d-1", 1],
      [2, "pull_request.evaluated", "d-2", 2],
      [3, "pull_request.evaluated", "d-1", 3],
      [4, "pull_request.evaluated", "d-2", 4],
      [5, "pull_request.evaluated", "d-1", 5],
      [6, "deployment.reviewed", "d-2", undefined],
    ]);
    for (const record of records)
      expect(record).toEqual(
        expect.objectContaining({ audit: true, action: expect.any(String), delivery_id: expect.any(String), msg: expect.any(String) }),
      );
    // The file holds the same record as the log line (plus the chain's seq, at and prev).
    const without = (record: Record<string, unknown>, keys: string[]) =>
      Object.fromEntries(Object.entries(record).filter(([key]) => !keys.includes(key)));
    expect(without(records[0]!, ["seq", "at", "prev"])).toEqual(
      without(first.lines[0]!, ["level", "time", "pid", "hostname", "name", "id"]),
    );
    expect(await verifyAuditFile(path)).toMatchObject({ ok: true, records: 6 });
  });

  it("never waits for the file, and the file keeps the record as it was at the call", async () => {
    const path = join(dir, "audit.jsonl");
    configureAuditFile(path);
    const { log } = deliveryLogger();
    const fields = evaluated(1);
    audit(log, "pull_request.evaluated", fields, "evaluated");
    fields.conclusion = "failure";
    await expect(readFile(path, "utf8")).rejects.toThrow(/ENOENT/); // nothing written yet: the append is queued
    await flushAuditFile();
    expect((await fileRecords(path))[0]).toMatchObject({ conclusion: "success" });
  });

  it("a restart continues the chain", async () => {
    const path = join(dir, "audit.jsonl");
    configureAuditFile(path);
    const { log } = deliveryLogger();
    audit(log, "pull_request.evaluated", evaluated(1), "before the restart");
    audit(log, "pull_request.evaluated", evaluated(2), "before the restart");
    await closeAuditFile();

    configureAuditFile(path); // the next process, same file
    audit(log, "pull_request.evaluated", evaluated(3), "after the restart");
    await flushAuditFile();

    expect((await fileRecords(path)).map((r) => r.seq)).toEqual([1, 2, 3]);
    expect(await verifyAuditFile(path)).toMatchObject({ ok: true, records: 3 });
  });

  it("configuring again lets the previous file finish first, so the chain stays whole", async () => {
    const path = join(dir, "audit.jsonl");
    const { log } = deliveryLogger();
    configureAuditFile(path);
    for (let n = 1; n <= 3; n++) audit(log, "pull_request.evaluated", evaluated(n), "first writer");
    configureAuditFile(path);
    for (let n = 4; n <= 6; n++) audit(log, "pull_request.evaluated", evaluated(n), "second writer");
    await flushAuditFile();
    expect(await verifyAuditFile(path)).toMatchObject({ ok: true, records: 6 });
  });

  it("without a file (AUDIT_LOG_PATH unset or blank), or after closeAuditFile, records go to the log only", async () => {
    const path = join(dir, "audit.jsonl");
    const { log, lines } = deliveryLogger();
    configureAuditFile("  ");
    audit(log, "pull_request.evaluated", evaluated(1), "no file");
    configureAuditFile(path);
    await closeAuditFile();
    audit(log, "pull_request.evaluated", evaluated(2), "closed");
    await flushAuditFile();
    expect(lines).toHaveLength(2);
    await expect(readFile(path, "utf8")).rejects.toThrow(/ENOENT/);
  });

  it("the pino line is written even when the file cannot be written, and the error is logged once", async () => {
    configureAuditFile(dir); // a directory
    const { log, lines } = deliveryLogger();
    for (let n = 1; n <= 3; n++) expect(() => audit(log, "pull_request.evaluated", evaluated(n), `evaluated #${n}`)).not.toThrow();
    await flushAuditFile();

    expect(lines.filter((l) => l.audit === true).map((l) => l.pull_request)).toEqual([1, 2, 3]);
    const errors = lines.filter((l) => l.level === 50);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ audit_file: dir, msg: expect.stringContaining("cannot write the audit file") });
    // The path and the reason, never the record's content.
    expect(JSON.stringify(errors[0])).not.toContain("acme/payments");
    expect(errors[0]).not.toHaveProperty("audit");
  });

  it("when the file works again, a record marks the gap and a warning says how many records are in the log only", async () => {
    const path = join(dir, "later", "audit.jsonl"); // its directory does not exist yet
    configureAuditFile(path);
    const { log, lines } = deliveryLogger();
    audit(log, "pull_request.evaluated", evaluated(1), "lost to the file");
    audit(log, "pull_request.evaluated", evaluated(2), "lost to the file");
    await flushAuditFile();
    await mkdir(join(dir, "later"));
    audit(log, "pull_request.evaluated", evaluated(3), "written");
    await flushAuditFile();

    const records = await fileRecords(path);
    expect(records.map((r) => [r.seq, r.action, r.missed ?? r.pull_request])).toEqual([
      [1, RECORDS_NOT_WRITTEN, 2],
      [2, "pull_request.evaluated", 3],
    ]);
    expect(lines.filter((l) => l.level === 50)).toHaveLength(1);
    expect(lines.filter((l) => l.level === 40)).toEqual([expect.objectContaining({ audit_file: path, missed: 2 })]);
    expect(await verifyAuditFile(path)).toMatchObject({ ok: true, records: 2 });
  });

  it("a file whose last line is broken is not continued: reported at start-up, left untouched, the log still written", async () => {
    const path = join(dir, "audit.jsonl");
    configureAuditFile(path);
    const { log, lines } = deliveryLogger();
    audit(log, "pull_request.evaluated", evaluated(1), "written");
    await closeAuditFile();
    const broken = `${await readFile(path, "utf8")}{"seq":2,"at":"20`;
    await writeFile(path, broken);

    configureAuditFile(path, log);
    await flushAuditFile();
    expect(lines.filter((l) => l.level === 50)).toEqual([
      expect.objectContaining({ audit_file: path, msg: expect.stringContaining("audit file refused") }),
    ]);
    audit(log, "pull_request.evaluated", evaluated(2), "log only");
    audit(log, "pull_request.evaluated", evaluated(3), "log only");
    await flushAuditFile();

    expect(await readFile(path, "utf8")).toBe(broken);
    expect(lines.filter((l) => l.level === 50)).toHaveLength(1);
    expect(lines.filter((l) => l.audit === true)).toHaveLength(3);
  });
});
