// One model's full Neural Collapse analysis from loaded features: NC1–NC5 with ID/OOD orthogonality, the
// layer-wise rows, and the geometry. Shared by the run analysis (nc task) and `oodlab analyze --features DIR`.
// Classes without training samples are left out of all three (present.ts) and named in a warning.
import type { Centring } from '../linalg/class-stats';
import type { NcGeometry, NcLayer, NcMetrics, NcResults } from '../../../common/contract/nc';
import { loadFeatureDir } from '../features/store';
import { computeGeometry } from './geometry';
import type { LayerFeatures } from './layers';
import { computeLayers, penultimateLayer } from './layers';
import type { NcInput } from './metrics';
import { computeNcMetrics, networkPredictions } from './metrics';
import { emptyClassesWarning, restrictToPresent } from './present';

export interface ModelAnalysis {
  final: NcMetrics;
  layers: NcLayer[];
  geometry: NcGeometry;
}

export function analyzeModel(
  f: NcInput & { layers?: LayerFeatures },
  o: {
    layers: boolean;
    onStage?: (message: string) => void;
    onWarn?: (message: string) => void;
    centring?: Centring;
  },
): ModelAnalysis {
  const { input: p, present, empty } = restrictToPresent(f);
  if (empty.length) o.onWarn?.(emptyClassesWarning(empty, f.C));
  o.onStage?.('NC1–NC5 on the penultimate features');
  const final = computeNcMetrics({ ...f, centring: o.centring ?? f.centring });
  o.onStage?.('class-mean geometry');
  const geometry = computeGeometry(p);
  if (empty.length) geometry.classIds = present;
  let layers: NcLayer[] = [penultimateLayer(final)];
  if (o.layers && p.layers && Object.keys(p.layers).length) {
    const netTest = networkPredictions(p.idTest, p.W, p.b, p.C, p.D);
    layers = computeLayers(p, p.layers, netTest, final, (name) => o.onStage?.(`NC1 of ${name}`));
  }
  return { final, layers, geometry };
}

/** `oodlab analyze --features DIR`: the DESIGN.md .npy layout made anywhere; no run, no epochs. */
export async function analyzeFeatureDir(
  dir: string,
  o: { layers: boolean; onWarn?: (message: string) => void; centring?: Centring } = { layers: true },
): Promise<NcResults> {
  const t0 = performance.now();
  const rf = await loadFeatureDir(dir, { layers: o.layers });
  const a = analyzeModel(rf, o);
  return {
    version: 1,
    runId: null,
    createdAt: new Date().toISOString(),
    source: { featuresDir: dir, checkpoint: null },
    ...a,
    perEpoch: [],
    seconds: (performance.now() - t0) / 1000,
  };
}
