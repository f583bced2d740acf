import { makeSiren, makeSiret } from '@/common/siret/siret';
import { DemoStructure } from '@/fixtures-generator/demo-structures';
import { buildInvoiceSpec, DEFAULT_REFERENCE_DATE, InvoiceSpec, makeIdFlx, PivotFlowSpec, ValidationSpec } from '@/fixtures-generator/pivot-flow.generator';
import { SeededRng } from '@/fixtures-generator/seeded.rng';

// Works invoices (« factures de travaux », marchés de travaux): the supplier deposits a projet de décompte (cadre
// A4, A7…), the maîtrise d'œuvre (MOE) checks it, the maîtrise d'ouvrage (MOA) validates it, then it reaches the
// recipient. The pivot carries that circuit in CycleDeValidation (one ValidationUnitaire per step, its producer
// the actor) and DateMiseADispositionMOE (CPPFacturePivot V2_02, IPM4).

export interface WorksActor {
  siret: string;
  name: string;
}

/** A fictitious architects' firm acting as MOE (valid SIRET, computed). */
export const DEMO_MOE: WorksActor = { siret: makeSiret(makeSiren('83214765') + '0001'), name: 'Atelier d’architecture Ligérien (MOE)' };

/**
 * Works validation steps as written in the pivot. The codes are the project's own (the pivot's CodeStatut is a
 * free integer and its values for the works circuit are not published with the XSD): pages show ComplementStatut.
 */
export const WORKS_STEPS = {
  deposited: { code: '01', complement: 'Déposée' },
  moeTakenIn: { code: '02', complement: 'Prise en compte par la MOE' },
  moeValidated: { code: '03', complement: 'Validée par la MOE, transmise à la MOA' },
  moaValidated: { code: '04', complement: 'Validée par la MOA' },
} as const;

export type WorksStage = 'moe' | 'moa' | 'recipient';

export interface WorksOptions {
  cadre?: string;
  moe?: WorksActor;
  /** The MOA is the recipient structure unless said otherwise. */
  moa?: WorksActor;
  /** How far the circuit went: at the MOE, at the MOA, or through to the recipient (default). */
  stage?: WorksStage;
}

/** Turns a generated invoice into a works invoice: cadre, MOE date, and the MOE/MOA steps of its validation cycle. */
export function applyWorks(spec: InvoiceSpec, structure: Pick<DemoStructure, 'siret' | 'name'>, options: WorksOptions = {}): InvoiceSpec {
  const moe = options.moe ?? DEMO_MOE;
  const moa = options.moa ?? { siret: structure.siret, name: structure.name };
  const stage = options.stage ?? 'recipient';
  const step = (s: { code: string; complement: string }, actor: WorksActor): ValidationSpec => ({
    date: spec.receptionDate,
    statusCode: s.code,
    complement: s.complement,
    producer: { idType: '1', id: actor.siret, name: actor.name, countryCode: 'FR' },
  });
  const deposit = spec.validations[0] ?? step(WORKS_STEPS.deposited, { siret: spec.supplier.id, name: spec.supplier.name });
  const validations: ValidationSpec[] = [deposit, step(WORKS_STEPS.moeTakenIn, moe)];
  if (stage !== 'moe') validations.push(step(WORKS_STEPS.moeValidated, moe));
  if (stage === 'recipient') validations.push(step(WORKS_STEPS.moaValidated, moa));
  spec.cadre = options.cadre ?? 'A4';
  spec.moeDate = spec.receptionDate;
  spec.validations = validations;
  return spec;
}

/**
 * A pivot flow of works invoices for one structure, the circuit at each stage in turn (MOE, MOA, recipient) and the
 * cadres A4 (projet de décompte mensuel), A7 (projet de décompte final), A5 (état d'acompte), for tests and the demo.
 */
export function buildWorksFlow(seed: number, structure: DemoStructure, options: { index?: number; count?: number; date?: string } = {}): PivotFlowSpec {
  const rng = new SeededRng(seed).fork(`works-${structure.siret}`);
  const index = options.index ?? 90;
  const stages: WorksStage[] = ['moe', 'moa', 'recipient'];
  const cadres = ['A4', 'A7', 'A5'];
  const invoices = Array.from({ length: options.count ?? 3 }, (_, i) =>
    applyWorks(buildInvoiceSpec(rng.fork(`works-${i}`), { structure, sequence: index * 10_000 + i, date: options.date ?? DEFAULT_REFERENCE_DATE }), structure, {
      stage: stages[i % stages.length],
      cadre: cadres[i % cadres.length],
    }),
  );
  return { idFlx: makeIdFlx(index), dtPrd: options.date ?? DEFAULT_REFERENCE_DATE, invoices };
}
