export type StateBodyLevel =
  | 'CENTRAL'
  | 'CENTRAL_TERRITORIAL_OBLAST'
  | 'CENTRAL_TERRITORIAL_DISTRICT'
  | 'LOCAL_OBLAST'
  | 'LOCAL_DISTRICT'
  | 'LOCAL_RURAL'
  | 'SPECIAL';

export const STATE_BODY_LEVELS: readonly StateBodyLevel[] = [
  'CENTRAL',
  'CENTRAL_TERRITORIAL_OBLAST',
  'CENTRAL_TERRITORIAL_DISTRICT',
  'LOCAL_OBLAST',
  'LOCAL_DISTRICT',
  'LOCAL_RURAL',
  'SPECIAL',
];

export type RotationScheme = 'CENTER_TO_REGION' | 'REGION_TO_CENTER' | 'INTERREGIONAL' | 'INTERSECTORAL';

export interface BodyPlace {
  level: StateBodyLevel;
  region: string;
}

/**
 * Bodies of the centre: ministries and agencies, and the special national bodies (parliament
 * staff, courts administration) which sit beside them. Territorial units of central bodies work
 * in the regions, so for rotation they count as regional.
 */
export function isCentreLevel(level: StateBodyLevel): boolean {
  return level === 'CENTRAL' || level === 'SPECIAL';
}

/**
 * The Concept's rotation scheme for a move between two bodies, or null when the move is no
 * rotation at all (a transfer inside one region, or within one body).
 */
export function rotationScheme(from: BodyPlace, to: BodyPlace): RotationScheme | null {
  const fromCentre = isCentreLevel(from.level);
  const toCentre = isCentreLevel(to.level);
  if (fromCentre && toCentre) return 'INTERSECTORAL';
  if (fromCentre) return 'CENTER_TO_REGION';
  if (toCentre) return 'REGION_TO_CENTER';
  return from.region !== to.region ? 'INTERREGIONAL' : null;
}
