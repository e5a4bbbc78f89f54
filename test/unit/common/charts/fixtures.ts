// Fixed, hand-written results for the chart tests: small enough to check by eye, shaped by the real schemas
// (each fixture is parsed with its zod schema, so a schema change breaks here first).
import { NcResults, type NcMetrics } from '../../../../common/contract/nc';
import { OodResults } from '../../../../common/contract/ood';
import { TrainingHistory } from '../../../../common/contract/train';

export const history = TrainingHistory.parse({
  runId: 'fixture-run',
  config: {
    dataset: 'synthetic',
    width: 4,
    epochs: 4,
    batchSize: 32,
    lr: 0.1,
    schedule: 'cosine',
    seed: 0,
    numClasses: 3,
  },
  epochs: [
    {
      epoch: 1,
      trainLoss: 1.05,
      trainAcc: 0.42,
      testLoss: 1.01,
      testAcc: 0.5,
      lr: 0.1,
      seconds: 2,
      imagesPerSecond: 96,
    },
    {
      epoch: 2,
      trainLoss: 0.7,
      trainAcc: 0.7,
      testLoss: 0.8,
      testAcc: 0.7,
      lr: 0.0854,
      seconds: 2,
      imagesPerSecond: 96,
    },
    {
      epoch: 3,
      trainLoss: 0.4,
      trainAcc: 0.85,
      testLoss: 0.75,
      testAcc: 0.75,
      lr: 0.05,
      seconds: 2,
      imagesPerSecond: 96,
    },
    {
      epoch: 4,
      trainLoss: 0.25,
      trainAcc: 0.93,
      testLoss: 0.9,
      testAcc: 0.75,
      lr: 0.0146,
      seconds: 2,
      imagesPerSecond: 96,
    },
  ],
});

function metrics(nc1: number, nc4: number): NcMetrics {
  return {
    classes: 3,
    dim: 4,
    trainSamples: 30,
    testSamples: 9,
    nc1,
    trSw: nc1 * 2,
    trSb: 2,
    rankSb: 2,
    nc2: {
      equinormMeans: nc1 / 10,
      equinormClassifier: nc1 / 20,
      equiangularMeans: nc1 / 5,
      equiangularMeansMax: nc1 / 4,
      equiangularClassifier: nc1 / 8,
      equiangularClassifierMax: nc1 / 6,
    },
    nc3: nc1 / 2,
    nc4,
    nc5: 0.9,
    nccTestAccuracy: 0.8,
    nccTrainAccuracy: 0.9,
    trainAccuracy: 0.93,
    testAccuracy: 0.75,
    idOodOrthogonality: {},
  };
}

const h = -0.5; // the simplex-ETF off-diagonal cosine for 3 classes
export const nc = NcResults.parse({
  version: 1,
  runId: 'fixture-run',
  createdAt: '2026-01-01T00:00:00.000Z',
  source: { featuresDir: 'features', checkpoint: 'last' },
  final: metrics(0.1, 0),
  // deliberately out of order: the figure sorts by epoch
  perEpoch: [
    { epoch: 4, metrics: metrics(0.1, 0) },
    { epoch: 2, metrics: metrics(1, 0.1) },
    { epoch: 3, metrics: metrics(0.4, 0.05) },
  ],
  layers: [
    {
      name: 'layer1',
      dim: 4,
      nc1: 8,
      trSw: 8,
      trSb: 1,
      nccTrainAccuracy: 0.5,
      nccTestAccuracy: 0.45,
      nccNetworkAgreement: 0.5,
    },
    {
      name: 'layer2',
      dim: 8,
      nc1: 3,
      trSw: 3,
      trSb: 1,
      nccTrainAccuracy: 0.6,
      nccTestAccuracy: 0.55,
      nccNetworkAgreement: 0.6,
    },
    {
      name: 'layer3',
      dim: 16,
      nc1: 1,
      trSw: 1,
      trSb: 1,
      nccTrainAccuracy: 0.8,
      nccTestAccuracy: 0.7,
      nccNetworkAgreement: 0.8,
    },
    {
      name: 'layer4',
      dim: 32,
      nc1: 0.1,
      trSw: 0.1,
      trSb: 1,
      nccTrainAccuracy: 0.9,
      nccTestAccuracy: 0.8,
      nccNetworkAgreement: 0.9,
    },
  ],
  geometry: {
    classes: 3,
    cosMeans: [
      [1, -0.45, -0.55],
      [-0.45, 1, -0.5],
      [-0.55, -0.5, 1],
    ],
    cosClassifier: [
      [1, h, h],
      [h, 1, h],
      [h, h, 1],
    ],
    etfDistanceMeans: 0.1,
    etfDistanceClassifier: 0,
    pca: {
      explained: [0.6, 0.4, 0],
      means: [
        [1, 0, 0],
        [-0.5, 0.8, 0],
        [-0.5, -0.8, 0],
      ],
      classifier: [
        [0.9, 0.1, 0],
        [-0.4, 0.9, 0],
        [-0.5, -0.85, 0],
      ],
      etf: [
        [1, 0, 0],
        [-0.5, 0.866, 0],
        [-0.5, -0.866, 0],
      ],
    },
  },
  seconds: 1.5,
});

function oodMetrics(auroc: number, fpr95: number, nOod: number) {
  return {
    auroc,
    auprIn: auroc,
    auprOut: auroc,
    fpr95,
    fpr95OpenOOD: fpr95,
    detectionError: 0.2,
    nId: 10,
    nOod,
  };
}

/** Two detectors, two OOD sets, four histogram bins: counts sum to nId = 10 and nOod (svhn 8, dtd 6). */
export const ood = OodResults.parse({
  version: 1,
  runId: 'fixture-run',
  checkpoint: 'best',
  featuresDir: 'features',
  createdAt: '2026-01-01T00:00:00.000Z',
  scoreConvention: 'higher = more in-distribution',
  backend: 'cpu',
  idTrain: 30,
  idTest: 10,
  dim: 4,
  classes: 3,
  oodSets: { svhn: 8, dtd: 6 },
  selection: { heldOut: 'none', proxy: 'defaults' },
  methods: [
    {
      method: 'msp',
      label: 'MSP',
      paper: 'Hendrycks & Gimpel 2017',
      params: {},
      paramSource: 'default',
      datasets: {
        svhn: { metrics: oodMetrics(0.9, 0.3, 8), roc: { fpr: [0, 0.1, 0.3, 1], tpr: [0, 0.6, 0.95, 1] } },
        dtd: { metrics: oodMetrics(0.75, 0.5, 6), roc: { fpr: [0, 0.5, 1], tpr: [0, 0.95, 1] } },
      },
      histogram: {
        edges: [0.25, 0.5, 0.75, 1, 1.25],
        id: [0, 1, 3, 6],
        ood: { svhn: [4, 3, 1, 0], dtd: [1, 2, 2, 1] },
      },
      seconds: { fit: 0, score: 0.01 },
    },
    {
      method: 'energy',
      label: 'Energy',
      paper: 'Liu et al. 2020',
      params: { T: 1 },
      paramSource: 'default',
      datasets: {
        svhn: { metrics: oodMetrics(0.95, 0.2, 8), roc: { fpr: [0, 0.2, 1], tpr: [0, 0.95, 1] } },
        dtd: { metrics: oodMetrics(0.7, 0.6, 6), roc: { fpr: [0, 0.6, 1], tpr: [0, 0.95, 1] } },
      },
      histogram: {
        edges: [-2, 0, 2, 4, 6],
        id: [1, 1, 4, 4],
        ood: { svhn: [5, 2, 1, 0], dtd: [2, 2, 1, 1] },
      },
      seconds: { fit: 0, score: 0.01 },
    },
  ],
  notes: [],
});
