import { KeyedLock } from "../../src/evaluation/keyed-lock.js";

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe("KeyedLock", () => {
  it("runs tasks with the same key one after another, in arrival order", async () => {
    const lock = new KeyedLock();
    const events: string[] = [];
    const task = (name: string) => async () => {
      events.push(`${name} start`);
      await tick();
      events.push(`${name} end`);
      return name;
    };

    const results = await Promise.all([lock.run("pr#1", task("a")), lock.run("pr#1", task("b")), lock.run("pr#1", task("c"))]);

    expect(results).toEqual(["a", "b", "c"]);
    expect(events).toEqual(["a start", "a end", "b start", "b end", "c start", "c end"]);
  });

  it("runs tasks with different keys concurrently", async () => {
    const lock = new KeyedLock();
    const events: string[] = [];
    const task = (name: string) => async () => {
      events.push(`${name} start`);
      await tick();
      events.push(`${name} end`);
    };

    await Promise.all([lock.run("pr#1", task("a")), lock.run("pr#2", task("b"))]);

    expect(events.slice(0, 2).sort()).toEqual(["a start", "b start"]);
  });

  it("a failed task does not block the next one with the same key, and its error reaches its caller", async () => {
    const lock = new KeyedLock();
    const failed = lock.run("pr#1", async () => {
      throw new Error("GitHub down");
    });
    const next = lock.run("pr#1", async () => "ran");

    await expect(failed).rejects.toThrow("GitHub down");
    await expect(next).resolves.toBe("ran");
  });

  it("forgets a key once its queue is empty", async () => {
    const lock = new KeyedLock();
    await lock.run("pr#1", async () => undefined);
    await tick();
    expect(lock.size).toBe(0);
  });
});
