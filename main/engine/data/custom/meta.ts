/**
 * What the cache manifest of a user's own data set records (its `custom` field): the name and role the user gave,
 * where the data came from (never touched again: removing the set deletes only the cache), how the ID split was
 * made, and which unreadable images were skipped. Custom ids share the data folder with the built-in sets, so
 * they are slugs that cannot name a built-in set or leave the folder.
 */
import { OodlabError } from '../../../../common/contract/errors';
import { datasetIds } from '../registry';

export interface CustomMeta {
  name: string;
  role: 'id' | 'ood';
  kind: 'imagefolder' | 'imagefolder-split' | 'image-folder-ood' | 'npz' | 'npy';
  path: string;
  size: number;
  /** given: the folder's own train/ and test/; seeded: a shuffled 80/20 split made here; none: OOD. */
  split: { kind: 'given' } | { kind: 'seeded'; seed: number; trainFraction: number } | { kind: 'none' };
  skipped: { count: number; first: string[] };
  addedAt: string;
}

export const CUSTOM_ID = /^[a-z0-9][a-z0-9_-]{0,47}$/;

/** The id a name becomes: lower case, runs of other characters as one '-'. */
export function customIdOf(name: string): string {
  const id = name
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/^[-_]+|-+$/g, '')
    .slice(0, 48);
  if (!CUSTOM_ID.test(id))
    throw new OodlabError(
      'invalid_request',
      `'${name}' does not make a data set id: use letters and digits.`,
    );
  if ((datasetIds as string[]).includes(id))
    throw new OodlabError('conflict', `'${id}' is a built-in data set: choose another name.`);
  return id;
}
