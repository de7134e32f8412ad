import type { IncomingMessage } from "node:http";
import { PassThrough } from "node:stream";
import { Webhooks } from "@octokit/webhooks";
import {
  confirmWebhookSecret,
  DEFAULT_RECEIVE_TIMEOUT_MS,
  readSignedBody,
  webhookReceiveTimeoutFromEnv,
} from "../../src/operations/signed-body.js";
import {
  BodyBudgets,
  bufferBytesFromEnv,
  DEFAULT_BUFFER_BYTES,
  RefusalLogLimit,
  SMALL_BODY_BYTES,
  UnverifiedBytes,
} from "../../src/operations/refusal-budget.js";
import { sign } from "../server/probot-server.js";

const SECRET = "unit-secret";

/** A request whose body is `pieces` (ended unless `open`), with the given signature header. */
function request(
  signature: string | undefined,
  pieces: string[],
  { open = false, length }: { open?: boolean; length?: number } = {},
): IncomingMessage {
  const headers: Record<string, string> = signature === undefined ? {} : { "x-hub-signature-256": signature };
  if (length !== undefined) headers["content-length"] = String(length);
  const stream = Object.assign(new PassThrough(), { headers });
  for (const piece of pieces) stream.write(piece);
  if (!open) stream.end();
  return stream as unknown as IncomingMessage;
}

const options = { secret: SECRET, limit: 64, timeoutMs: 60_000 };
const body = '{"action":"opened"}';

describe("a webhook body read through the HMAC of the secret", () => {
  it("a body signed with the secret is handed back whole", async () => {
    const read = await readSignedBody(request(sign(body, SECRET), [body.slice(0, 5), body.slice(5)]), options);
    expect(read).toEqual({ verified: true, body: Buffer.from(body) });
  });

  it.each([
    ["signed with another secret", sign(body, "another"), 400, /does not match/, body.length],
    ["a signature of another body", sign("{}", SECRET), 400, /does not match/, body.length],
    ["upper-case hex (GitHub sends lower case)", sign(body, SECRET).toUpperCase().replace("SHA256", "sha256"), 400, /well-formed/, 0],
    ["sha256=00", "sha256=00", 400, /well-formed/, 0],
    ["the old sha1 form", "sha1=0123456789abcdef0123456789abcdef01234567", 400, /well-formed/, 0],
    ["no signature", undefined, 400, /well-formed/, 0],
  ])("%s: refused, nothing of the body kept", async (_name, signature, status, reason, bytes) => {
    const read = await readSignedBody(request(signature, [body]), options);
    expect(read).toEqual({ verified: false, status, reason: expect.stringMatching(reason), bytes });
  });

  it("a body growing past the limit is refused with 413 as it crosses it, even correctly signed", async () => {
    const big = "x".repeat(65);
    const read = await readSignedBody(request(sign(big, SECRET), [big.slice(0, 60), big.slice(60)]), options);
    expect(read).toMatchObject({ verified: false, status: 413, bytes: 65 });
  });

  it("a body that does not end within the deadline is refused with 408", async () => {
    const read = await readSignedBody(request(sign(body, SECRET), [body.slice(0, 3)], { open: true }), { ...options, timeoutMs: 50 });
    expect(read).toEqual({ verified: false, status: 408, reason: "body not received within 50 ms", bytes: 3 });
  });

  it("a request cut off mid-body is refused with 400", async () => {
    const req = request(sign(body, SECRET), [body.slice(0, 3)], { open: true });
    const reading = readSignedBody(req, options);
    req.destroy(new Error("aborted"));
    expect(await reading).toMatchObject({ verified: false, status: 400, reason: "the request body could not be read" });
  });
});

describe("SDLC_GUARD_WEBHOOK_RECEIVE_TIMEOUT_MS", () => {
  it.each([
    [undefined, DEFAULT_RECEIVE_TIMEOUT_MS],
    ["", DEFAULT_RECEIVE_TIMEOUT_MS],
    ["2500", 2500],
    [" 30000 ", 30000],
  ])("%p: %p ms", (text, ms) => {
    expect(webhookReceiveTimeoutFromEnv({ SDLC_GUARD_WEBHOOK_RECEIVE_TIMEOUT_MS: text })).toBe(ms);
  });

  it.each([["0"], ["-1"], ["1.5"], ["10s"]])("%p is refused at start", (text) => {
    expect(() => webhookReceiveTimeoutFromEnv({ SDLC_GUARD_WEBHOOK_RECEIVE_TIMEOUT_MS: text })).toThrow(
      /positive whole number of milliseconds/,
    );
  });
});

describe("the secret bodies are verified with is the one Probot verifies with", () => {
  const probotWebhooks = new Webhooks({ secret: "probot-secret" });

  it("the first candidate that signs as Probot does is taken", async () => {
    expect(await confirmWebhookSecret(probotWebhooks, [undefined, "", "stale-secret", "probot-secret"])).toBe("probot-secret");
  });

  it("none of them: the server does not start (it would refuse every genuine delivery)", async () => {
    await expect(confirmWebhookSecret(probotWebhooks, [undefined, "stale-secret"])).rejects.toThrow(/set WEBHOOK_SECRET/);
  });
});

describe("what forged bodies may hold at once: one budget of unverified bytes for the whole process", () => {
  it("a declared length that does not fit is refused with 503 before a byte is read; the bytes come back when a body settles", async () => {
    const budget = new UnverifiedBytes(100);
    // A forged body still arriving holds its declared 60 bytes.
    const held = request(sign(body, SECRET), ["x".repeat(10)], { open: true, length: 60 });
    const holding = readSignedBody(held, { ...options, budget });
    expect(budget.used).toBe(60);

    const refused = await readSignedBody(request(sign(body, SECRET), [body], { length: 50 }), { ...options, budget });
    expect(refused).toEqual({
      verified: false,
      status: 503,
      reason: expect.stringMatching(/more than 100 bytes of webhook bodies/),
      bytes: 0,
    });
    expect(budget.used).toBe(60);

    // A genuine delivery that fits is read and verified, and gives its bytes back.
    const genuine = await readSignedBody(request(sign(body, SECRET), [body], { length: body.length }), { ...options, budget });
    expect(genuine).toEqual({ verified: true, body: Buffer.from(body) });
    expect(budget.used).toBe(60);

    held.destroy(new Error("aborted"));
    expect(await holding).toMatchObject({ verified: false, status: 400 });
    expect(budget.used).toBe(0);
  });

  it("a chunked body (no length) takes its bytes as they arrive, and is refused with 503 as it crosses the budget", async () => {
    const budget = new UnverifiedBytes(40);
    expect(budget.take(30)).toBe(true); // another body holds 30
    const read = await readSignedBody(request(sign(body, SECRET), [body.slice(0, 8), body.slice(8)]), { ...options, budget });
    expect(read).toMatchObject({ verified: false, status: 503, bytes: 19 });
    expect(budget.used).toBe(30);
  });

  it("small bodies (GitHub's deliveries) and large or chunked ones draw from two budgets: large forged bodies never crowd out small ones", async () => {
    const budgets = new BodyBudgets(100);
    expect(budgets.for(SMALL_BODY_BYTES)).toBe(budgets.small);
    expect(budgets.for(SMALL_BODY_BYTES + 1)).toBe(budgets.large);
    expect(budgets.for(undefined)).toBe(budgets.large);
    expect(budgets.large.take(100)).toBe(true); // large bodies hold their whole budget
    const read = await readSignedBody(request(sign(body, SECRET), [body], { length: body.length }), { ...options, budget: budgets });
    expect(read).toEqual({ verified: true, body: Buffer.from(body) });
    const chunked = await readSignedBody(request(sign(body, SECRET), [body]), { ...options, budget: budgets });
    expect(chunked).toMatchObject({ verified: false, status: 503 });
  });

  it("SDLC_GUARD_WEBHOOK_BUFFER_BYTES: 64 MiB by default, never below one body at the size limit", () => {
    expect(bufferBytesFromEnv({}, 1000)).toBe(DEFAULT_BUFFER_BYTES);
    expect(bufferBytesFromEnv({ SDLC_GUARD_WEBHOOK_BUFFER_BYTES: "5000" }, 1000)).toBe(5000);
    expect(() => bufferBytesFromEnv({ SDLC_GUARD_WEBHOOK_BUFFER_BYTES: "999" }, 1000)).toThrow(/at least 1000/);
    expect(() => bufferBytesFromEnv({ SDLC_GUARD_WEBHOOK_BUFFER_BYTES: "64MB" }, 1000)).toThrow(/whole number/);
  });
});

describe("refusal log lines: a flood of forged deliveries cannot fill the logs", () => {
  it("logs the first N refusals of a minute, counts the rest, and says how many in the first line of the next minute", () => {
    const limit = new RefusalLogLimit(3, 60_000);
    const admitted = [0, 1, 2, 3, 4, 5].map((ms) => limit.admit(ms));
    expect(admitted.map((a) => a.log)).toEqual([true, true, true, false, false, false]);
    expect(limit.admit(60_000)).toEqual({ log: true, suppressedBefore: 3 });
    expect(limit.admit(60_001)).toEqual({ log: true, suppressedBefore: 0 });
  });
});
