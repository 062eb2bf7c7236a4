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
  /** outside air is homogeneous ≈ −1000; a 3×3 mean below this is air, not lung parenchyma (−950…−500) */
  pureAir: -950,
  /** aerated lung: a 3×3 mean above −980 (parenchyma, emphysema in part) and a voxel below −400 (not vessel wall) */
  lungMeanMin: -980,
  lungMax: -400,
  /** normally aerated parenchyma is −900…−800 (its mean is below); a foam cushion is −800…−600 */
  normalLungMeanMax: -800,
} as const;

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
  const valid = m.not(padding);
  const mean3 = m.mean(image, [1, 3, 3]);

  // Outside air: pure air (a mean padding does not drag below −1050) with a straight line of air to the image edge, grown through everything below −300 that is not next to padding: that takes in the foam cushion, the
  // blanket and the skin's partial-volume rim. A lung cut by the image edge is not pure air and is walled off from
  // outside air by the chest wall, so it stays inside; a trachea only joins if the image edge cuts through it.
  const tissue = m.and(m.greater(image, HU.tissue), valid);
  const pureAir = m.and(m.less(mean3, HU.pureAir), m.greater(mean3, -1050));
  // Trilinear resampling mixes padding into its neighbours (lung next to −3024 can average to −1000): a 2-voxel
  // band along the padding is neither seed nor path.
  const nearPadding = m.dilate(padding, [1, 5, 5]);
  // The straight line must be pure air or padding all the way: through lung cut by the image edge, a bronchus or
  // bulla would otherwise see the edge.
  const notAir = m.and(m.not(pureAir), m.not(nearPadding));
  // And the seed lies on a 26 mm straight run of air along a row or a column: a trachea (18 mm) or bronchus that
  // the image edge or the reconstruction circle cuts is shorter, a thin sliver of air between skin and edge is not.
  const airAwayFromPadding = m.and(pureAir, m.not(nearPadding));
  const airRun = m.or(m.erode(airAwayFromPadding, [1, 1, 13]), m.erode(airAwayFromPadding, [1, 13, 1]));
  const open = m.openSides(notAir);
  const seed = m.and(airRun, m.greater(open, 0.5));
  const lowDensity = m.and(m.not(tissue), m.not(nearPadding));
  const outside = m.propagate(seed, lowDensity, 30, [3, 7, 7]);
  const inside = m.and(m.not(outside), valid);

  // The body is what is connected to the trunk's core: a 62 mm erosion leaves only the trunk (the table is thinner,
  // and the cushion between is outside now); growing back inside `inside` restores the body but not the table.
  const core = m.erode(inside, [1, 31, 31]);
  const body = m.propagate(core, inside, 16, [3, 5, 5]);

  // Lung: a core of normally aerated parenchyma (a 3×3 mean in −980…−800, closed over vessels) 10×10×6 mm large,
  // which the 1–2 voxel partial-volume rim of a bowel-gas pocket, the trachea or a sinus never has, nor a foam
  // cushion (−800…−600) the image edge cut off from outside air. Grown back up to 160 mm in-plane through lung-like voxels
  // (a mean above −980: parenchyma, dependent denser lung, most emphysema), then 8 mm through anything below
  // −400, which fills bullae but enters the trachea, a bronchus or a gas pocket no further than that.
  const lungLike = m.and(m.greater(mean3, HU.lungMeanMin), m.less(image, HU.lungMax));
  const normal = m.and(m.and(lungLike, m.less(mean3, HU.normalLungMeanMax)), body);
  const lungCore = m.erode(m.and(m.close(normal, [3, 3, 3]), body), [3, 5, 5]);
  // Neither grows along the padding band, where mixed voxels would lead from the lung around the chest wall to
  // outside air; the band's own lung voxels are added at the end.
  const awayFromPadding = m.and(body, m.not(nearPadding));
  const candidate = m.and(m.close(m.and(lungLike, body), [3, 3, 3]), awayFromPadding);
  const parenchyma = m.propagate(lungCore, candidate, 40, [3, 5, 5]);
  const aerated = m.or(candidate, m.and(m.less(image, HU.lungMax), awayFromPadding));
  const grown = m.propagate(parenchyma, aerated, 4, [3, 3, 3]);
  const lung = m.or(grown, m.and(m.dilate(grown, [1, 5, 5]), m.and(m.less(image, HU.lungMax), m.and(body, nearPadding))));

  const labels = g.node('Cast', [g.node('Add', [body, lung])], { to: OnnxDataType.UINT8 });
  return { labels, padding, open, nearPadding, seed, outside, inside, core, body, lungLike, candidate, lungCore, lung };
}
