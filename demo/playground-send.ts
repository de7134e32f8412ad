import { fileURLToPath } from "node:url";
import { webUrlFromEnv } from "../src/common/web-url.js";

// `npm run playground:send -- <scenario>`: asks the running playground to deliver one scenario's webhook, signed with
// its secret, to the app; prints the delivery and the check run it left. Without a scenario: the list.

interface Sent {
  event: string;
  webhookStatus: number;
  sha: string;
  checkRun: { status: string; conclusion: string | null; title: string | null } | null;
}

export async function sendScenario(env: NodeJS.ProcessEnv, scenario: string | undefined, print: (line: string) => void): Promise<number> {
  const base = env.GHE_HOST?.trim() ? webUrlFromEnv(env) : `http://127.0.0.1:${env.PLAYGROUND_GITHUB_PORT?.trim() || 3001}`;
  const answer = await fetch(scenario ? `${base}/_playground/send/${encodeURIComponent(scenario)}` : `${base}/_playground/scenarios`, {
    method: scenario ? "POST" : "GET",
  }).catch((error: unknown) => {
    throw new Error(`no playground at ${base} (${(error as Error).message}): start it with npm run playground`);
  });
  const body = (await answer.json()) as unknown;
  if (!answer.ok) {
    print(`playground: ${(body as { message?: string }).message ?? `HTTP ${answer.status}`}`);
    return 2;
  }
  if (!scenario) {
    for (const { name, about } of body as { name: string; about: string }[]) print(`${name}: ${about}`);
    return 0;
  }
  const sent = body as Sent;
  const run = sent.checkRun;
  print(`${sent.event} webhook → HTTP ${sent.webhookStatus}`);
  print(
    run
      ? `check run sdlc-guard on ${sent.sha.slice(0, 7)}: ${run.status === "completed" ? (run.conclusion ?? "").toUpperCase() : run.status} — ${run.title ?? ""}`
      : `no sdlc-guard check run on ${sent.sha.slice(0, 7)} yet`,
  );
  return sent.webhookStatus >= 200 && sent.webhookStatus < 300 ? 0 : 1;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  sendScenario(process.env, process.argv[2], console.log).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(`playground: ${(error as Error).message}`);
      process.exit(2);
    },
  );
}
