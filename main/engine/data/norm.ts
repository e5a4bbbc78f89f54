/**
 * Per-channel normalisation statistics of a training split (pixel values scaled to [0, 1]), computed once when
 * an ID set enters the cache and stored in its manifest: mean and population standard deviation over every pixel
 * of every image, which is how the published CIFAR constants (e.g. CIFAR-100's 0.5071 / 0.2673) are obtained.
 */
export interface NormStats {
  mean: [number, number, number];
  std: [number, number, number];
}

export function channelStats(images: Uint8Array): NormStats {
  // integer sums are exact: 50,000 CIFAR images give at most 2.5e13 for the squares, far below 2^53
  const sum = [0, 0, 0];
  const sq = [0, 0, 0];
  for (let i = 0; i < images.length; i += 3)
    for (let c = 0; c < 3; c++) {
      const v = images[i + c];
      sum[c] += v;
      sq[c] += v * v;
    }
  const n = images.length / 3;
  const mean = sum.map((s) => s / n / 255);
  const std = sq.map((s, c) => Math.sqrt(Math.max(s / n / 65025 - mean[c] * mean[c], 0)));
  return { mean: mean as NormStats['mean'], std: std as NormStats['std'] };
}
