// IBSI intensity-volume histogram features (manual section "Intensity-volume histogram features"), on discretised
// grey levels 1..Ng: the volume fraction ν(i) at grey level ≥ i against the intensity fraction (i − 1)/(Ng − 1).
import type { DiscretisedVolume, Feature } from './types.js';

export function intensityVolumeFeatures(d: DiscretisedVolume, mask: Uint8Array): Feature[] {
  const Ng = d.greyLevelCount;
  const counts = new Float64Array(Ng + 2);
  let n = 0;
  for (let v = 0; v < mask.length; v++) if (mask[v]) { counts[d.levels[v]!]!++; n++; }
  const nu = new Float64Array(Ng + 2); // nu[i]: fraction of voxels at grey level i or above
  for (let i = Ng; i >= 1; i--) nu[i] = nu[i + 1]! + counts[i]! / n;
  const gamma = (i: number) => (Ng > 1 ? (i - 1) / (Ng - 1) : 1);
  /** V_x: the volume fraction at the first grey level whose intensity fraction reaches x. */
  const volumeAt = (x: number) => { for (let i = 1; i <= Ng; i++) if (gamma(i) >= x) return nu[i]!; return 0; };
  /** I_x: the lowest grey level whose volume fraction is at most x (Ng + 1 when none is). */
  const intensityAt = (x: number) => { for (let i = 1; i <= Ng; i++) if (nu[i]! <= x) return i; return Ng + 1; };
  const f = (id: string, name: string, qualifier: string, value: number): Feature =>
    ({ id, name, family: 'intensity-volume histogram', qualifier, value, unit: '1' });
  return [
    f('BC2M', 'Volume at intensity fraction', '10 %', volumeAt(0.1)),
    f('BC2M', 'Volume at intensity fraction', '90 %', volumeAt(0.9)),
    f('GBPN', 'Intensity at volume fraction', '10 %', intensityAt(0.1)),
    f('GBPN', 'Intensity at volume fraction', '90 %', intensityAt(0.9)),
    f('DDTU', 'Volume fraction difference between intensity fractions', '10 % − 90 %', volumeAt(0.1) - volumeAt(0.9)),
    f('CNV2', 'Intensity fraction difference between volume fractions', '10 % − 90 %',
      intensityAt(0.1) - intensityAt(0.9)),
  ];
}
