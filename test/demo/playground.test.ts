import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { join, resolve } from "node:path";
import { freePort } from "../../sim/free-port.js";
import { builtFolder } from "../support/built.js";
import { distinctSha } from "../../sim/scenarios.js";
import { displayWidth, TERMINAL_WIDTH } from "../../src/report/terminal-text.js";

// `npm run playground` as a user runs it: a real process (the built playground, which starts the built app with
// `probot run`), the built CLI pointed at its simulator, a signed webhook, then Ctrl-C (SIGINT).

const ROOT = resolve(process.cwd());
const OUT = "dist/playground-test";

/** The build this test runs: its own output folder (the app, the CLI, the simulator, the playground), rebuilt when stale. */
const built = (): string =>
  join(
    ROOT,
    builtFolder({ sources: ["src", "sim", "demo"], tsconfig: "tsconfig.json", outDir: OUT, entry: "demo/playground.js", dist: false }),
  );

interface Playground {
  child: ChildProcess;
  stdout: () => string;
  exited: Promise<number | null>;
  /** Resolves with the output so far once `text` appears on stdout; rejects if the process exits first. */
  printed: (text: string) => Promise<string>;
}

function startPlayground(dist: string, env: Record<string, string>): Playground {
  const child = spawn(process.execPath, [join(dist, "demo/playground.js")], {
    env: { PATH: process.env.PATH ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  const waiters: (() => void)[] = [];
  child.stdout!.on("data", (d: Buffer) => {
    out += d.toString();
    for (const wake of waiters.splice(0)) wake();
  });
  child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
  const printed = (text: string) =>
    new Promise<string>((resolvePrinted, reject) => {
      const check = () => {
        if (out.includes(text)) return resolvePrinted(out);
        waiters.push(check);
      };
      void exited.then((code) => reject(new Error(`the playground exited (${code}) before printing "${text}": ${out}${err}`)));
      check();
    });
  return { child, stdout: () => out, exited, printed };
}

function cli(dist: string, args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolveRun) => {
    const child = spawn(process.execPath, [join(dist, "src/cli/main.js"), ...args], {
      env: { PATH: process.env.PATH ?? "", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.once("exit", (code) => resolveRun({ code, stdout, stderr }));
  });
}

/** The value of `NAME=value` in the printed `export` line. */
const exported = (text: string, name: string): string =>
  text
    .split(/\s+/)
    .find((word) => word.startsWith(`${name}=`))!
    .slice(name.length + 1);

describe("npm run playground", () => {
  let dist: string;
  let running: Playground | undefined;
  beforeAll(() => {
    dist = built();
  }, 300_000);
  // A test that times out never reaches its own `finally`: the playground (app and simulator) must not outlive it.
  afterEach(async () => {
    if (running && running.child.exitCode === null && running.child.signalCode === null) {
      running.child.kill("SIGKILL");
      await running.exited;
    }
    running = undefined;
  });

  it("starts the app and a sample organisation, answers the CLI and signed webhooks, and stops cleanly on Ctrl-C", async () => {
    const [appPort, githubPort] = [await freePort(), await freePort()];
    const playground = startPlayground(dist, { PORT: String(appPort), PLAYGROUND_GITHUB_PORT: String(githubPort) });
    running = playground;
    try {
      const banner = await playground.printed("Ctrl-C stops");
      expect(banner).toContain("sdlc-guard playground ready");

      // The CLI, pointed at the simulator with the variables the banner prints.
      const env = {
        GHE_HOST: exported(banner, "GHE_HOST"),
        GHE_PROTOCOL: exported(banner, "GHE_PROTOCOL"),
        GITHUB_TOKEN: exported(banner, "GITHUB_TOKEN"),
        APP_ID: exported(banner, "APP_ID"),
      };
      expect(env.GHE_HOST).toBe(`127.0.0.1:${githubPort}`);
      const pr = (n: number) => `http://${env.GHE_HOST}/acme/payments/pull/${n}`;

      const compliant = await cli(dist, ["evaluate", pr(11)], env);
      expect(compliant.code).toBe(0);
      expect(compliant.stdout.split("\n")[1]).toBe("All required controls pass");

      const coAuthored = await cli(dist, ["evaluate", pr(14)], env);
      expect(coAuthored.code).toBe(1);
      expect(coAuthored.stdout.split("\n")[1]).toBe("1 required control(s) failing: reviews");
      const reviews = await cli(dist, ["evaluate", pr(14), "--json"], env);
      expect(JSON.parse(reviews.stdout)).toMatchObject({
        results: expect.arrayContaining([
          expect.objectContaining({ id: "reviews", outcome: "fail", reason: expect.stringContaining("rev-bob co-authored") as string }),
        ]) as unknown,
      });
      const noJira = await cli(dist, ["evaluate", pr(12)], env);
      expect(noJira.code).toBe(1);
      expect(noJira.stdout.split("\n")[1]).toBe("1 required control(s) failing: jira");

      const summary = await cli(dist, ["summary", "--org", "acme", "--format", "text"], env);
      expect(summary.code).toBe(0);
      const rowOf = (name: string) => summary.stdout.split("\n").find((line) => line.startsWith(`${name} `));
      for (const name of ["ledger", "checkout", "billing", "inventory", "shipping", "identity"])
        expect(rowOf(name)).toMatch(/^\S+\s+❌ \d+ failing/);
      expect(summary.stdout).toMatch(/^payments\s+✅ compliant/m);
      expect(summary.stdout).toMatch(/^identity\s+❌ 2 failing\s+secret-scanning: secret scanning is disabled/m);
      expect(summary.stdout).toMatch(/^inventory\s+❌ 1 failing\s+branch-protection: Default branch main is not protected/m);

      const evidence = await cli(dist, ["evidence", "--org", "acme", "--since", "2000-01-01", "--format", "csv"], env);
      expect(evidence.code).toBe(0);
      expect(evidence.stderr).toContain("everything was read");
      expect(evidence.stdout.split("\n")[0]).toMatch(/^record,repository,number/);

      // Every line of the terminal tables fits in 120 columns.
      const tooWide = [compliant, coAuthored, noJira, summary].flatMap((o) =>
        o.stdout.split("\n").filter((line) => displayWidth(line) > TERMINAL_WIDTH),
      );
      expect(tooWide).toEqual([]);

      // A signed webhook: the app posts the PR's check run to the simulator, where the GitHub API shows it.
      const head = distinctSha("acme/payments#12");
      const runs = async () => {
        const answer = await fetch(`http://${env.GHE_HOST}/api/v3/repos/acme/payments/commits/${head}/check-runs`);
        return ((await answer.json()) as { check_runs: { name: string; conclusion: string | null; output: { title: string | null } }[] })
          .check_runs;
      };
      expect(await runs()).toEqual([]);
      const send = spawnSync(process.execPath, [join(dist, "demo/playground-send.js"), "no-jira"], {
        env: { PATH: process.env.PATH ?? "", GHE_HOST: env.GHE_HOST, GHE_PROTOCOL: "http" },
        encoding: "utf8",
      });
      expect(send.stdout).toContain("pull_request webhook → HTTP 200");
      expect(send.status).toBe(0);
      expect(await runs()).toEqual([
        expect.objectContaining({
          name: "sdlc-guard",
          conclusion: "failure",
          output: expect.objectContaining({ title: "1 required control(s) failing: jira" }),
        }),
      ]);
    } finally {
      playground.child.kill("SIGINT");
    }
    expect(await playground.exited).toBe(0);
    expect(playground.stdout()).toContain("stopped (app exit code 0)");
  }, 120_000);
});
