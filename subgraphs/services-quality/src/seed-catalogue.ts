/**
 * Demo catalogue of public services, modelled on the register of public services of the Republic
 * of Kazakhstan. `owner` names the kind of central body that owns the standard; `deliveredAt` the
 * levels of bodies where citizens receive it.
 */
export interface ServiceTemplate {
  code: string;
  name: string;
  channels: Array<'PROVIDER_OFFICE' | 'PSC' | 'EGOV_PORTAL' | 'MOBILE'>;
  standardDeadlineDays: number;
  deliveredAt: Array<'CENTRAL_TERRITORIAL_OBLAST' | 'CENTRAL_TERRITORIAL_DISTRICT' | 'LOCAL_OBLAST' | 'LOCAL_DISTRICT' | 'LOCAL_RURAL'>;
}

const PSC_EGOV: ServiceTemplate['channels'] = ['PSC', 'EGOV_PORTAL', 'MOBILE'];
const OFFICE_PSC: ServiceTemplate['channels'] = ['PROVIDER_OFFICE', 'PSC'];
const LOCAL: ServiceTemplate['deliveredAt'] = ['LOCAL_DISTRICT', 'LOCAL_RURAL'];
const TERRITORIAL: ServiceTemplate['deliveredAt'] = ['CENTRAL_TERRITORIAL_OBLAST', 'CENTRAL_TERRITORIAL_DISTRICT'];

export const SERVICE_CATALOGUE: ServiceTemplate[] = [
  { code: '00101001', name: 'Registration of residence of citizens', channels: PSC_EGOV, standardDeadlineDays: 1, deliveredAt: TERRITORIAL },
  { code: '00101002', name: 'Deregistration of residence', channels: PSC_EGOV, standardDeadlineDays: 1, deliveredAt: TERRITORIAL },
  { code: '00102001', name: 'Issue of identity cards of citizens', channels: OFFICE_PSC, standardDeadlineDays: 15, deliveredAt: TERRITORIAL },
  { code: '00102002', name: 'Issue of passports of citizens', channels: OFFICE_PSC, standardDeadlineDays: 15, deliveredAt: TERRITORIAL },
  { code: '00103001', name: 'State registration of birth', channels: ['PROVIDER_OFFICE', 'PSC', 'EGOV_PORTAL'], standardDeadlineDays: 1, deliveredAt: ['LOCAL_DISTRICT', 'LOCAL_RURAL'] },
  { code: '00103002', name: 'State registration of marriage', channels: OFFICE_PSC, standardDeadlineDays: 30, deliveredAt: LOCAL },
  { code: '00103003', name: 'State registration of death', channels: ['PROVIDER_OFFICE', 'PSC', 'EGOV_PORTAL'], standardDeadlineDays: 1, deliveredAt: LOCAL },
  { code: '00103004', name: 'Issue of repeat civil status certificates', channels: PSC_EGOV, standardDeadlineDays: 5, deliveredAt: LOCAL },
  { code: '00201001', name: 'Allocation of a land plot for individual housing', channels: ['PROVIDER_OFFICE', 'EGOV_PORTAL'], standardDeadlineDays: 30, deliveredAt: ['LOCAL_DISTRICT'] },
  { code: '00201002', name: 'Issue of a decision on changing the purpose of a land plot', channels: ['PROVIDER_OFFICE', 'EGOV_PORTAL'], standardDeadlineDays: 20, deliveredAt: ['LOCAL_DISTRICT', 'LOCAL_OBLAST'] },
  { code: '00201003', name: 'Issue of an architectural planning assignment', channels: ['EGOV_PORTAL'], standardDeadlineDays: 7, deliveredAt: ['LOCAL_DISTRICT', 'LOCAL_OBLAST'] },
  { code: '00202001', name: 'State registration of rights to real estate', channels: PSC_EGOV, standardDeadlineDays: 3, deliveredAt: TERRITORIAL },
  { code: '00301001', name: 'Assignment of a state basic pension', channels: PSC_EGOV, standardDeadlineDays: 10, deliveredAt: TERRITORIAL },
  { code: '00301002', name: 'Assignment of a childbirth benefit', channels: PSC_EGOV, standardDeadlineDays: 8, deliveredAt: TERRITORIAL },
  { code: '00301003', name: 'Assignment of a child care allowance', channels: PSC_EGOV, standardDeadlineDays: 8, deliveredAt: TERRITORIAL },
  { code: '00301004', name: 'Assignment of targeted social assistance', channels: ['PROVIDER_OFFICE', 'EGOV_PORTAL'], standardDeadlineDays: 8, deliveredAt: ['LOCAL_DISTRICT', 'LOCAL_RURAL'] },
  { code: '00301005', name: 'Registration as unemployed', channels: ['PROVIDER_OFFICE', 'EGOV_PORTAL', 'MOBILE'], standardDeadlineDays: 1, deliveredAt: ['LOCAL_DISTRICT'] },
  { code: '00302001', name: 'Issue of a certificate of disability', channels: OFFICE_PSC, standardDeadlineDays: 10, deliveredAt: TERRITORIAL },
  { code: '00401001', name: 'State registration of an individual entrepreneur', channels: ['EGOV_PORTAL', 'MOBILE'], standardDeadlineDays: 1, deliveredAt: TERRITORIAL },
  { code: '00401002', name: 'State registration of a legal entity', channels: ['PSC', 'EGOV_PORTAL'], standardDeadlineDays: 1, deliveredAt: TERRITORIAL },
  { code: '00402001', name: 'Issue of a licence for retail sale of alcoholic beverages', channels: ['EGOV_PORTAL'], standardDeadlineDays: 15, deliveredAt: ['LOCAL_OBLAST'] },
  { code: '00402002', name: 'Issue of a licence for construction and installation works', channels: ['EGOV_PORTAL'], standardDeadlineDays: 15, deliveredAt: ['LOCAL_OBLAST'] },
  { code: '00402003', name: 'Notification of the start of business activity', channels: ['EGOV_PORTAL'], standardDeadlineDays: 1, deliveredAt: ['LOCAL_DISTRICT', 'LOCAL_OBLAST'] },
  { code: '00501001', name: 'Registration of vehicles', channels: OFFICE_PSC, standardDeadlineDays: 1, deliveredAt: TERRITORIAL },
  { code: '00501002', name: 'Issue of a driving licence', channels: OFFICE_PSC, standardDeadlineDays: 1, deliveredAt: TERRITORIAL },
  { code: '00601001', name: 'Admission of documents to pre-school organisations', channels: ['EGOV_PORTAL', 'MOBILE'], standardDeadlineDays: 1, deliveredAt: ['LOCAL_DISTRICT'] },
  { code: '00601002', name: 'Enrolment of children in first grade', channels: ['EGOV_PORTAL'], standardDeadlineDays: 3, deliveredAt: ['LOCAL_DISTRICT'] },
  { code: '00601003', name: 'Issue of duplicates of education documents', channels: OFFICE_PSC, standardDeadlineDays: 15, deliveredAt: ['LOCAL_DISTRICT', 'LOCAL_OBLAST'] },
  { code: '00701001', name: 'Attachment to a primary health care organisation', channels: ['EGOV_PORTAL', 'MOBILE'], standardDeadlineDays: 1, deliveredAt: ['LOCAL_OBLAST'] },
  { code: '00701002', name: 'Issue of a certificate from a narcological dispensary', channels: ['EGOV_PORTAL'], standardDeadlineDays: 1, deliveredAt: ['LOCAL_OBLAST'] },
  { code: '00801001', name: 'Issue of a certificate of no criminal record', channels: ['PSC', 'EGOV_PORTAL', 'MOBILE'], standardDeadlineDays: 1, deliveredAt: TERRITORIAL },
  { code: '00801002', name: 'Issue of an apostille on official documents', channels: OFFICE_PSC, standardDeadlineDays: 5, deliveredAt: TERRITORIAL },
  { code: '00901001', name: 'Issue of a certificate of housing assistance', channels: ['PROVIDER_OFFICE', 'EGOV_PORTAL'], standardDeadlineDays: 8, deliveredAt: LOCAL },
  { code: '00901002', name: 'Registration on the waiting list for housing', channels: ['PROVIDER_OFFICE', 'EGOV_PORTAL'], standardDeadlineDays: 10, deliveredAt: ['LOCAL_DISTRICT'] },
  { code: '00901003', name: 'Issue of a certificate of the place of residence of a rural citizen', channels: ['PROVIDER_OFFICE'], standardDeadlineDays: 1, deliveredAt: ['LOCAL_RURAL'] },
  { code: '00901004', name: 'Issue of a certificate of personal subsidiary farming', channels: ['PROVIDER_OFFICE'], standardDeadlineDays: 1, deliveredAt: ['LOCAL_RURAL'] },
  { code: '01001001', name: 'Registration of livestock and issue of veterinary passports', channels: ['PROVIDER_OFFICE'], standardDeadlineDays: 3, deliveredAt: ['LOCAL_RURAL', 'LOCAL_DISTRICT'] },
  { code: '01001002', name: 'Issue of a veterinary certificate', channels: ['PROVIDER_OFFICE', 'EGOV_PORTAL'], standardDeadlineDays: 1, deliveredAt: ['LOCAL_DISTRICT'] },
  { code: '01101001', name: 'Issue of a permit for use of subsoil for common minerals', channels: ['EGOV_PORTAL'], standardDeadlineDays: 15, deliveredAt: ['LOCAL_OBLAST'] },
  { code: '01101002', name: 'Issue of a permit for emissions into the environment', channels: ['EGOV_PORTAL'], standardDeadlineDays: 20, deliveredAt: ['LOCAL_OBLAST'] },
];

export const FEEDBACK_COMMENTS = [
  'Everything was done quickly, thank you.',
  'Polite staff, clear explanation of the documents.',
  'Had to wait in the queue for over an hour.',
  'The portal did not accept the scanned documents at first.',
  'Result received before the deadline.',
  'Asked for a document that is not in the standard.',
  'Барлығы жылдам әрі сапалы орындалды.',
  'Спасибо специалисту за консультацию.',
  'Долго не могли найти мою заявку.',
  'Қызмет мерзімі бұзылды.',
];

export const VIOLATION_DESCRIPTIONS: Record<string, string> = {
  DEADLINE_BREACH: 'The result was issued after the standard deadline.',
  UNLAWFUL_REFUSAL: 'The applicant was refused without grounds provided by the standard.',
  EXCESS_DOCUMENTS: 'Documents not listed in the standard were demanded from the applicant.',
  FEE_VIOLATION: 'A fee was charged for a service the standard provides free of charge.',
  STANDARD_NONCOMPLIANCE: 'The service was provided in breach of the procedure of the standard.',
};
