import { createHmac, randomUUID } from "node:crypto";
import type { WebhookEvent } from "./webhook-payloads.js";

export interface DeliveryResult {
  status: number;
  body: string;
}

/** POSTs a webhook the way GitHub does: JSON body, event/delivery headers, HMAC-SHA256 signature with the secret. */
export async function deliverWebhook(url: string, event: WebhookEvent, secret: string | null): Promise<DeliveryResult> {
  const body = JSON.stringify(event.payload);
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "x-github-event": event.name,
    "x-github-delivery": randomUUID(),
    "user-agent": "GitHub-Hookshot/sdlc-guard-sim",
  };
  if (secret !== null) headers["x-hub-signature-256"] = `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
  const response = await fetch(url, { method: "POST", headers, body });
  return { status: response.status, body: await response.text() };
}
