import { DEMO_STRUCTURES, DEMO_SUPPLIERS, DemoStructure, DemoSupplier } from '@/fixtures-generator/demo-structures';
import { buildCreditNoteSpec, buildInvoiceSpec, InvoiceSpec, makeIdFlx, PivotFlowSpec } from '@/fixtures-generator/pivot-flow.generator';
import { SeededRng } from '@/fixtures-generator/seeded.rng';

// The committed set of good flows (fixtures/pivot/): small, but every structure, several services, credit notes
// (same flow and across flows), supplementary attachments, both amount precisions, La Poste's SIRET exception
// and names that need XML escaping (&, apostrophes, « », œ).

export interface FixtureFlow {
  fileName: string;
  flow: PivotFlowSpec;
  /** French, for fixtures/README.md. */
  description: string;
}

interface InvoicePlan {
  structure: string; // name prefix
  supplier: string; // name prefix
  service?: string | null;
  supplementary?: number;
  precision?: 'cents' | 'micro';
  lineCount?: number;
  /** Credit note on the invoice at [flow index, invoice index] of this plan. */
  creditNoteOn?: [number, number];
}

export function findStructure(prefix: string, structures: readonly DemoStructure[] = DEMO_STRUCTURES): DemoStructure {
  const found = structures.find((s) => s.name.startsWith(prefix));
  if (!found) throw new Error(`Structure de démonstration inconnue : ${prefix}`);
  return found;
}

export function findSupplier(prefix: string, suppliers: readonly DemoSupplier[] = DEMO_SUPPLIERS): DemoSupplier {
  const found = suppliers.find((s) => s.name.startsWith(prefix));
  if (!found) throw new Error(`Fournisseur de démonstration inconnu : ${prefix}`);
  return found;
}

const COMMUNE = 'Commune de Saint-Aubin-sur-Loire';
const WATER = 'Commune de Saint-Aubin-sur-Loire - Budget annexe';
const CC = 'Communauté de communes';
const HOSPITAL = 'Centre hospitalier';
const CCAS = "Centre communal d'action sociale";

const PLAN: Array<{ date: string; description: string; invoices: InvoicePlan[] }> = [
  {
    date: '2025-03-10',
    description:
      "Commune (budget principal) et CCAS : factures avec et sans code service, une PJ complémentaire, deux PJ complémentaires, montants à 6 décimales, fournisseur La Poste (SIRET hors Luhn), raison sociale avec « & ».",
    invoices: [
      { structure: COMMUNE, supplier: 'SARL Boulangerie', service: 'SCOLAIRE', supplementary: 0, precision: 'cents' },
      { structure: COMMUNE, supplier: 'SAS Bureautique', service: null, supplementary: 1, precision: 'cents' },
      { structure: COMMUNE, supplier: 'SARL Élec', service: 'ST', supplementary: 2, precision: 'micro', lineCount: 3 },
      { structure: CCAS, supplier: 'SAS Restauration', service: null, supplementary: 0, precision: 'cents' },
      { structure: COMMUNE, supplier: 'LA POSTE', service: 'FINANCES', supplementary: 0, precision: 'cents', lineCount: 2 },
      { structure: COMMUNE, supplier: 'SARL Espaces Verts', service: 'ST', supplementary: 0, precision: 'cents' },
    ],
  },
  {
    date: '2025-03-12',
    description:
      "Budget annexe de l'eau et communauté de communes (service et engagement obligatoires) : plusieurs services, un avoir sur une facture du même flux.",
    invoices: [
      { structure: WATER, supplier: 'SARL Élec', service: 'EAU', supplementary: 0, precision: 'cents' },
      { structure: WATER, supplier: "SARL L'Atelier", service: 'ASST', supplementary: 1, precision: 'cents', lineCount: 3 },
      { structure: CC, supplier: 'SAS Transports', service: 'ENFANCE', supplementary: 0, precision: 'cents' },
      { structure: CC, supplier: 'SAS Informatique', service: 'ADMGEN', supplementary: 0, precision: 'micro', lineCount: 3 },
      { structure: CC, supplier: 'SARL Espaces Verts', service: 'VOIRIE', supplementary: 0, precision: 'cents' },
      { structure: CC, supplier: 'SAS Informatique', creditNoteOn: [1, 3] },
    ],
  },
  {
    date: '2025-03-14',
    description:
      "Centre hospitalier (délai de paiement 50 jours) : TVA à 2,1 %, 5,5 % et 20 % dans une même facture, avoir sur une facture du même flux et avoir sur une facture du flux 1 (commune).",
    invoices: [
      { structure: HOSPITAL, supplier: 'SAS Fournitures', service: 'PUI', supplementary: 0, precision: 'micro', lineCount: 5 },
      { structure: HOSPITAL, supplier: 'SAS Restauration', service: 'RESTAU', supplementary: 0, precision: 'cents' },
      { structure: HOSPITAL, supplier: 'SAS Informatique', service: 'BIOMED', supplementary: 1, precision: 'cents' },
      { structure: HOSPITAL, supplier: 'SAS Fournitures', service: 'ACHATS', supplementary: 0, precision: 'cents', lineCount: 4 },
      { structure: COMMUNE, supplier: 'SAS Bureautique', creditNoteOn: [0, 1] },
      { structure: HOSPITAL, supplier: 'SAS Fournitures', creditNoteOn: [2, 0] },
    ],
  },
];

/** Sequence (→ invoice number and IdCPRO) of invoice `i` of good flow `flowIndex` (0-based). */
export function goodSequence(flowIndex: number, i: number): number {
  return (flowIndex + 1) * 1000 + i + 1;
}

export function buildGoodFlows(seed: number): FixtureFlow[] {
  const root = new SeededRng(seed);
  const flows: InvoiceSpec[][] = [];
  return PLAN.map((plan, flowIndex) => {
    const invoices: InvoiceSpec[] = [];
    flows.push(invoices);
    plan.invoices.forEach((p, i) => {
      const rng = root.fork(`good-${flowIndex}-${i}`);
      const sequence = goodSequence(flowIndex, i);
      if (p.creditNoteOn) {
        const origin = flows[p.creditNoteOn[0]][p.creditNoteOn[1]];
        invoices.push(buildCreditNoteSpec(rng, origin, { sequence, date: plan.date, supplementaryAttachments: 0 }));
        return;
      }
      const structure = findStructure(p.structure);
      const service = p.service === undefined ? undefined : p.service === null ? null : (structure.services.find((s) => s.code === p.service) ?? null);
      invoices.push(
        buildInvoiceSpec(rng, {
          structure,
          supplier: findSupplier(p.supplier),
          service,
          sequence,
          date: plan.date,
          precision: p.precision,
          lineCount: p.lineCount,
          supplementaryAttachments: p.supplementary,
        }),
      );
    });
    const index = flowIndex + 1;
    return {
      fileName: `flux-${String(index).padStart(3, '0')}.xml`,
      flow: { idFlx: makeIdFlx(index), dtPrd: plan.date, invoices },
      description: plan.description,
    };
  });
}
