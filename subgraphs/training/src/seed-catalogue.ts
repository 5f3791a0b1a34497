import type { TrainingForm, TrainingType } from './rules/training';

/** The demo programme catalogue: what the Academy, its branches and licensed providers offer. */

export const ACADEMY = 'Academy of Public Administration under the President of the Republic of Kazakhstan';

/** Regional branches of the Academy (training centres in the regional capitals), by region served. */
export const BRANCHES: Record<string, { city: string; code: string }> = {
  ABAI: { city: 'Semey', code: 'SEM' },
  AKMOLA: { city: 'Kokshetau', code: 'KOK' },
  AKTOBE: { city: 'Aktobe', code: 'AKT' },
  ALMATY_REGION: { city: 'Konaev', code: 'KON' },
  ATYRAU: { city: 'Atyrau', code: 'ATY' },
  WEST_KAZAKHSTAN: { city: 'Uralsk', code: 'URA' },
  ZHAMBYL: { city: 'Taraz', code: 'TAR' },
  ZHETISU: { city: 'Taldykorgan', code: 'TAL' },
  KARAGANDA: { city: 'Karaganda', code: 'KAR' },
  KOSTANAY: { city: 'Kostanay', code: 'KOS' },
  KYZYLORDA: { city: 'Kyzylorda', code: 'KYZ' },
  MANGYSTAU: { city: 'Aktau', code: 'AKU' },
  PAVLODAR: { city: 'Pavlodar', code: 'PAV' },
  NORTH_KAZAKHSTAN: { city: 'Petropavlovsk', code: 'PET' },
  TURKISTAN: { city: 'Turkistan', code: 'TUR' },
  ULYTAU: { city: 'Zhezkazgan', code: 'ZHE' },
  EAST_KAZAKHSTAN: { city: 'Oskemen', code: 'OSK' },
  ALMATY: { city: 'Almaty', code: 'ALA' },
  SHYMKENT: { city: 'Shymkent', code: 'SHY' },
};

export function branchName(region: string): string {
  return `Regional branch of the Academy of Public Administration in ${BRANCHES[region].city}`;
}

export interface CatalogueEntry {
  title: string;
  type: TrainingType;
  form: TrainingForm;
  provider: string;
  /** Short code printed in certificate numbers. */
  providerCode: string;
  academicHours: number;
  topics: string[];
  /** Calendar days from first to last day, for the demo data only. */
  durationDays: number;
  /** Whom the programme is for; the seeder picks from the matching audience. */
  audience: 'ALL' | 'MANAGERS' | 'NEW_CORPS_B' | 'LOCAL' | 'CENTRAL';
  /** Only for servants of this region (branch offerings). */
  region?: string;
}

const OTHERS = {
  GSPP: { name: 'Graduate School of Public Policy, Nazarbayev University', code: 'GSPP' },
  KIMEP: { name: 'KIMEP University', code: 'KIMEP' },
  ACA: { name: 'Training Centre of the Anti-Corruption Agency of the Republic of Kazakhstan', code: 'ACA' },
  ZERDE: { name: 'National Information Technologies JSC (training centre)', code: 'NIT' },
  TIL: { name: 'Republican Coordination and Methodological Centre for the Development of Languages named after Sh. Shayakhmetov', code: 'TIL' },
  BOLASHAK: { name: 'Center for International Programs JSC (Bolashak)', code: 'BOL' },
  LAW: { name: 'Academy of Law Enforcement Agencies under the Prosecutor General’s Office', code: 'ALEA' },
} as const;

/** Calendar days of a course of `hours` academic hours at `perDay` hours a working day. */
function days(hours: number, perDay: number): number {
  return Math.max(1, Math.ceil((hours / perDay) * (7 / 5)));
}

/** `durationDays` overrides the length derived from the hours (degrees and internships run on their own calendar). */
function academy(title: string, type: TrainingType, form: TrainingForm, academicHours: number, topics: string[], durationDays?: number, audience: CatalogueEntry['audience'] = 'ALL'): CatalogueEntry {
  const perDay = form === 'FULL_TIME' ? 8 : form === 'BLENDED' ? 6 : 4;
  return { title, type, form, provider: ACADEMY, providerCode: 'APA', academicHours, topics, durationDays: durationDays ?? days(academicHours, perDay), audience };
}

function other(key: keyof typeof OTHERS, title: string, type: TrainingType, form: TrainingForm, academicHours: number, topics: string[], durationDays?: number, audience: CatalogueEntry['audience'] = 'ALL'): CatalogueEntry {
  const perDay = form === 'FULL_TIME' ? 8 : form === 'BLENDED' ? 6 : 4;
  return {
    title, type, form, provider: OTHERS[key].name, providerCode: OTHERS[key].code, academicHours, topics,
    durationDays: durationDays ?? days(academicHours, perDay), audience,
  };
}

const CORE: CatalogueEntry[] = [
  academy('Fundamentals of public administration in the Republic of Kazakhstan', 'ADVANCED_TRAINING', 'FULL_TIME', 40, ['public administration', 'civil service law']),
  academy('Anti-corruption culture and the prevention of conflicts of interest', 'ADVANCED_TRAINING', 'DISTANCE', 24, ['anti-corruption', 'ethics']),
  academy('Ethics of the civil servant and the Code of Ethics', 'ADVANCED_TRAINING', 'DISTANCE', 16, ['ethics', 'civil service law']),
  academy('Digital government: e-services and data-driven decisions', 'ADVANCED_TRAINING', 'BLENDED', 36, ['digital government', 'data analytics']),
  academy('Project management in the public sector', 'ADVANCED_TRAINING', 'FULL_TIME', 72, ['project management', 'strategic planning']),
  academy('Strategic planning and the State Planning System', 'ADVANCED_TRAINING', 'FULL_TIME', 40, ['strategic planning', 'public administration']),
  academy('Result-oriented budgeting and public finance', 'ADVANCED_TRAINING', 'BLENDED', 48, ['budgeting', 'public finance']),
  academy('Quality of public services and the service standards', 'ADVANCED_TRAINING', 'DISTANCE', 24, ['public services', 'citizen engagement']),
  academy('Human resources management in state bodies', 'ADVANCED_TRAINING', 'FULL_TIME', 40, ['HR management', 'civil service law']),
  academy('Leadership and change management for managers of corps A', 'ADVANCED_TRAINING', 'FULL_TIME', 80, ['leadership', 'change management'], undefined, 'MANAGERS'),
  academy('Law-making and legal drafting', 'ADVANCED_TRAINING', 'FULL_TIME', 36, ['law-making', 'legal drafting']),
  academy('Public communications and work with the media', 'ADVANCED_TRAINING', 'BLENDED', 24, ['communication', 'media']),
  academy('Gender policy and equal opportunities in the civil service', 'ADVANCED_TRAINING', 'DISTANCE', 16, ['gender policy', 'HR management']),
  academy('Regional development and local self-government', 'ADVANCED_TRAINING', 'FULL_TIME', 40, ['local government', 'regional development'], undefined, 'LOCAL'),
  academy('Policy analysis and evidence-based policy making', 'ADVANCED_TRAINING', 'FULL_TIME', 56, ['policy analysis', 'data analytics'], undefined, 'CENTRAL'),
  academy('Proactive public services and the principle of "Listening State"', 'ADVANCED_TRAINING', 'DISTANCE', 12, ['public services', 'citizen engagement']),
  academy('Kazakh language for professional communication (B1)', 'ADVANCED_TRAINING', 'BLENDED', 72, ['Kazakh language']),
  academy('Kazakh language for business correspondence (B2)', 'ADVANCED_TRAINING', 'DISTANCE', 60, ['Kazakh language', 'records management']),
  other('GSPP', 'Public policy analysis for senior officials', 'ADVANCED_TRAINING', 'FULL_TIME', 72, ['policy analysis', 'leadership'], undefined, 'MANAGERS'),
  other('KIMEP', 'Financial management and internal audit in the public sector', 'ADVANCED_TRAINING', 'BLENDED', 64, ['public finance', 'internal audit']),
  other('ACA', 'Anti-corruption compliance in state bodies', 'ADVANCED_TRAINING', 'FULL_TIME', 40, ['anti-corruption', 'compliance']),
  other('ACA', 'Corruption risk analysis of regulations and procedures', 'ADVANCED_TRAINING', 'DISTANCE', 24, ['anti-corruption', 'law-making']),
  other('ZERDE', 'Information security for civil servants', 'ADVANCED_TRAINING', 'DISTANCE', 16, ['information security', 'digital government']),
  other('ZERDE', 'Working with data: analytics for public decisions', 'ADVANCED_TRAINING', 'BLENDED', 48, ['data analytics', 'digital government']),
  other('TIL', 'State language in office work (intensive course)', 'ADVANCED_TRAINING', 'FULL_TIME', 80, ['Kazakh language', 'records management']),
  other('LAW', 'Legal framework of the civil service and disciplinary proceedings', 'ADVANCED_TRAINING', 'FULL_TIME', 32, ['civil service law', 'ethics']),

  academy('Retraining of civil servants newly admitted to corps B', 'RETRAINING', 'BLENDED', 120, ['public administration', 'civil service law', 'ethics'], undefined, 'NEW_CORPS_B'),
  academy('Retraining for newly appointed managers of state bodies', 'RETRAINING', 'FULL_TIME', 144, ['leadership', 'HR management', 'strategic planning'], undefined, 'MANAGERS'),
  academy('Retraining of corps A administrative civil servants', 'RETRAINING', 'FULL_TIME', 160, ['leadership', 'policy analysis', 'anti-corruption'], undefined, 'MANAGERS'),
  academy('Retraining in digital transformation of public administration', 'RETRAINING', 'BLENDED', 180, ['digital government', 'project management']),
  academy('Retraining of heads of local executive bodies', 'RETRAINING', 'FULL_TIME', 144, ['local government', 'budgeting', 'leadership'], undefined, 'MANAGERS'),
  other('GSPP', 'Retraining in public policy and governance', 'RETRAINING', 'BLENDED', 216, ['policy analysis', 'public administration']),
  other('KIMEP', 'Retraining in public finance management', 'RETRAINING', 'BLENDED', 200, ['public finance', 'budgeting']),

  academy('Master of Public Administration (MPA)', 'POSTGRADUATE', 'FULL_TIME', 2880, ['public administration', 'policy analysis', 'leadership'], 730),
  academy('Master of Public Policy, Regional Development track', 'POSTGRADUATE', 'BLENDED', 2160, ['regional development', 'policy analysis'], 540),
  academy('Doctor of Public Administration (DPA)', 'POSTGRADUATE', 'FULL_TIME', 4320, ['public administration', 'research methods'], 1095),
  other('GSPP', 'Executive Master of Public Policy', 'POSTGRADUATE', 'BLENDED', 2160, ['policy analysis', 'leadership'], 540),

  other('GSPP', 'Internship in the Government Office of Singapore (Civil Service College)', 'INTERNSHIP', 'FULL_TIME', 72, ['public administration', 'digital government'], 14),
  academy('Internship in a central state body for civil servants of local bodies', 'INTERNSHIP', 'FULL_TIME', 144, ['public administration', 'regional development'], 28, 'LOCAL'),
  academy('Internship at the Agency for Civil Service Affairs', 'INTERNSHIP', 'FULL_TIME', 72, ['HR management', 'civil service law'], 14),
  other('ZERDE', 'Internship at the e-Government Centre (GovTech)', 'INTERNSHIP', 'FULL_TIME', 108, ['digital government', 'public services'], 21),

  other('BOLASHAK', 'Bolashak: Master of Public Administration abroad', 'ABROAD', 'FULL_TIME', 2880, ['public administration', 'international experience'], 730),
  other('BOLASHAK', 'Bolashak: research internship for civil servants', 'ABROAD', 'FULL_TIME', 720, ['research methods', 'international experience'], 180),
  other('BOLASHAK', 'Bolashak: professional internship in public management', 'ABROAD', 'FULL_TIME', 480, ['public administration', 'international experience'], 120),
];

/** One local course per branch (every region's servants can train at home). */
const BRANCH_COURSES: CatalogueEntry[] = Object.keys(BRANCHES)
  .filter((r) => !['ULYTAU', 'ZHETISU', 'ABAI'].includes(r))
  .map((region) => ({
    title: `Public service delivery and anti-corruption in ${BRANCHES[region].city}: practice of local executive bodies`,
    type: 'ADVANCED_TRAINING' as const,
    form: 'FULL_TIME' as const,
    provider: branchName(region),
    providerCode: `APA-${BRANCHES[region].code}`,
    academicHours: 36,
    topics: ['public services', 'anti-corruption', 'local government'],
    durationDays: days(36, 8),
    audience: 'ALL' as const,
    region,
  }));

export const CATALOGUE: readonly CatalogueEntry[] = [...CORE, ...BRANCH_COURSES];
