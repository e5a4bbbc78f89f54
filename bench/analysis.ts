// Analysis benchmark: fit + score of every OOD detector on CIFAR-sized features (50,000 x 512 ID train, 10,000 ID
// test, 26,032 SVHN-sized and 5,640 DTD-sized OOD rows, 100 classes), on the wasm backend. Prints wall time per
// method, the total, and the peak RSS. Sections are functions taking the shared fixture so that further analyses
// (Neural Collapse) can be appended and timed on the same features.
import { initBackend } from '../main/engine/backend';
import { ncSection } from './analysis-nc';
import { oodSection } from './analysis-ood';
import { cifarSized, makeFeatures } from '../test/helpers/features';

const mib = (kb: number) => (kb / 1024).toFixed(0);

const backend = await initBackend(process.env.OODLAB_BENCH_BACKEND === 'cpu' ? 'cpu' : 'wasm');
console.log(`backend: ${backend.name} (${backend.device})`);
const tMake = performance.now();
const rf = await makeFeatures(cifarSized);
console.log(`fixture: ${((performance.now() - tMake) / 1000).toFixed(1)} s (not timed below)`);
console.log('OOD detectors: fit on 50,000 x 512, score 10,000 + 26,032 + 5,640');
const cpu0 = process.cpuUsage();
const ood = await oodSection(rf);
const cpu = process.cpuUsage(cpu0);
console.log(
  `OOD total: ${ood.toFixed(2)} s wall, ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s CPU (target < 10 s; wall includes waiting for other processes)`,
);
console.log('Neural Collapse: NC1-NC5 on the same features');
const nc = ncSection(rf);
console.log(`NC1-NC5: ${nc.toFixed(2)} s (target < 10 s)`);
console.log(`peak RSS: ${mib(process.resourceUsage().maxRSS)} MiB (target < 2048 MiB)`);
process.exit(0); // wasm pthread workers would keep the process alive
