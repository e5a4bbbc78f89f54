/**
 * The libtensorflow backends (@tensorflow/tfjs-node and -gpu, optional dependencies that cannot install without
 * network access to download libtensorflow). Both register tfjs' 'tensorflow' backend; the GPU build is only
 * reported as tensorflow-gpu when libtensorflow actually placed ops on a GPU.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { BackendReport } from '../../../common/contract/runs';
import { coreVersions, resolvable } from './versions';

const gpuHelp =
  'tfjs-node-gpu 4.x needs an NVIDIA driver, CUDA 11.2 (libcudart.so.11.0, libcublas.so.11, libcufft.so.10, ' +
  'libcurand.so.10, libcusolver.so.11, libcusparse.so.11) and cuDNN 8.1 (libcudnn.so.8) on the library path ' +
  '(LD_LIBRARY_PATH on Linux, PATH on Windows)';

interface TfjsNodeBinding {
  isUsingGpuDevice?: () => boolean;
  TF_Version?: string;
}

export async function loadTfjsNode(gpu: boolean): Promise<BackendReport> {
  const pkg = gpu ? '@tensorflow/tfjs-node-gpu' : '@tensorflow/tfjs-node';
  if (!resolvable(pkg)) {
    throw new Error(
      `${pkg} is not installed. Install it with \`npm install ${pkg}\` on a machine with network access ` +
        `(its install script downloads libtensorflow)${gpu ? `; ${gpuHelp}` : ''}.`,
    );
  }
  try {
    await import(pkg);
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    throw new Error(
      `${pkg} is installed but failed to load (${msg}).${gpu ? ` ${gpuHelp}.` : ' Reinstall it.'}`,
    );
  }
  if (!(await tf.setBackend('tensorflow')))
    throw new Error(`${pkg} loaded but the tensorflow backend did not initialise.`);
  const binding = (tf.backend() as unknown as { binding?: TfjsNodeBinding }).binding;
  const onGpu = binding?.isUsingGpuDevice?.() ?? false;
  if (gpu && !onGpu) throw new Error(`${pkg} loaded but libtensorflow sees no GPU; ${gpuHelp}.`);
  const versions = coreVersions([gpu ? 'tfjs-node-gpu' : 'tfjs-node']);
  if (binding?.TF_Version) versions.libtensorflow = binding.TF_Version;
  return {
    name: gpu ? 'tensorflow-gpu' : 'tensorflow',
    device: onGpu ? 'NVIDIA GPU via libtensorflow (CUDA)' : 'CPU via libtensorflow',
    software: false,
    versions,
  };
}
