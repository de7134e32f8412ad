import { generateKeyPairSync } from "node:crypto";

/** A new RSA private key in PEM (PKCS#1), the kind GitHub issues for an app. */
export function newAppPrivateKey(): string {
  return generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs1", format: "pem" }).toString();
}

/**
 * Probot's variables for the real app talking to the simulator over HTTP on 127.0.0.1 (the demo, the benchmarks and the
 * process tests start the app with them); `extra` adds the rest (PORT, LOG_LEVEL, sdlc-guard's own settings).
 */
export function simulatedAppEnv(
  simulator: { host: string },
  app: { appId: number; secret: string; privateKey?: string },
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    APP_ID: String(app.appId),
    PRIVATE_KEY: app.privateKey ?? newAppPrivateKey(),
    WEBHOOK_SECRET: app.secret,
    GHE_HOST: simulator.host,
    GHE_PROTOCOL: "http",
    HOST: "127.0.0.1",
    ...extra,
  };
}
