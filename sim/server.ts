import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { GitHubWorld } from "./github-world.js";

export interface RunningSimulator {
  /** REST base URL in GitHub Enterprise Server form (`http://127.0.0.1:PORT/api/v3`); GraphQL at `/api/graphql`. */
  baseUrl: string;
  host: string;
  close(): Promise<void>;
}

/** Routes that are not GitHub's (the playground's `/_playground/...`): a promise of the answer, or undefined to let GitHub answer. */
export type ExtraRoutes = (method: string, url: string, body: string) => Promise<{ status: number; body: unknown }> | undefined;

/**
 * Serves a GitHubWorld over HTTP on 127.0.0.1, shaped like GitHub Enterprise Server (GHE_HOST / GHE_PROTOCOL=http);
 * `latencyMs` delays every answer, as GitHub's own latency would (benchmarks).
 */
export async function startSimulator(world: GitHubWorld, port = 0, latencyMs = 0, extra?: ExtraRoutes): Promise<RunningSimulator> {
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on(
      "end",
      () =>
        void delay(latencyMs).then(() => {
          const url = (req.url ?? "/").replace(/^\/api\/v3(?=\/)/, "").replace(/^\/api\/graphql/, "/graphql");
          const text = Buffer.concat(chunks).toString("utf8");
          const own = extra?.(req.method ?? "GET", req.url ?? "/", text);
          if (own) {
            void own.then(
              (answer) => {
                res.writeHead(answer.status, { "content-type": "application/json; charset=utf-8" });
                res.end(JSON.stringify(answer.body));
              },
              (error: unknown) => {
                res.writeHead(500, { "content-type": "application/json" });
                res.end(JSON.stringify({ message: (error as Error).message }));
              },
            );
            return;
          }
          try {
            const answer = world.handle(req.method ?? "GET", url, text ? JSON.parse(text) : undefined, req.headers);
            // The world writes pagination links for api.github.com: here they point back at this server.
            const headers = answer.headers.link
              ? { ...answer.headers, link: answer.headers.link.replaceAll("https://api.github.com", `http://${req.headers.host}/api/v3`) }
              : answer.headers;
            res.writeHead(answer.status, { "content-type": "application/json; charset=utf-8", ...headers });
            res.end(answer.body === undefined ? "" : JSON.stringify(answer.body));
          } catch (error) {
            res.writeHead(500, { "content-type": "application/json" });
            res.end(JSON.stringify({ message: (error as Error).message }));
          }
        }),
    );
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const { port: actual } = server.address() as AddressInfo;
  const host = `127.0.0.1:${actual}`;
  return {
    baseUrl: `http://${host}/api/v3`,
    host,
    close: () => new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
}

const delay = (ms: number) => (ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve());
