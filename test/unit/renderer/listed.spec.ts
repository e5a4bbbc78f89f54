// How the stores take a listing from main/: the list and loaded on success; on failure the message, with the list
// on show kept.
import { describe, expect, it } from 'vitest';
import { refreshList, type Listed } from '../../../renderer/src/lib/stores/listed';

describe('refreshList', () => {
  it('takes the list, and keeps it with the error when a later refresh fails', async () => {
    const store: Listed<number> = { list: [], loaded: false, error: 'stale' };
    await refreshList(store, async () => [1, 2]);
    expect(store).toEqual({ list: [1, 2], loaded: true, error: null });
    await refreshList(store, () => Promise.reject(new Error('main/ is gone')));
    expect(store).toEqual({ list: [1, 2], loaded: true, error: 'main/ is gone' });
  });
});
