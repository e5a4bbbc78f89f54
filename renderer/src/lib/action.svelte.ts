// A user action that calls the API: `busy` while it runs (its buttons wait), `error` the message of what it rejected
// with, shown in the component's alert until the next action starts. Pages and forms share this one helper instead
// of each writing the same try / catch / finally.
import { messageOf } from './errors';

export class Action {
  /** An action is running. */
  busy = $state(false);
  /** What the last action rejected with (or what the component reports itself), until the next one starts. */
  error = $state<string | null>(null);
  readonly #after: (() => void) | undefined;

  /** `after` runs when each action ends, whether it succeeded or not (e.g. refresh a listing). */
  constructor(after?: () => void) {
    this.#after = after;
  }

  /** Runs f with busy set and the error cleared; its value, or undefined when it rejected (then `error` says why). */
  async run<T>(f: () => Promise<T>): Promise<T | undefined> {
    this.busy = true;
    this.error = null;
    try {
      return await f();
    } catch (e) {
      this.error = messageOf(e);
      return undefined;
    } finally {
      this.busy = false;
      this.#after?.();
    }
  }
}
