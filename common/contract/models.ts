// Models made elsewhere, and ours leaving the app: importing an ONNX classifier (or a PyTorch state_dict of the
// study's CIFAR ResNet-18) as a run of kind 'imported', and exporting a run's checkpoint as ONNX.
import { z } from 'zod';
import { request } from './define';
import { RunId } from './run-id';
import { RunManifest } from './runs';

const Rgb = z.tuple([z.number(), z.number(), z.number()]);

/** What runs/<id>/import.json records about an imported model. */
export const ImportedModel = z.object({
  format: z.enum(['onnx', 'pytorch', 'safetensors']),
  /** The copied file, relative to the run folder. */
  file: z.string(),
  sha256: z.string(),
  source: z.string().describe('Path the model was imported from'),
  importedAt: z.string(),
  classes: z.number().int(),
  dim: z.number().int().describe('Penultimate feature dimension'),
  mean: Rgb,
  std: Rgb,
  /** ONNX only: how the graph is fed and read. */
  onnx: z
    .object({
      input: z.string(),
      batch: z.number().int().nullable().describe('Fixed batch size, null when symbolic'),
      size: z.tuple([z.number().int(), z.number().int()]),
      logits: z.string(),
      features: z.string(),
      layers: z.array(z.string()).describe('Tensors stored as layer1..layerK, in this order'),
      layerDims: z.array(z.number().int()),
      head: z.enum(['Gemm', 'MatMul+Add', 'MatMul', 'fitted']),
      opset: z.number().int(),
      producer: z.string(),
    })
    .optional(),
  /** PyTorch only: the architecture and width the state_dict was mapped onto. */
  arch: z.object({ name: z.literal('resnet18-cifar'), width: z.number().int() }).optional(),
});
export type ImportedModel = z.infer<typeof ImportedModel>;

export const ImportModelRequest = z
  .object({
    path: z.string().min(1).describe('The model file (.onnx, .pth/.pt, .safetensors)'),
    name: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,40}$/, 'letters, digits, - and _ only')
      .optional(),
    dataset: z.enum(['cifar100', 'synthetic']).default('cifar100').describe('The in-distribution data set'),
    mean: Rgb.optional().describe('Per-channel mean of the normalisation (default: the data set’s)'),
    std: z.tuple([z.number().positive(), z.number().positive(), z.number().positive()]).optional(),
    inputSize: z
      .number()
      .int()
      .min(8)
      .max(1024)
      .optional()
      .describe('Input size when the graph leaves it open'),
    features: z.string().optional().describe('Tensor (or node) holding the penultimate features'),
    layers: z.array(z.string()).optional().describe('Tensors for the layer-wise study (4-D ones are pooled)'),
    arch: z.literal('resnet18-cifar').optional().describe('PyTorch state_dicts: the architecture'),
    width: z.number().int().min(1).max(128).optional().describe('PyTorch state_dicts: the width (inferred)'),
  })
  .strict();
export type ImportModelRequest = z.input<typeof ImportModelRequest>;

export const ImportModelResult = z.object({
  run: RunManifest,
  model: ImportedModel,
  notes: z.array(z.string()).describe('What the import decided (pooling, batch, resize), one sentence each'),
});
export type ImportModelResult = z.infer<typeof ImportModelResult>;

export const ExportModelRequest = z
  .object({
    runId: RunId,
    checkpoint: z.union([z.enum(['best', 'last']), z.number().int().min(0)]).default('best'),
    out: z
      .string()
      .min(1)
      .optional()
      .describe('File to write (default: runs/<id>/export/model-<checkpoint>.onnx)'),
  })
  .strict();
export type ExportModelRequest = z.input<typeof ExportModelRequest>;

export const ExportModelResult = z.object({
  file: z.string(),
  bytes: z.number().int(),
  sha256: z.string(),
  opset: z.number().int(),
  outputs: z.array(z.string()),
});
export type ExportModelResult = z.infer<typeof ExportModelResult>;

export const InspectModelResult = z.object({
  format: z.enum(['onnx', 'pytorch', 'safetensors']),
  /** ONNX: the input, the fixed size and batch (null when symbolic), and the classes the logits have. */
  input: z.string().optional(),
  size: z.tuple([z.number().int(), z.number().int()]).nullable().optional(),
  batch: z.number().int().nullable().optional(),
  classes: z.number().int().nullable(),
  /** The penultimate features found from the head, or null (then headProblem says why). */
  features: z.string().nullable(),
  headProblem: z.string().optional(),
  /** Likely layers for the layer-wise study: the outputs of the residual stages. */
  candidates: z.array(z.string()),
});
export type InspectModelResult = z.infer<typeof InspectModelResult>;

export const modelsRequests = {
  /** Looks into a model file without importing it (the import form's pick lists). */
  'models.inspect': request(
    z.object({ path: z.string().min(1), inputSize: z.number().int().min(8).max(1024).optional() }).strict(),
    InspectModelResult,
  ),
  /** Copies the model into a new run of kind 'imported' (nothing is left behind when it fails). */
  'models.import': request(ImportModelRequest, ImportModelResult),
  /** Writes a trained run's checkpoint as ONNX (outputs logits, features, layer1..layer4). */
  'models.export': request(ExportModelRequest, ExportModelResult),
};

export const modelsEvents = {};
