// Types for quickhull3d's single-file ESM bundle. Its package entry (dist/index.js) imports './QuickHull' without
// an extension, which Node's ESM loader rejects, so the stage imports the bundle the package also exports.
declare module 'quickhull3d/dist/quickhull3d.js' {
  export default function quickhull(
    points: Array<[number, number, number]>, options?: { skipTriangulation?: boolean },
  ): number[][];
}
