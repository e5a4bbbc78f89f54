// The datasets part of the contract: list what is on disk, download (a job), delete, and sample images for the UI.
import { z } from 'zod';
import { request } from './define';
import { JobInfo } from './jobs';

/** A built-in set's id or the id of a set the user added (a slug: it names a folder of the data folder). */
export const DatasetId = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,47}$/, 'not a data set id');
export type DatasetId = z.infer<typeof DatasetId>;
export const DownloadableId = z.enum([
  'cifar100',
  'svhn',
  'dtd',
  'cifar10',
  'tinyimagenet',
  'mnist',
  'places365',
]);
export type DownloadableId = z.infer<typeof DownloadableId>;

export const DatasetStatus = z.enum(['missing', 'downloading', 'ready', 'corrupt']);
export type DatasetStatus = z.infer<typeof DatasetStatus>;

export const DatasetInfo = z.object({
  id: DatasetId,
  name: z.string(),
  /** 'id': the training distribution; 'ood': outliers only. */
  role: z.enum(['id', 'ood']),
  /** Generated from a seed: always ready, nothing to download. */
  synthetic: z.boolean(),
  status: DatasetStatus,
  /** Cache plus kept archive (and a partial download), in bytes. */
  sizeOnDisk: z.number(),
  /** Approximate download size. */
  downloadBytes: z.number().nullable(),
  sourceUrl: z.string().nullable(),
  counts: z.object({ train: z.number().int().optional(), test: z.number().int() }),
  classes: z.number().int(),
  classNames: z.array(z.string()),
  /** Why it is corrupt, or how far a partial download got. */
  message: z.string().optional(),
  /** A set the user added: where from, and the images skipped as unreadable. */
  custom: z
    .object({
      path: z.string(),
      kind: z.string(),
      split: z.string(),
      skipped: z.number().int(),
      skippedFirst: z.array(z.string()),
    })
    .optional(),
  /** OpenOOD group of this OOD set for CIFAR-100 as ID. */
  group: z.enum(['near', 'far']).optional(),
  /** False when the archive was imported without checking the published md5 (--no-verify). */
  verified: z.boolean().optional(),
});
export type DatasetInfo = z.infer<typeof DatasetInfo>;

export const DownloadRequest = z
  .object({
    id: z.union([DownloadableId, z.literal('all')]),
    /** Import a file the user already has instead of downloading it. */
    from: z.string().min(1).optional(),
    /** Check the published md5 (default true). */
    verify: z.boolean().default(true),
    /** A mirror base URL: the archive's file name is appended. */
    mirror: z.url().optional(),
    /** Proxy URL; default HTTPS_PROXY / HTTP_PROXY from the environment. */
    proxy: z.url().optional(),
    /** Delete the source archives once the cache is built. */
    prune: z.boolean().optional(),
  })
  .strict();

/** What a finished 'datasets.download' job holds in JobInfo.result: the sets now ready. */
export const DownloadResult = z.object({ ready: z.array(z.string()) });
export type DownloadResult = z.infer<typeof DownloadResult>;

/** What a finished 'datasets.add' job holds in JobInfo.result. */
export const AddDatasetResult = z.object({
  id: DatasetId,
  name: z.string(),
  train: z.number().int(),
  test: z.number().int(),
  /** Images that could not be read: how many, and the first few (paths relative to the folder). */
  skipped: z.object({ count: z.number().int(), first: z.array(z.string()) }),
});
export type AddDatasetResult = z.infer<typeof AddDatasetResult>;

export const DatasetSample = z.object({
  index: z.number().int(),
  label: z.number().int(),
  className: z.string(),
  /** PNG, upscaled from 32x32. */
  dataUrl: z.string(),
});
export type DatasetSample = z.infer<typeof DatasetSample>;

export const datasetsRequests = {
  'datasets.list': request(z.object({ verify: z.boolean().optional() }).strict(), z.array(DatasetInfo)),
  'datasets.download': request(DownloadRequest, JobInfo),
  /** A built-in set's archive and cache, or a set the user added (its cache only: never their own files). */
  'datasets.delete': request(
    z.object({ id: DatasetId }).strict(),
    z.object({ deleted: z.boolean(), freedBytes: z.number() }),
  ),
  /** Starts a job (kind 'datasets.add'): a folder of images or .npz/.npy arrays becomes a data set. */
  'datasets.add': request(
    z
      .object({
        /** Absolute path of an image folder, an .npz, or an .npy of images (with `labels`). */
        path: z.string().min(1),
        name: z.string().min(1).max(80),
        role: z.enum(['id', 'ood']),
        /** Image side in the cache; the networks take 32x32. */
        size: z.literal(32).optional(),
        labels: z.string().min(1).optional(),
        seed: z.number().int().optional(),
      })
      .strict(),
    JobInfo,
  ),
  'datasets.samples': request(
    z
      .object({
        id: DatasetId,
        count: z.number().int().min(1).max(64).default(8),
        split: z.enum(['train', 'test']).optional(),
        /** Exact images to show; otherwise `count` spread evenly over the set. */
        indices: z.array(z.number().int().min(0)).max(64).optional(),
        /** Upscale factor of the PNGs (nearest neighbour). */
        scale: z.number().int().min(1).max(16).default(4),
      })
      .strict(),
    z.object({ n: z.number().int(), split: z.enum(['train', 'test']), samples: z.array(DatasetSample) }),
  ),
};

export const datasetsEvents = {
  /** A set changed state (downloaded, converted, deleted). */
  'datasets.changed': z.object({ id: DatasetId, status: DatasetStatus }),
};
