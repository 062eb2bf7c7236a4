// Builds models/ct-body-lung: classical CT body and lung segmentation written as ONNX ops (thresholds, morphology,
// connectivity by geodesic dilation). Why each step exists is in the comments; what it is good for is in model.json.
import { OnnxDataType } from '../onnx-proto.js';
import { morphology } from './morphology.js';
import { OnnxGraph } from './onnx-graph.js';

/** HU limits the graph relies on; the manifest clips the input to [−3024, 3071] so padding stays visible. */
const HU = {
  /** below this no tissue or air is real: padding outside the reconstruction circle (−2000, −3024) */
  padding: -1100,
  /** above: tissue (fat, muscle, bone, table); below: air, lung, foam, blanket */
  tissue: -300,
  /** outside air is homogeneous ≈ −1000: a 3×3 mean in −1050…−950 (lung parenchyma is −950…−500) */
  pureAir: -950,
  /** lung-like: a 3×3 mean above −980 (parenchyma, most emphysema) and a voxel below −400 (not a vessel) */
  lungMeanMin: -980,
  lungMax: -400,
  /** normally aerated parenchyma is −900…−800 (its mean is below); a foam cushion is −800…−600 */
  normalLungMeanMax: -800,
} as const;

type Morphology = ReturnType<typeof morphology>;

/**
 * Input: HU on a 2 mm grid, [1, 1, D, H, W] = [slices, rows, columns]. Output: uint8 labels 0 background,
 * 1 body (not lung), 2 lung. Kernel sizes are in voxels of that 2 mm grid.
 */
export function buildCtBodyLung(): Uint8Array {
  const g = new OnnxGraph('ct-body-lung');
  const { labels } = bodyLungGraph(g, g.input('image', [1, 1, 'D', 'H', 'W']));
  g.output('labels', labels, [1, 1, 'D', 'H', 'W'], OnnxDataType.UINT8);
  return g.toBytes('CT body (label 1) and lung (label 2): thresholds, morphology and connectivity in ONNX ops');
}

/** The graph's steps; every intermediate mask is returned by name so a debugging build can expose it. */
export function bodyLungGraph(g: OnnxGraph, image: string): Record<string, string> {
  const m = morphology(g);
  const padding = m.less(image, HU.padding);
  // Trilinear resampling mixes padding into its neighbours (lung next to −3024 can average to −1000): a 2-voxel
  // band along the padding is neither seed nor path for any growing below.
  const nearPadding = m.dilate(padding, [1, 5, 5]);
  const mean3 = m.mean(image, [1, 3, 3]);
  const outside = outsideAir(m, image, mean3, padding, nearPadding);
  const inside = m.and(m.not(outside), m.not(padding));

  // The body is what is connected to the trunk's core: a 62 mm erosion leaves only the trunk (the table is thinner,
  // and the cushion between is outside now); growing back inside `inside` restores the body but not the table.
  // MaxPool ignores padding, so the erosion does not erode from the image edge of a cropped field of view.
  const core = m.erode(inside, [1, 31, 31]);
  const body = m.propagate(core, inside, 16, [3, 5, 5]);
  const lung = aeratedLung(m, image, mean3, body, nearPadding);
  const labels = g.node('Cast', [g.node('Add', [body, lung])], { to: OnnxDataType.UINT8 });
  return { labels, padding, nearPadding, outside, inside, core, body, lung };
}

/**
 * Outside air: pure air with a straight line of pure air (or padding) to the image edge, lying on a 26 mm straight
 * run of air, grown through everything below −300 that is not next to padding: that takes in the foam cushion,
 * the blanket and the skin's partial-volume rim. A lung cut by the image edge is not pure air and is walled off
 * from outside air by the chest wall, so it stays inside. The straight line must be air all the way, or a bronchus
 * or bulla inside a cut lung would see the edge; the 26 mm run keeps out a trachea (18 mm) that the image edge or
 * the reconstruction circle cuts through.
 */
function outsideAir(m: Morphology, image: string, mean3: string, padding: string, nearPadding: string): string {
  const pureAir = m.and(m.less(mean3, HU.pureAir), m.greater(mean3, -1050));
  const notAir = m.and(m.not(pureAir), m.not(nearPadding));
  const airAwayFromPadding = m.and(pureAir, m.not(nearPadding));
  const airRun = m.or(m.erode(airAwayFromPadding, [1, 1, 13]), m.erode(airAwayFromPadding, [1, 13, 1]));
  const seed = m.and(airRun, m.greater(m.openSides(notAir), 0.5));
  const tissue = m.and(m.greater(image, HU.tissue), m.not(padding));
  const lowDensity = m.and(m.not(tissue), m.not(nearPadding));
  return m.propagate(seed, lowDensity, 28, [1, 7, 7]); // in-plane: every slice has its own outside air
}

/**
 * Aerated lung: a core of normally aerated parenchyma (3×3 mean −980…−800, closed over vessels) 10×10×6 mm large,
 * which the 1–2 voxel partial-volume rim of a bowel-gas pocket, the trachea or a sinus never has, nor a foam
 * cushion (−800…−600) that the image edge cut off from outside air. Grown back up to 160 mm in-plane through
 * lung-like voxels (parenchyma, denser dependent lung, most emphysema), then 6 mm through anything below −400,
 * which fills bullae but enters a trachea, bronchus or gas pocket no further than that.
 */
function aeratedLung(m: Morphology, image: string, mean3: string, body: string, nearPadding: string): string {
  const lungLike = m.and(m.greater(mean3, HU.lungMeanMin), m.less(image, HU.lungMax));
  const normal = m.and(m.and(lungLike, m.less(mean3, HU.normalLungMeanMax)), body);
  const lungCore = m.erode(m.and(m.close(normal, [3, 3, 3]), body), [3, 5, 5]);
  // Nothing grows along the padding band, where mixed voxels would lead from the lung around the chest wall to
  // outside air; the band's own lung voxels are added at the end.
  const awayFromPadding = m.and(body, m.not(nearPadding));
  const candidate = m.and(m.close(m.and(lungLike, body), [3, 3, 3]), awayFromPadding);
  // The long growth runs through candidate opened in-plane by 6 mm: the 1–2 voxel lung-like ring of partial volume
  // around the trachea and main bronchi is too thin to carry it up the airway.
  const thick = m.dilate(m.erode(candidate, [1, 3, 3]), [1, 3, 3]);
  const parenchyma = m.propagate(lungCore, thick, 40, [3, 5, 5]);
  const below400 = m.less(image, HU.lungMax);
  const grown = m.propagate(parenchyma, m.or(candidate, m.and(below400, awayFromPadding)), 3, [3, 3, 3]);
  const bandLung = m.and(m.dilate(grown, [1, 5, 5]), m.and(below400, m.and(body, nearPadding)));
  return m.or(grown, bandLung);
}
