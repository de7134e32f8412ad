import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { simulatedAppEnv } from "../sim/app-env.js";
import { TERMINAL_WIDTH, wrapText } from "../src/report/terminal-text.js";
import { buildPlaygroundOrg, PLAYGROUND_ORG, type PlaygroundOrg } from "../sim/playground-org.js";
import { playgroundScenarios, type PlaygroundScenario } from "../sim/playground-scenarios.js";
import { startSimulator, type ExtraRoutes } from "../sim/server.js";
import { deliverWebhook } from "../sim/signed-delivery.js";

// `npm run playground`: the built app (dist/, started as `npm start` starts it: `probot run` with Probot's environment
// variables) against the GitHub simulator holding a sample organisation, until Ctrl-C. The CLI and
// `npm run playground:send` talk to the simulator; nothing leaves 127.0.0.1 and no GitHub account is needed.

// Paths from this compiled file (dist/demo/playground.js): the app and the CLI of the same build.
const APP_ENTRY = fileURLToPath(new URL("../src/index.js", import.meta.url));
const CLI_ENTRY = fileURLToPath(new URL("../src/cli/main.js", import.meta.url));
const PROBOT_BIN = join(dirname(createRequire(import.meta.url).resolve("probot")), "..", "bin", "probot.js");
export const READY_LINE = "sdlc-guard playground ready";
export const DEFAULT_APP_PORT = 3000;
export const DEFAULT_GITHUB_PORT = 3001;

const port = (name: string, fallback: number): number => {
  const text = process.env[name]?.trim();
  if (!text) return fallback;
  if (!/^\d{1,5}$/.test(text) || Number(text) > 65_535) throw new Error(`${name} must be a port number, not "${text.slice(0, 20)}"`);
  return Number(text);
};

/** The `/_playground/` routes the send script calls: the scenario list, and one scenario delivered as a signed webhook. */
function playgroundRoutes(
  pg: PlaygroundOrg,
  scenarios: Record<string, PlaygroundScenario>,
  webhookUrl: string,
  secret: string,
): ExtraRoutes {
  return (method, url) => {
    if (method === "GET" && url === "/_playground/scenarios")
      return Promise.resolve({ status: 200, body: Object.entries(scenarios).map(([name, s]) => ({ name, about: s.about })) });
    const m = /^\/_playground\/send\/([a-z-]+)$/.exec(url);
    if (!m) return undefined;
    const scenario = scenarios[m[1]!];
    if (method !== "POST" || !scenario)
      return Promise.resolve({ status: 404, body: { message: `no scenario ${m[1]}: one of ${Object.keys(scenarios).join(", ")}` } });
    return (async () => {
      const { event, sha } = scenario.event();
      const delivery = await deliverWebhook(webhookUrl, event, secret);
      const run = pg.repo.checkRuns.filter((r) => r.headSha === sha && r.name === "sdlc-guard").at(-1);
      const checkRun = run && { status: run.status, conclusion: run.conclusion ?? null, title: run.output.title ?? null };
      return { status: 200, body: { event: event.name, webhookStatus: delivery.status, sha, checkRun: checkRun ?? null } };
    })();
  };
}

export async function runPlayground(print: (line: string) => void = console.log): Promise<number> {
  const appPort = port("PORT", DEFAULT_APP_PORT);
  const githubPort = port("PLAYGROUND_GITHUB_PORT", DEFAULT_GITHUB_PORT);
  const now = new Date();
  const pg = buildPlaygroundOrg(now.toISOString().replace(/\.\d{3}Z$/, "Z"));
  // Comments, issues and their times written from now on, so that waivers and issues read as today's.
  pg.world.issues.clockStartMs = now.getTime() + 1000;
  const secret = randomBytes(16).toString("hex");
  const webhookUrl = `http://127.0.0.1:${appPort}/api/github/webhooks`;
  const scenarios = playgroundScenarios(pg);
  const simulator = await startSimulator(pg.world, githubPort, 0, playgroundRoutes(pg, scenarios, webhookUrl, secret));

  const env = {
    PATH: process.env.PATH ?? "",
    ...simulatedAppEnv(
      simulator,
      { appId: pg.world.appId, secret },
      {
        PORT: String(appPort),
        LOG_LEVEL: process.env.LOG_LEVEL ?? "warn",
        SDLC_GUARD_SUMMARY_SCHEDULE: "off",
        // GitHub links a merge to its commits a moment after the push; the simulator does it at once.
        SDLC_GUARD_ASSOCIATION_RETRY_MS: "100",
      },
    ),
  };
  // Its own process group: Ctrl-C reaches the playground, which stops the app once (a second signal would cut its shutdown short).
  const app = spawn(process.execPath, [PROBOT_BIN, "run", APP_ENTRY], {
    env,
    detached: true,
    stdio: ["ignore", 2, 2],
  });
  const appExited = new Promise<number | null>((resolve) => app.once("exit", (code) => resolve(code)));
  let stopping = false;
  const stopped = new Promise<number>((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) return;
      stopping = true;
      print(`\n${signal}: stopping the app and the simulator…`);
      if (app.exitCode === null && app.signalCode === null) app.kill("SIGTERM");
      void appExited.then(async (code) => {
        await simulator.close();
        print(`stopped (app exit code ${code ?? "none"})`);
        resolve(code === 0 ? 0 : 1);
      });
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  process.once("exit", () => app.exitCode === null && app.kill("SIGKILL"));

  // Ready when the app answers /ready (it has read its configuration and listens), or never if it exits first.
  for (;;) {
    const status = await fetch(`http://127.0.0.1:${appPort}/ready`).then(
      (r) => r.status,
      () => 0,
    );
    if (status === 200) break;
    if (app.exitCode !== null || app.signalCode !== null || stopping) {
      if (!stopping) print(`the app exited before it was ready (exit code ${app.exitCode ?? app.signalCode}): see its log above`);
      await simulator.close();
      return 1;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }

  const cli = `node ${CLI_ENTRY}`;
  const prUrl = (n: number) => `http://${simulator.host}/${pg.repo.owner}/${pg.repo.name}/pull/${n}`;
  const since = new Date(now.getTime() - 30 * 86_400_000).toISOString().slice(0, 10);
  const width = Math.max(...Object.keys(scenarios).map((s) => s.length));
  print(
    [
      `${READY_LINE}: app ${webhookUrl}, simulated GitHub http://${simulator.host}/api/v3`,
      "",
      `Sample organisation ${PLAYGROUND_ORG}: ${pg.built.repositories.length} repositories (.github included).`,
      ...wrapText(`Not compliant: ${pg.nonCompliant.map((r) => `${r.name} (${r.why})`).join(", ")}.`, TERMINAL_WIDTH),
      `Open pull requests in ${pg.repo.owner}/${pg.repo.name}:`,
      ...pg.pullRequests.map(({ pr, about }) => `  #${pr.number} ${about}`),
      "",
      "Point the CLI at it (in another terminal; the simulator takes any token):",
      `  export GHE_HOST=${simulator.host} GHE_PROTOCOL=http GITHUB_TOKEN=playground APP_ID=${pg.world.appId}`,
      `  alias sdlc-guard="${cli}"`,
      `  sdlc-guard evaluate ${prUrl(pg.pullRequests[1]!.pr.number)}`,
      `  sdlc-guard summary --org ${PLAYGROUND_ORG} --format text`,
      `  sdlc-guard evidence --org ${PLAYGROUND_ORG} --since ${since} --format csv`,
      "",
      "Send a signed webhook to the app (in the repository's directory; GHE_HOST as above, or the default port):",
      "  npm run playground:send -- <scenario>",
      ...Object.entries(scenarios).map(([name, s]) => `    ${name.padEnd(width)}  ${s.about}`),
      "",
      "Ctrl-C stops the app and the simulator.",
    ].join("\n"),
  );
  return stopped;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  runPlayground().then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(`playground: ${(error as Error).message}`);
      process.exit(1);
    },
  );
}
