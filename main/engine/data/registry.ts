/**
 * What each data set is and where it comes from. The real sources and checksums are DESIGN.md's; the URL, md5,
 * expected counts and class names can be overridden (OODLAB_DATASET_OVERRIDES, a JSON object keyed by id) so
 * tests can point the real code at a local server with small archives, and a mirror base URL can replace the
 * host (OODLAB_MIRROR_<SET> or the mirror option) for users whose network cannot reach the originals.
 */
import { OodlabError } from '../../../common/contract/errors';
import { CIFAR100_FINE, DTD_CLASSES, SVHN_CLASSES } from './class-names';

export type DatasetId = 'cifar100' | 'svhn' | 'dtd' | 'synthetic' | 'synthetic-ood';
export const datasetIds: DatasetId[] = ['cifar100', 'svhn', 'dtd', 'synthetic', 'synthetic-ood'];
/** The sets that come from the network; 'all' means these. */
export const downloadableIds = ['cifar100', 'svhn', 'dtd'] as const;
export type DownloadableId = (typeof downloadableIds)[number];

export type SourceFormat = 'cifar100-binary' | 'svhn-mat' | 'dtd-tar';

export interface DatasetSource {
  url: string;
  /** The archive's name on disk (kept under datasets/<id>/ so a damaged cache can be rebuilt). */
  file: string;
  md5: string;
  /** For display before the download starts; the server's Content-Length wins. */
  approxBytes: number;
  format: SourceFormat;
}

export interface DatasetSpec {
  id: DatasetId;
  name: string;
  /** 'id': the training distribution; 'ood': only ever shown to a trained model as outliers. */
  role: 'id' | 'ood';
  source?: DatasetSource;
  counts: { train?: number; test: number };
  classNames: string[];
}

const builtIn: Record<DatasetId, DatasetSpec> = {
  cifar100: {
    id: 'cifar100',
    name: 'CIFAR-100',
    role: 'id',
    source: {
      url: 'https://www.cs.toronto.edu/~kriz/cifar-100-binary.tar.gz',
      file: 'cifar-100-binary.tar.gz',
      md5: '03b5dce01913d631647c71ecec9e9cb8',
      approxBytes: 168_513_733,
      format: 'cifar100-binary',
    },
    counts: { train: 50_000, test: 10_000 },
    classNames: CIFAR100_FINE,
  },
  svhn: {
    id: 'svhn',
    name: 'SVHN (test)',
    role: 'ood',
    source: {
      url: 'http://ufldl.stanford.edu/housenumbers/test_32x32.mat',
      file: 'test_32x32.mat',
      md5: 'eb5a983be6a315427106f1b164d9cef3',
      approxBytes: 64_275_384,
      format: 'svhn-mat',
    },
    counts: { test: 26_032 },
    classNames: SVHN_CLASSES,
  },
  dtd: {
    id: 'dtd',
    name: 'DTD (Describable Textures)',
    role: 'ood',
    source: {
      url: 'https://www.robots.ox.ac.uk/~vgg/data/dtd/download/dtd-r1.0.1.tar.gz',
      file: 'dtd-r1.0.1.tar.gz',
      md5: 'fff73e5086ae6bdbea199a49dfb8a4c1',
      approxBytes: 625_239_812,
      format: 'dtd-tar',
    },
    counts: { test: 5_640 },
    classNames: DTD_CLASSES,
  },
  synthetic: {
    id: 'synthetic',
    name: 'Synthetic (offline)',
    role: 'id',
    counts: { train: 5_000, test: 1_000 },
    classNames: Array.from({ length: 10 }, (_, k) => `class-${k}`),
  },
  'synthetic-ood': {
    id: 'synthetic-ood',
    name: 'Synthetic OOD (offline)',
    role: 'ood',
    counts: { test: 1_000 },
    classNames: ['noise', 'checkerboard', 'rings', 'blobs'],
  },
};

export interface SpecOverride {
  url?: string;
  md5?: string;
  file?: string;
  counts?: { train?: number; test: number };
  classNames?: string[];
}

let overrides: Partial<Record<DatasetId, SpecOverride>> = {};

/** In-process overrides (tests); the env variable reaches worker threads as well. */
export function setSpecOverrides(o: Partial<Record<DatasetId, SpecOverride>>): void {
  overrides = o;
}

function envOverrides(env: NodeJS.ProcessEnv): Partial<Record<DatasetId, SpecOverride>> {
  const raw = env.OODLAB_DATASET_OVERRIDES;
  if (!raw) return {};
  try {
    return JSON.parse(raw) as Partial<Record<DatasetId, SpecOverride>>;
  } catch {
    throw new OodlabError('invalid_request', 'OODLAB_DATASET_OVERRIDES is not valid JSON.');
  }
}

export function isDatasetId(s: string): s is DatasetId {
  return (datasetIds as string[]).includes(s);
}

/** A mirror is a base URL: the archive's file name is appended. */
export function mirrorUrl(base: string, file: string): string {
  return `${base.replace(/\/+$/, '')}/${file}`;
}

export function datasetSpec(
  id: DatasetId,
  opts: { mirror?: string; env?: NodeJS.ProcessEnv } = {},
): DatasetSpec {
  const env = opts.env ?? process.env;
  const base = builtIn[id];
  if (!base) throw new OodlabError('not_found', `Unknown data set '${String(id)}'.`);
  const o = { ...envOverrides(env)[id], ...overrides[id] };
  const spec: DatasetSpec = {
    ...base,
    counts: o.counts ?? base.counts,
    classNames: o.classNames ?? base.classNames,
    source: base.source && {
      ...base.source,
      url: o.url ?? base.source.url,
      md5: o.md5 ?? base.source.md5,
      file: o.file ?? base.source.file,
    },
  };
  const mirror = opts.mirror ?? env[`OODLAB_MIRROR_${id.toUpperCase().replace(/-/g, '_')}`];
  if (mirror && spec.source) spec.source.url = mirrorUrl(mirror, spec.source.file);
  return spec;
}
