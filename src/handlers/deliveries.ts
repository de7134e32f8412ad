import type { Logger } from "pino";
import type { Context, Probot } from "probot";
import type { SharedState } from "../evaluation/shared-state.js";

/** How long a handled delivery id is remembered (SDLC_GUARD_DELIVERY_TTL_SECONDS). */
export const DEFAULT_DELIVERY_TTL_MS = 60 * 60 * 1000;

type Handler = (context: Context) => Promise<unknown>;

/**
 * The app as the handlers see it, with every `app.on` handler run once per webhook delivery (`X-GitHub-Delivery`),
 * however many times GitHub delivers it and whichever replica receives it: each handler claims
 * `<delivery id>#<handler>` in the shared state before it runs, and a claim already taken within `ttlMs` skips it.
 * Claiming per handler (not per delivery) keeps the handlers of one event independent: all of them run for the first
 * delivery, none for a copy. Deliveries without an id (never from GitHub) are always handled.
 *
 * GitHub's "Redeliver" button sends the same delivery id again, so a manual redelivery of a delivery that was handled
 * is ignored within the TTL (it is logged): the way to evaluate again is the check's "Re-run" button, which is a new
 * delivery (`check_run.rerequested`). A handler that failed forgets its claim, so redelivering a failed delivery works.
 */
export function handleEachDeliveryOnce(app: Probot, shared: SharedState, ttlMs = DEFAULT_DELIVERY_TTL_MS): Probot {
  let handlers = 0;
  const on = (events: Parameters<Probot["on"]>[0], handler: Handler): void => {
    const index = handlers++;
    (app.on as (events: unknown, handler: Handler) => void)(events, async (context) => {
      const delivery = context.id;
      if (!delivery) return handler(context);
      const claim = `${delivery}#${index}`;
      if (!(await shared.claimDelivery(claim, ttlMs))) {
        (context.log as unknown as Logger).info(
          { delivery, event: context.name },
          "delivery already handled: ignored (a redelivery keeps its id; use Re-run to evaluate again)",
        );
        return undefined;
      }
      try {
        return await handler(context);
      } catch (error) {
        await shared.forgetDelivery?.(claim).catch(() => undefined);
        throw error;
      }
    });
  };
  return new Proxy(app, {
    get(target, property) {
      if (property === "on") return on;
      const value: unknown = Reflect.get(target, property, target);
      // Probot keeps its state in private fields: its methods must run on the instance itself.
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}
