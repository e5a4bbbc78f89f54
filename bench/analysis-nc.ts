// Neural Collapse analysis at CIFAR-100 scale: NC1–NC5 (and the ID/OOD orthogonality) on 50,000 x 512 training
// features, 10,000 test and 26,032 + 5,640 OOD features, 100 classes; then the geometry. The target is under 10 s
// for NC1–NC5 on one core. bench/analysis.ts runs ncSection on its shared fixture; alone:
//   npx tsx bench/analysis-nc.ts
import { pathToFileURL } from 'node:url';
import type { RunFeatures } from '../main/engine/features/store';
import { computeGeometry } from '../main/engine/nc/geometry';
import { computeNcMetrics, orthogonality } from '../main/engine/nc/metrics';
import { classStats } from '../main/engine/linalg/class-stats';
import { cifarSized, makeFeatures } from '../test/helpers/features';

/** Wall and CPU seconds of fn: on a shared machine the wall time also measures the neighbours. */
function timed<T>(fn: () => T): { value: T; wall: number; cpu: number } {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const value = fn();
  const c = process.cpuUsage(c0);
  return { value, wall: (performance.now() - t0) / 1000, cpu: (c.user + c.system) / 1e6 };
}

const secs = (t: { wall: number; cpu: number }) =>
  `${t.wall.toFixed(2).padStart(6)} s wall, ${t.cpu.toFixed(2).padStart(6)} s CPU`;

/** Times NC1–NC5 (the target), then the ID/OOD orthogonality and the geometry; returns NC1–NC5's wall seconds. */
export function ncSection(rf: RunFeatures): number {
  const nc = timed(() => computeNcMetrics({ ...rf, ood: {} }));
  const m = nc.value;
  console.log(
    `  NC1-NC5 (train + test)          ${secs(nc)}  ` +
      `NC1 ${m.nc1.toPrecision(4)}  NC3 ${m.nc3.toPrecision(4)}  NC4 ${m.nc4.toFixed(4)}  NC5 ${m.nc5.toFixed(4)}`,
  );
  const st = classStats(rf.idTrain.features, rf.idTrain.labels!, rf.idTrain.n, rf.D, rf.C);
  for (const [name, set] of Object.entries(rf.ood)) {
    const o = timed(() => orthogonality(st, set));
    console.log(
      `  ID/OOD orthogonality, ${name.padEnd(8)} ${secs(o)}  mean |cos| ${o.value.meanAbsCos.toFixed(4)}`,
    );
  }
  const geo = timed(() => computeGeometry(rf, st));
  console.log(
    `  geometry (cosines, ETF, PCA)    ${secs(geo)}  ETF distance ${geo.value.etfDistanceMeans.toFixed(3)}`,
  );
  return nc.wall;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const t = performance.now();
  const rf = await makeFeatures(cifarSized);
  console.log(`fixture: ${((performance.now() - t) / 1000).toFixed(1)} s (not timed below)`);
  console.log('Neural Collapse: 50,000 x 512 train, 10,000 test, 26,032 + 5,640 OOD, 100 classes');
  const s = ncSection(rf);
  console.log(`NC1-NC5: ${s.toFixed(2)} s (target < 10 s)`);
}
