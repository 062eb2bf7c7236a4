// Tissue classes of the anatomical phantoms, their HU, and which ground-truth mask each belongs to.
import { texture, voxelNoise } from './noise.js';

export enum Tissue {
  Air, Fat, Soft, Liver, Bone, Brain, Csf, Lung, LungVessel, Emphysema, Tumour, Consolidation, Effusion,
  /** trachea and main bronchi: air inside the patient, part of Body, not of Lung */
  Airway,
  /** gas in stomach, bowel, sinuses: part of Body, not of Lung */
  Gas, Fluid, Table, TableCore, Cushion, Blanket,
}

/** Ground truth "Body": the patient including every gas inside it, without table, cushion, blanket or outside air. */
export const BODY_TISSUES = new Set<Tissue>([
  Tissue.Fat, Tissue.Soft, Tissue.Liver, Tissue.Bone, Tissue.Brain, Tissue.Csf, Tissue.Lung, Tissue.LungVessel,
  Tissue.Emphysema, Tissue.Tumour, Tissue.Consolidation, Tissue.Effusion, Tissue.Airway, Tissue.Gas, Tissue.Fluid,
]);

/**
 * Ground truth "Lung": aerated lung with the vessels and small airways inside it (emphysema included). A tumour,
 * consolidation or effusion is not aerated and is not Lung; trachea and main bronchi are not Lung either.
 */
export const LUNG_TISSUES = new Set<Tissue>([Tissue.Lung, Tissue.LungVessel, Tissue.Emphysema]);

/** Quantum noise (HU standard deviation) of a routine CT, the same in every tissue. */
const NOISE_SIGMA = 15;

/** HU of a tissue at voxel (i, j, k) and mm position (x, y, z): a base value, texture where real tissue has it,
 *  noise. */
export function huOf(t: Tissue, x: number, y: number, z: number, i: number, j: number, k: number,
  seed: number): number {
  const noise = voxelNoise(i, j, k, NOISE_SIGMA, seed);
  switch (t) {
    case Tissue.Air: return -1000 + noise;
    case Tissue.Fat: return -100 + noise;
    case Tissue.Soft: return 40 + noise;
    case Tissue.Liver: return 60 + noise;
    case Tissue.Bone: return 700 + 150 * texture(x, y, z, 4, seed + 7) + noise;
    case Tissue.Brain: return 35 + noise;
    case Tissue.Csf: return 8 + noise;
    // parenchyma −850 ± 50 as a smooth texture (secondary lobules, partial volume of small vessels)
    case Tissue.Lung: return -850 + 50 * texture(x, y, z, 5, seed + 11) + noise;
    case Tissue.LungVessel: return 40 + noise;
    case Tissue.Emphysema: return -975 + 25 * texture(x, y, z, 4, seed + 13) + noise;
    case Tissue.Tumour: return 45 + 10 * texture(x, y, z, 6, seed + 17) + noise;
    case Tissue.Consolidation: return 10 + 30 * texture(x, y, z, 6, seed + 19) + noise;
    case Tissue.Effusion: return 12 + noise;
    case Tissue.Airway: case Tissue.Gas: return -1000 + noise;
    case Tissue.Fluid: return 20 + noise;
    case Tissue.Table: return 400 + noise;
    case Tissue.TableCore: return -950 + noise;
    case Tissue.Cushion: return -700 + 100 * texture(x, y, z, 8, seed + 23) + noise;
    case Tissue.Blanket: return -420 + 80 * texture(x, y, z, 3, seed + 29) + noise;
  }
}
