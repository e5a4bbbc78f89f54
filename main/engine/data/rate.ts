/** Transfer rate over the last few seconds (not since the start, which hides a stall) and the time left. */
export interface TransferProgress {
  bytes: number;
  total: number | null;
  /** Bytes per second over the recent window. */
  rate: number;
  etaSeconds: number | null;
}

export class RateMeter {
  private samples: [number, number][] = [];
  private total: number | null = null;

  constructor(
    private readonly windowMs = 5000,
    private readonly now: () => number = () => performance.now(),
  ) {}

  restart(bytes: number, total: number | null): void {
    this.samples = [[this.now(), bytes]];
    this.total = total;
  }

  update(bytes: number): TransferProgress {
    const t = this.now();
    if (t - this.samples[this.samples.length - 1][0] >= 100) this.samples.push([t, bytes]);
    while (this.samples.length > 2 && t - this.samples[1][0] > this.windowMs) this.samples.shift();
    const [t0, b0] = this.samples[0];
    const rate = t > t0 ? ((bytes - b0) * 1000) / (t - t0) : 0;
    const eta = this.total !== null && rate > 0 ? (this.total - bytes) / rate : null;
    return { bytes, total: this.total, rate, etaSeconds: eta };
  }
}
