import { appOptionsFromEnv } from "../../src/handlers/app-options.js";

// The bounds of the fault handling come from the environment, with safe defaults, and a clear error for nonsense.
describe("fault-handling options from the environment", () => {
  const env = { WEBHOOK_SECRET: "s" };

  it("by default: the start-up sweep after 10 minutes, the request policy's 60 s rate-limit wait, deliveries remembered 1 hour", () => {
    const options = appOptionsFromEnv(env);
    expect(options.recoverInProgress).toEqual({ olderThanMs: 600_000 });
    expect(options.requestPolicy).toBeUndefined(); // the default policy: maxRateLimitWaitSeconds 60
    expect(options.deliveryTtlMs).toBeUndefined(); // the default: 1 hour
  });

  it("each can be set; the sweep can be switched off", () => {
    const options = appOptionsFromEnv({
      ...env,
      SDLC_GUARD_RECOVER_IN_PROGRESS_AFTER_SECONDS: "120",
      SDLC_GUARD_MAX_RATE_LIMIT_WAIT_SECONDS: "0",
      SDLC_GUARD_DELIVERY_TTL_SECONDS: "86400",
    });
    expect(options).toMatchObject({
      recoverInProgress: { olderThanMs: 120_000 },
      requestPolicy: { maxRateLimitWaitSeconds: 0, timeoutMs: 30_000 },
      deliveryTtlMs: 86_400_000,
    });
    expect(appOptionsFromEnv({ ...env, SDLC_GUARD_RECOVER_IN_PROGRESS_AFTER_SECONDS: "off" }).recoverInProgress).toBeUndefined();
  });

  it.each(["SDLC_GUARD_RECOVER_IN_PROGRESS_AFTER_SECONDS", "SDLC_GUARD_MAX_RATE_LIMIT_WAIT_SECONDS", "SDLC_GUARD_DELIVERY_TTL_SECONDS"])(
    "%s must be a whole number of seconds",
    (name) => {
      expect(() => appOptionsFromEnv({ ...env, [name]: "soon" })).toThrow(`${name} must be a whole number of seconds, not "soon"`);
      expect(() => appOptionsFromEnv({ ...env, [name]: "-1" })).toThrow(/whole number of seconds/);
    },
  );
});
