// Synthetic CT: a chest phantom with exact masks, and a writer that stores it as a real CT series.
export { phantomHu, PHANTOM_HU, type Phantom, type PhantomOptions } from './phantom.js';
export { writeSyntheticCtSeries, type SyntheticSeries, type SyntheticSeriesOptions, type SeriesOrientation }
  from './write-series.js';
export { TransferSyntax } from './part10.js';
export { renderRadiographPattern, RADIOGRAPH_DENSITY, type PixelBox, type RadiographPattern, type RadiographView }
  from './radiograph.js';
export { writeSyntheticRadiograph, type SyntheticRadiograph, type SyntheticRadiographOptions }
  from './radiograph-file.js';
