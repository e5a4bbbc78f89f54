// The layer-wise study: how far each ResNet stage's globally pooled output has collapsed (NC1) and how well a
// nearest-class-centre classifier on it does, next to the penultimate layer. Papyan et al. and the NECO paper
// both find collapse strongest at the last layer and weaker towards the input; these rows let the Collapse page show it.
import type { NcLayer, NcMetrics } from '../../../common/contract/nc';
import { agreement, collapseCore } from './core';
import type { NcInput } from './metrics';

export type LayerFeatures = Record<string, { idTrain: Float32Array; idTest: Float32Array; dim: number }>;

/** The penultimate layer's row, taken from the final model's metrics (no second pass). */
export function penultimateLayer(m: NcMetrics): NcLayer {
  return {
    name: 'penultimate',
    dim: m.dim,
    nc1: m.nc1,
    trSw: m.trSw,
    trSb: m.trSb,
    nccTrainAccuracy: m.nccTrainAccuracy,
    nccTestAccuracy: m.nccTestAccuracy,
    nccNetworkAgreement: m.nc5,
  };
}

/**
 * One row per stage (sorted by name: layer1..layer4), then the penultimate row. netTest: the network's
 * predictions on the test set, to compare each layer's NCC with.
 */
export function computeLayers(
  f: Pick<NcInput, 'C' | 'idTrain' | 'idTest'>,
  layers: LayerFeatures,
  netTest: Int32Array,
  final: NcMetrics,
  onLayer?: (name: string) => void,
): NcLayer[] {
  const out: NcLayer[] = [];
  for (const name of Object.keys(layers).sort()) {
    onLayer?.(name);
    const l = layers[name];
    const core = collapseCore(
      { features: l.idTrain, labels: f.idTrain.labels, n: f.idTrain.n },
      { features: l.idTest, n: f.idTest.n },
      l.dim,
      f.C,
      `${name} features`,
    );
    out.push({
      name,
      dim: l.dim,
      nc1: core.nc1.nc1,
      trSw: core.nc1.trSw,
      trSb: core.nc1.trSb,
      nccTrainAccuracy: agreement(core.nccTrain, f.idTrain.labels ?? []),
      nccTestAccuracy: agreement(core.nccTest, f.idTest.labels ?? []),
      nccNetworkAgreement: agreement(core.nccTest, netTest),
    });
  }
  out.push(penultimateLayer(final));
  return out;
}
