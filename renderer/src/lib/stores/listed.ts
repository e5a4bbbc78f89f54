// A list the main process serves (data sets, cluster groups) as a store holds it: `loaded` once a listing arrived,
// `error` the message of the last refresh that failed (the list on show stays as it was).
import { messageOf } from '../errors';

export interface Listed<T> {
  list: T[];
  loaded: boolean;
  error: string | null;
}

export async function refreshList<T>(store: Listed<T>, fetch: () => Promise<T[]>): Promise<void> {
  try {
    store.list = await fetch();
    store.loaded = true;
    store.error = null;
  } catch (e) {
    store.error = messageOf(e);
  }
}
