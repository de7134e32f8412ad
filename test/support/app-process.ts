import { spawn, type ChildProcess } from "node:child_process";
import { simulatedAppEnv } from "../../sim/app-env.js";
import { freePort } from "../../sim/free-port.js";
import type { RunningSimulator } from "../../sim/server.js";
import { testPrivateKey } from "./test-app.js";

// The production entry as the Dockerfile runs it — `node node_modules/probot/bin/probot.js run ./dist/src/index.js`, a
// real process with real signals — against the GitHub simulator over HTTP. It runs the build (`npm run build`; CI
// builds before it tests).
export const ENTRY = "dist/src/index.js";
export const SECRET = "process-test-secret";

export interface AppProcess {
  child: ChildProcess;
  base: string;
  lines: () => Record<string, unknown>[];
  stdout: () => string;
  exited: Promise<number | null>;
}

export async function startAppProcess(simulator: RunningSimulator, env: Record<string, string>): Promise<AppProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, ["node_modules/probot/bin/probot.js", "run", `./${ENTRY}`], {
    env: {
      PATH: process.env.PATH ?? "",
      NODE_ENV: "production",
      ...simulatedAppEnv(simulator, { appId: 4242, secret: SECRET, privateKey: testPrivateKey() }),
      PORT: String(port),
      LOG_FORMAT: "json",
      SDLC_GUARD_SUMMARY_SCHEDULE: "off",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    const ready = await fetch(`${base}/ready`).then(
      (r) => r.status,
      () => 0,
    );
    if (ready === 200) break;
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`the app did not get ready: ${err || out}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const lines = () =>
    out
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { child, base, lines, stdout: () => out, exited };
}
