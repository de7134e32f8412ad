import type { Probot } from "probot";
import type { GitHubWorld } from "../../sim/github-world.js";
import type { WebhookEvent } from "../../sim/webhook-payloads.js";

/** The row of one control in a check run's summary table. */
export const rowOf = (summary: string | null | undefined, id: string): string =>
  summary?.split("\n").find((line) => line.startsWith(`| \`${id}\``)) ?? "";

/** One webhook delivery, as GitHub sends it: its own delivery id, and a payload parsed afresh (as each HTTP delivery is). */
export const deliver = (probot: Probot, event: WebhookEvent, id: string) =>
  probot.receive({ id, name: event.name, payload: structuredClone(event.payload) } as Parameters<Probot["receive"]>[0]);

/** The requests GitHub received, by method and path prefix. */
export const requestsTo = (world: GitHubWorld, method: string, pathPrefix: string) =>
  world.requests.filter((r) => r.method === method && r.path.startsWith(pathPrefix));

/** The GitHub limits' reset this many seconds from now (whole seconds, as GitHub sends it). */
export const resetIn = (seconds: number): number => Math.ceil(Date.now() / 1000) + seconds;
/** How the reason reads a reset: HH:MM, UTC. */
export const hhmm = (resetSeconds: number): string => new Date(resetSeconds * 1000).toISOString().slice(11, 16);
