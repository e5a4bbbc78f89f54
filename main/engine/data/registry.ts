/**
 * What each data set is and where it comes from. The sources and checksums: CIFAR-100, SVHN and DTD are DESIGN.md's;
 * CIFAR-10 (binary version) is the one published on https://www.cs.toronto.edu/~kriz/cifar.html; MNIST's four IDX
 * files and md5s are torchvision's `MNIST.resources` (torchvision/datasets/mnist.py, the ossci-datasets mirror that
 * torchvision downloads from since yann.lecun.com went offline); Tiny ImageNet is torchvision-contrib's and OpenOOD's
 * (scripts/download/download.py) cs231n zip, md5 90528d7ca1a48142e341f4ef8d21d0de; Places365's small-image
 * validation archive is torchvision's `Places365._IMAGES_META[('val', True)]` (torchvision/datasets/places365.py),
 * md5 e27b17d8d44f4af9a78502beb927f808. OpenOOD v1.5 scores CIFAR models against filtered subsets of Tiny ImageNet
 * and Places365 (images of classes overlapping CIFAR removed, lists on its own Google Drive); we use the published
 * archives whole (all 10,000 TIN validation and 36,500 Places365 validation images), and MNIST's 70,000 images as
 * OpenOOD does. The URL, md5,
 * expected counts and class names can be overridden (OODLAB_DATASET_OVERRIDES, a JSON object keyed by id) so
 * tests can point the real code at a local server with small archives, and a mirror base URL can replace the
 * host (OODLAB_MIRROR_<SET> or the mirror option) for users whose network cannot reach the originals.
 */
import { DownloadableId } from '../../../common/contract/datasets';
import { OodlabError } from '../../../common/contract/errors';
import { CIFAR100_FINE, CIFAR10_CLASSES, DTD_CLASSES, SVHN_CLASSES } from './class-names';

export type DatasetId =
  | 'cifar100'
  | 'cifar10'
  | 'tinyimagenet'
  | 'mnist'
  | 'svhn'
  | 'dtd'
  | 'places365'
  | 'synthetic'
  | 'synthetic-ood';
export const datasetIds: DatasetId[] = [
  'cifar100',
  'cifar10',
  'tinyimagenet',
  'mnist',
  'svhn',
  'dtd',
  'places365',
  'synthetic',
  'synthetic-ood',
];
/** The sets that come from the network; 'all' means these. The contract lists them (DownloadableId). */
export const downloadableIds = DownloadableId.options;
export type { DownloadableId };

export type SourceFormat =
  | 'cifar100-binary'
  | 'svhn-mat'
  | 'dtd-tar'
  | 'cifar10-binary'
  | 'tinyimagenet-zip'
  | 'mnist-idx'
  | 'places365-tar';

/** A further file of a set published as several (MNIST's four IDX files). */
export interface SourcePart {
  url: string;
  file: string;
  md5: string;
  approxBytes: number;
}

export interface DatasetSource {
  url: string;
  /** The archive's name on disk (kept under datasets/<id>/ so a damaged cache can be rebuilt). */
  file: string;
  md5: string;
  /** For display before the download starts; the server's Content-Length wins. */
  approxBytes: number;
  format: SourceFormat;
  /** The other files of the set, downloaded and verified the same way. */
  more?: SourcePart[];
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

const MNIST_BASE = 'https://ossci-datasets.s3.amazonaws.com/mnist/';

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
  cifar10: {
    id: 'cifar10',
    name: 'CIFAR-10',
    role: 'id',
    source: {
      url: 'https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz',
      file: 'cifar-10-binary.tar.gz',
      md5: 'c32a1d4ab5d03f1284b67883e8d87530',
      approxBytes: 170_052_171,
      format: 'cifar10-binary',
    },
    counts: { train: 50_000, test: 10_000 },
    classNames: CIFAR10_CLASSES,
  },
  tinyimagenet: {
    id: 'tinyimagenet',
    name: 'Tiny ImageNet (validation)',
    role: 'ood',
    source: {
      url: 'http://cs231n.stanford.edu/tiny-imagenet-200.zip',
      file: 'tiny-imagenet-200.zip',
      md5: '90528d7ca1a48142e341f4ef8d21d0de',
      approxBytes: 248_100_043,
      format: 'tinyimagenet-zip',
    },
    counts: { test: 10_000 },
    // the wnids' words come from the archive; until it is converted, 200 placeholders say how many
    classNames: Array.from({ length: 200 }, (_, k) => `class-${k}`),
  },
  mnist: {
    id: 'mnist',
    name: 'MNIST',
    role: 'ood',
    source: {
      url: `${MNIST_BASE}train-images-idx3-ubyte.gz`,
      file: 'train-images-idx3-ubyte.gz',
      md5: 'f68b3c2dcbeaaa9fbdd348bbdeb94873',
      approxBytes: 9_912_422,
      format: 'mnist-idx',
      more: [
        {
          url: `${MNIST_BASE}train-labels-idx1-ubyte.gz`,
          file: 'train-labels-idx1-ubyte.gz',
          md5: 'd53e105ee54ea40749a09fcbcd1e9432',
          approxBytes: 28_881,
        },
        {
          url: `${MNIST_BASE}t10k-images-idx3-ubyte.gz`,
          file: 't10k-images-idx3-ubyte.gz',
          md5: '9fb629c4189551a2d022fa330f9573f3',
          approxBytes: 1_648_877,
        },
        {
          url: `${MNIST_BASE}t10k-labels-idx1-ubyte.gz`,
          file: 't10k-labels-idx1-ubyte.gz',
          md5: 'ec29112dd5afa0611ce80d1b7f02629c',
          approxBytes: 4_542,
        },
      ],
    },
    counts: { test: 70_000 },
    classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
  },
  places365: {
    id: 'places365',
    name: 'Places365 (validation, 256 px)',
    role: 'ood',
    source: {
      url: 'http://data.csail.mit.edu/places/places365/val_256.tar',
      file: 'val_256.tar',
      md5: 'e27b17d8d44f4af9a78502beb927f808',
      approxBytes: 525_000_000,
      format: 'places365-tar',
    },
    counts: { test: 36_500 },
    classNames: ['scene'],
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
  /** Per further file, in order (MNIST). */
  more?: { url?: string; md5?: string }[];
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
      more: base.source.more?.map((p, k) => ({
        ...p,
        url: o.more?.[k]?.url ?? p.url,
        md5: o.more?.[k]?.md5 ?? p.md5,
      })),
    },
  };
  const mirror = opts.mirror ?? env[`OODLAB_MIRROR_${id.toUpperCase().replace(/-/g, '_')}`];
  if (mirror && spec.source) {
    spec.source.url = mirrorUrl(mirror, spec.source.file);
    for (const p of spec.source.more ?? []) p.url = mirrorUrl(mirror, p.file);
  }
  return spec;
}
