import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GENESIS_PREV, HashChainFile, hashLine, readChainHead, verifyAuditFile, type VerifyReport } from "../../src/audit/hash-chain.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "sdlc-guard-chain-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const clock = () => new Date("2025-03-01T12:00:00.000Z");

/** An audit file of `count` records (conclusions alternate), written through the chain writer. */
async function chainFile(count: number): Promise<string> {
  const path = join(dir, "audit.jsonl");
  const file = new HashChainFile(path, { now: clock });
  for (let i = 1; i <= count; i++)
    void file.append({ audit: true, action: "pull_request.evaluated", pull_request: i, conclusion: i % 2 ? "failure" : "success" });
  await file.flush();
  return path;
}

async function lines(path: string): Promise<string[]> {
  return (await readFile(path, "utf8")).split("\n").slice(0, -1);
}

async function rewrite(path: string, edit: (lines: string[]) => string[]): Promise<void> {
  await writeFile(path, `${edit(await lines(path)).join("\n")}\n`);
}

function problemOf(report: VerifyReport) {
  if (report.ok) throw new Error("expected the chain to be broken");
  return { ...report.problem, intact: report.intact };
}

describe("the audit file format", () => {
  it("chains each line to the previous one: seq from 1, prev = sha256 of the previous line's exact text", async () => {
    const path = await chainFile(3);
    const [a, b, c] = await lines(path);
    const records = [a, b, c].map((line) => JSON.parse(line!) as Record<string, unknown>);

    expect(records.map((r) => r.seq)).toEqual([1, 2, 3]);
    expect(records.map((r) => r.prev)).toEqual([GENESIS_PREV, hashLine(a!), hashLine(b!)]);
    expect(Object.keys(records[0]!).slice(0, 4)).toEqual(["seq", "at", "prev", "audit"]);
    expect(records[0]).toMatchObject({ at: "2025-03-01T12:00:00.000Z", action: "pull_request.evaluated", pull_request: 1 });
    expect(await verifyAuditFile(path)).toEqual({
      ok: true,
      records: 3,
      first: { line: 1, seq: 1, at: "2025-03-01T12:00:00.000Z" },
      last: { line: 3, seq: 3, at: "2025-03-01T12:00:00.000Z", hash: hashLine(c!) },
    });
  });

  it("a record cannot overwrite the chain's fields, and odd values still make a line", async () => {
    const path = join(dir, "audit.jsonl");
    const file = new HashChainFile(path, { now: clock });
    const cyclic: Record<string, unknown> = { name: "loop" };
    cyclic.self = cyclic;
    const fields = { seq: 99, prev: "forged", at: "yesterday", count: 10n, cyclic };
    const appended = file.append(fields);
    fields.seq = 100; // changes after the call do not reach the file
    await expect(appended).resolves.toEqual({ seq: 1, missedBefore: 0 });

    const [line] = await lines(path);
    expect(JSON.parse(line!)).toEqual({
      seq: 1,
      at: "2025-03-01T12:00:00.000Z",
      prev: GENESIS_PREV,
      record_seq: 99,
      record_prev: "forged",
      record_at: "yesterday",
      count: "10",
      cyclic: { name: "loop", self: "[Circular]" },
    });
    expect((await verifyAuditFile(path)).ok).toBe(true);
  });

  it("an empty or missing file starts a chain; an existing one is continued from its last line", async () => {
    expect(await readChainHead(join(dir, "none.jsonl"))).toEqual({ seq: 0, hash: GENESIS_PREV });
    await writeFile(join(dir, "empty.jsonl"), "");
    expect(await readChainHead(join(dir, "empty.jsonl"))).toEqual({ seq: 0, hash: GENESIS_PREV });
    expect(await verifyAuditFile(join(dir, "empty.jsonl"))).toEqual({ ok: true, records: 0, first: undefined, last: undefined });

    const path = await chainFile(5);
    const all = await lines(path);
    expect(await readChainHead(path)).toEqual({ seq: 5, hash: hashLine(all[4]!) });
    const again = new HashChainFile(path, { now: clock });
    await expect(again.append({ action: "after.restart" })).resolves.toEqual({ seq: 6, missedBefore: 0 });
    expect(await verifyAuditFile(path)).toMatchObject({ ok: true, records: 6 });
  });

  it("finds the last line across read chunks (long lines)", async () => {
    const path = join(dir, "audit.jsonl");
    const file = new HashChainFile(path, { now: clock });
    void file.append({ reason: "x".repeat(70_000) });
    void file.append({ reason: "y".repeat(150_000) });
    await file.flush();
    const all = await lines(path);
    expect(await readChainHead(path)).toEqual({ seq: 2, hash: hashLine(all[1]!) });
  });

  it("refuses to continue a file whose last line is not a complete record, and leaves it as it is", async () => {
    const path = await chainFile(2);
    const before = await readFile(path, "utf8");
    await writeFile(path, `${before}{"seq":3,"at":"2025`); // a crash mid-write
    const file = new HashChainFile(path, { now: clock });
    await expect(file.append({ action: "next" })).rejects.toThrow(/last line .* has no newline/);
    await expect(file.append({ action: "later" })).rejects.toThrow(/has no newline/);
    expect(await readFile(path, "utf8")).toBe(`${before}{"seq":3,"at":"2025`);

    await writeFile(path, `${before}not json\n`);
    await expect(new HashChainFile(path).open()).rejects.toThrow(/not a chain record \(not JSON\)/);
  });
});

describe("verify detects an edited, a deleted and a swapped record", () => {
  it("an edited record: its hash no longer matches the next record's prev", async () => {
    const path = await chainFile(6);
    await rewrite(path, (all) => all.map((line, i) => (i === 2 ? line.replace('"conclusion":"failure"', '"conclusion":"success"') : line)));

    expect(problemOf(await verifyAuditFile(path))).toMatchObject({ kind: "altered", line: 3, seq: 3, intact: 2 });
    expect(problemOf(await verifyAuditFile(path)).message).toBe(
      "the record at line 3 (seq 3) was altered: its hash no longer matches the prev of the next record (line 4, seq 4)",
    );
  });

  it("a deleted record: the seq jumps", async () => {
    const path = await chainFile(6);
    await rewrite(path, (all) => all.filter((_, i) => i !== 3));

    const problem = problemOf(await verifyAuditFile(path));
    expect(problem).toMatchObject({ kind: "removed", line: 4, seq: 5, intact: 3 });
    expect(problem.message).toBe("seq 4 is missing after seq 3 (line 3): line 4 holds seq 5; 1 record removed");
  });

  it("two swapped records: a seq comes before the one it follows", async () => {
    const path = await chainFile(6);
    await rewrite(path, (all) => [all[0]!, all[2]!, all[1]!, ...all.slice(3)]);

    const problem = problemOf(await verifyAuditFile(path));
    expect(problem).toMatchObject({ kind: "reordered", line: 2, seq: 3, intact: 1 });
    expect(problem.message).toContain("line 2 holds seq 3 where seq 2 was expected, and a skipped seq comes later (line 3)");
  });
});

describe("verify names other kinds of tampering", () => {
  it("an appended garbage line", async () => {
    const path = await chainFile(4);
    await writeFile(path, `${await readFile(path, "utf8")}garbage\n`);
    expect(problemOf(await verifyAuditFile(path))).toMatchObject({ kind: "unparsable", line: 5, seq: 5, intact: 4 });
  });

  it("an appended JSON line that is not a chain record", async () => {
    const path = await chainFile(2);
    await writeFile(path, `${await readFile(path, "utf8")}{"audit":true,"action":"forged"}\n`);
    const problem = problemOf(await verifyAuditFile(path));
    expect(problem).toMatchObject({ kind: "unparsable", line: 3 });
    expect(problem.message).toContain("no valid seq");
  });

  it("a file cut in the middle of a line", async () => {
    const path = await chainFile(4);
    const text = await readFile(path, "utf8");
    await writeFile(path, text.slice(0, text.length - 20));
    expect(problemOf(await verifyAuditFile(path))).toMatchObject({ kind: "truncated", line: 4, seq: 4, intact: 3 });
  });

  it("records removed from the start of the file", async () => {
    const path = await chainFile(5);
    await rewrite(path, (all) => all.slice(2));
    const problem = problemOf(await verifyAuditFile(path));
    expect(problem).toMatchObject({ kind: "removed", line: 1, seq: 3, intact: 0 });
    expect(problem.message).toBe("seq 1 to 2 are missing at the start of the file: line 1 holds seq 3; 2 records removed");
  });

  it("a duplicated record", async () => {
    const path = await chainFile(4);
    await rewrite(path, (all) => [...all.slice(0, 2), all[1]!, ...all.slice(2)]);
    expect(problemOf(await verifyAuditFile(path))).toMatchObject({ kind: "inserted", line: 3, seq: 2, intact: 2 });
  });

  it("a record whose own prev was changed", async () => {
    const path = await chainFile(4);
    await rewrite(path, (all) =>
      all.map((line, i) => (i === 1 ? line.replace(/"prev":"[0-9a-f]{64}"/, `"prev":"${"a".repeat(64)}"`) : line)),
    );
    const problem = problemOf(await verifyAuditFile(path));
    expect(problem).toMatchObject({ kind: "altered", line: 2, seq: 2, intact: 1 });
    expect(problem.message).toContain("its prev no longer matches the record before it");
  });

  it("a first record that does not start a chain", async () => {
    const path = await chainFile(2);
    await rewrite(path, (all) => [all[0]!.replace(GENESIS_PREV, "f".repeat(64)), all[1]!]);
    expect(problemOf(await verifyAuditFile(path))).toMatchObject({ kind: "altered", line: 1, seq: 1, intact: 0 });
  });

  it("cannot tell that complete records were cut from the end (hence write-once storage)", async () => {
    const path = await chainFile(5);
    await rewrite(path, (all) => all.slice(0, 3));
    expect(await verifyAuditFile(path)).toMatchObject({ ok: true, records: 3 });
  });

  it("rejects when the file cannot be read", async () => {
    await expect(verifyAuditFile(join(dir, "missing.jsonl"))).rejects.toThrow(/ENOENT/);
    await expect(verifyAuditFile(dir)).rejects.toThrow(/EISDIR/);
  });
});
