import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HashChainFile, hashLine } from "../../src/audit/hash-chain.js";
import { runCli } from "../../src/cli/program.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "sdlc-guard-audit-cli-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function cli(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const io = { stdout: { write: (text: string) => out.push(text) }, stderr: { write: (text: string) => err.push(text) } };
  const code = await runCli(["/usr/bin/node", "/app/dist/src/cli/main.js", ...args], {}, io);
  return { code, stdout: out.join(""), stderr: err.join("") };
}

async function auditFile(count: number): Promise<string> {
  const path = join(dir, "audit.jsonl");
  let minute = 0;
  const file = new HashChainFile(path, { now: () => new Date(Date.UTC(2025, 2, 1, 12, minute++)) });
  for (let n = 1; n <= count; n++)
    void file.append({ audit: true, action: "pull_request.evaluated", delivery_id: `d-${n}`, pull_request: n, conclusion: "failure" });
  await file.flush();
  return path;
}

describe("sdlc-guard audit verify", () => {
  it("exit code 0 and OK with the record count, the first and last records and the last hash", async () => {
    const path = await auditFile(4);
    const lastLine = (await readFile(path, "utf8")).trimEnd().split("\n").at(-1)!;
    const result = await cli(["audit", "verify", path]);

    expect(result.code).toBe(0);
    expect(result.stdout.split("\n")[0]).toBe(
      `OK: 4 records, chain intact (first seq 1 at 2025-03-01T12:00:00.000Z, last seq 4 at 2025-03-01T12:03:00.000Z; last line sha256 ${hashLine(lastLine)})`,
    );
    expect(result.stdout).toContain("Records removed after the last one cannot be detected from the file alone");
    expect(result.stderr).toBe("");
  });

  it("exit code 0 for an empty file", async () => {
    const path = join(dir, "empty.jsonl");
    await writeFile(path, "");
    const result = await cli(["audit", "verify", path]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^OK: 0 records, chain intact \(the file is empty\)\n/);
  });

  it("exit code 1 and the first problem (line, seq, kind) when a record was edited", async () => {
    const path = await auditFile(4);
    const text = await readFile(path, "utf8");
    await writeFile(path, text.replace('"pull_request":2,"conclusion":"failure"', '"pull_request":2,"conclusion":"success"'));
    const result = await cli(["audit", "verify", path]);

    expect(result.code).toBe(1);
    expect(result.stdout).toBe(
      [
        "TAMPERED: line 2, seq 2: altered: the record at line 2 (seq 2) was altered: its hash no longer matches the prev of the next record (line 3, seq 3)",
        "1 record intact before it (only the first problem is reported)",
        "",
      ].join("\n"),
    );
  });

  it("exit code 1 for an appended garbage line", async () => {
    const path = await auditFile(3);
    await writeFile(path, `${await readFile(path, "utf8")}{"oops"\n`);
    const result = await cli(["audit", "verify", path]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      /^TAMPERED: line 4, seq 4: unparsable: line 4 \(where seq 4 was expected\) is not an audit record \(not JSON\)/,
    );
    expect(result.stdout).toContain("3 records intact before it");
  });

  it("exit code 2 with the reason when the file cannot be read", async () => {
    const missing = join(dir, "missing.jsonl");
    const result = await cli(["audit", "verify", missing]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(/^sdlc-guard: cannot read the audit file .*missing\.jsonl: ENOENT: no such file or directory/);

    const directory = await cli(["audit", "verify", dir]);
    expect(directory.code).toBe(2);
    expect(directory.stderr).toContain("EISDIR");
  });

  it("exit code 2 for a usage error (no file)", async () => {
    const result = await cli(["audit", "verify"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("missing required argument 'file'");

    const group = await cli(["audit"]);
    expect(group.code).toBe(2);
    expect(group.stderr).toContain("verify <file>");
  });
});
