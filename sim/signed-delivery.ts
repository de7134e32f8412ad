import { createHmac, randomUUID } from "node:crypto";
import type { WebhookEvent } from "./webhook-payloads.js";

export interface DeliveryResult {
  status: number;
  body: string;
}

/**
 * POSTs a webhook the way GitHub does: JSON body, event/delivery headers, HMAC-SHA256 signature with the secret.
 * `deliveryId`: a redelivery (or the same delivery reaching two replicas) carries the same id; default a new one.
 * `send`: the fetch to POST with (the benchmark's sender uses a cheaper one than the global fetch, to leave the CPU to the app).
 */
export async function deliverWebhook(
  url: string,
  event: WebhookEvent,
  secret: string | null,
  deliveryId: string = randomUUID(),
  send: typeof globalThis.fetch = globalThis.fetch,
): Promise<DeliveryResult> {
  const body = JSON.stringify(event.payload);
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "x-github-event": event.name,
    "x-github-delivery": deliveryId,
    "user-agent": "GitHub-Hookshot/sdlc-guard-sim",
  };
  if (secret !== null) headers["x-hub-signature-256"] = `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
  const response = await send(url, { method: "POST", headers, body });
  return { status: response.status, body: await response.text() };
}
