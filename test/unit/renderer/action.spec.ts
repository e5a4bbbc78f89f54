// The busy / error helper of the pages and forms: busy exactly while an action runs, a rejection's message kept as
// the error until the next action, and the after-hook run either way.
import { describe, expect, it, vi } from 'vitest';
import { Action } from '../../../renderer/src/lib/action.svelte';

describe('Action', () => {
  it('is busy while the action runs and returns its value', async () => {
    const a = new Action();
    let release!: (v: number) => void;
    const p = a.run(() => new Promise<number>((r) => (release = r)));
    expect(a.busy).toBe(true);
    release(42);
    expect(await p).toBe(42);
    expect(a.busy).toBe(false);
    expect(a.error).toBeNull();
  });

  it('keeps the message of a rejection until the next action starts, and runs after() either way', async () => {
    const after = vi.fn();
    const a = new Action(after);
    expect(await a.run(() => Promise.reject(new Error('no such run')))).toBeUndefined();
    expect(a.error).toBe('no such run');
    expect(a.busy).toBe(false);
    expect(after).toHaveBeenCalledTimes(1);
    const next = a.run(async () => 'ok');
    expect(a.error).toBeNull();
    expect(await next).toBe('ok');
    expect(after).toHaveBeenCalledTimes(2);
  });
});
