// The OOD section of bench/analysis.ts: the six original detectors fitted on ID train and scoring ID test and each
// OOD set, one after another as evaluate.ts does it (bench/ood-methods.ts times all twenty against NumPy).
import type { RunFeatures } from '../main/engine/features/store';
import { createDetector, type FeatureMethod } from '../main/engine/ood/registry';

/** The six original detectors (their figures in README); all twenty are in bench/ood-methods.ts. */
const methodNames: FeatureMethod[] = ['msp', 'maxlogit', 'energy', 'mahalanobis', 'vim', 'neco'];

const cpuSeconds = (c: NodeJS.CpuUsage) => (c.user + c.system) / 1e6;
const fmt = (wall: number, cpu: number) =>
  `${wall.toFixed(2).padStart(6)} s (${cpu.toFixed(2).padStart(5)} s CPU)`;

/**
 * Fits and scores every detector; prints wall and CPU seconds per method (CPU counts every thread of this
 * process: XNNPACK's threads included) and returns the total wall seconds.
 */
export async function oodSection(rf: RunFeatures): Promise<number> {
  const train = { ...rf.idTrain, labels: rf.idTrain.labels! };
  const t0 = performance.now();
  for (const name of methodNames) {
    const det = createDetector(name);
    const t = performance.now();
    const c = process.cpuUsage();
    await det.fit(train, rf.W, rf.b);
    const tf = performance.now();
    const cf = process.cpuUsage(c);
    await det.score(rf.idTest);
    for (const s of Object.values(rf.ood)) await det.score(s);
    const ts = performance.now();
    const cs = cpuSeconds(process.cpuUsage(c)) - cpuSeconds(cf);
    console.log(
      `  ${det.method.padEnd(12)} fit ${fmt((tf - t) / 1000, cpuSeconds(cf))}  score ${fmt((ts - tf) / 1000, cs)}  ${JSON.stringify(det.params)}`,
    );
  }
  return (performance.now() - t0) / 1000;
}
