// The PyTorch reference beside OODLab's throughput figures: bench/torch_resnet18.py (the same CIFAR ResNet-18,
// SGD with momentum, fp32) run as a child process with the configuration just measured, so that both figures come
// from the same minutes of a shared machine. On CPU, torch gets as many threads as there are cores (OMP_NUM_THREADS),
// as OODLab's wasm backend does. Used by bench/train-throughput.ts --reference and by the GPU kit.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';

export interface TorchFigures {
  framework: string;
  device: string;
  threads: number;
  trainImgPerSec: number;
  inferImgPerSec: number;
  /** Per CPU-second of the Python process (all its threads). */
  trainImgPerCpuSec?: number;
  inferImgPerCpuSec?: number;
}

/** The script: beside this file in the repository, or beside the bundle in the GPU kit. */
export function torchScript(dir: string): string {
  return join(dir, 'torch_resnet18.py');
}

/** Whether `python3 -c 'import torch'` works here (and, for 'cuda', sees a GPU); the reason when it does not. */
export function torchUnavailable(device: 'cpu' | 'cuda' = 'cpu', python = 'python3'): string {
  const code =
    device === 'cuda' ? 'import torch,sys; sys.exit(0 if torch.cuda.is_available() else 3)' : 'import torch';
  const r = spawnSync(python, ['-c', code], { encoding: 'utf8' });
  if (r.error) return `${python} did not start (${r.error.message})`;
  if (r.status === 3) return 'torch sees no CUDA device';
  if (r.status !== 0) return `python3 cannot import torch (${r.stderr.trim().split('\n').pop() ?? ''})`;
  return '';
}

/** Runs the script once; its figures, or the reason it failed. */
export function runTorch(
  script: string,
  width: number,
  batch: number,
  steps: number,
  device: 'cpu' | 'cuda' = 'cpu',
  o: { python?: string; threads?: number; timeoutMs?: number } = {},
): TorchFigures | string {
  if (!existsSync(script)) return `no ${script}`;
  const threads = o.threads ?? cpus().length;
  const r = spawnSync(o.python ?? 'python3', [script, String(width), String(batch), String(steps), device], {
    encoding: 'utf8',
    env: { ...process.env, OMP_NUM_THREADS: String(threads), MKL_NUM_THREADS: String(threads) },
    timeout: o.timeoutMs ?? 30 * 60_000,
  });
  if (r.error) return `torch_resnet18.py did not run (${r.error.message})`;
  if (r.status !== 0) return `torch_resnet18.py failed: ${r.stderr.trim().split('\n').pop() ?? r.status}`;
  try {
    return JSON.parse(r.stdout.trim().split('\n').pop()!) as TorchFigures;
  } catch {
    return `torch_resnet18.py printed no result (${r.stdout.slice(-200)})`;
  }
}
