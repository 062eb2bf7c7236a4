// Anatomical CT phantoms with ground truth (body and lung) for the cases real scans present to a segmentation.
export { PHANTOM_CASES, renderCase, type PhantomCase } from './cases.js';
export { renderPhantom, maskMl, type AnatomicalPhantom, type ScanGrid, type Anatomy } from './render.js';
export { Tissue, BODY_TISSUES, LUNG_TISSUES } from './tissue.js';
export { scorePhantom, phantomToVolume, type PhantomScores } from './scores.js';
