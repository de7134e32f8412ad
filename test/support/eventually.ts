/**
 * Waits until `condition` holds (polled every `everyMs`), or fails after `timeoutMs` naming `what` and, when given,
 * what `explain` reports (e.g. the state of a queue). The one polling helper of the tests.
 */
export async function eventually(
  condition: () => boolean | Promise<boolean>,
  {
    what = "the condition",
    timeoutMs = 10_000,
    everyMs = 25,
    explain,
  }: { what?: string; timeoutMs?: number; everyMs?: number; explain?: () => Promise<string> | string } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${explain ? `\n${await explain()}` : ""}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
