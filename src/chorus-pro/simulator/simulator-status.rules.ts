import { CppReceivedStatus } from '@/chorus-pro/chorus-pro.types';

// What a recipient may set through traiter/recue, from each current status, as the simulator models Chorus Pro's
// received-invoice life cycle (« Traiter une facture reçue », guide Chorus Pro destinataires):
// - DEPOSEE → MISE_A_DISPOSITION is the platform's own step; COMPLETEE is the supplier's answer to a suspension;
// - REJETEE, A_RECYCLER and MISE_EN_PAIEMENT are final for the recipient;
// - in cadres where the service fait must be certified first (works and subcontracting: A4…A8, A9, A12),
//   MANDATEE is only allowed after SERVICE_FAIT.

const AFTER_RECEPTION: CppReceivedStatus[] = ['A_RECYCLER', 'REJETEE', 'SUSPENDUE', 'SERVICE_FAIT', 'MANDATEE', 'MISE_A_DISPOSITION_COMPTABLE', 'MISE_EN_PAIEMENT'];

const NEXT: Record<CppReceivedStatus, CppReceivedStatus[]> = {
  DEPOSEE: [],
  MISE_A_DISPOSITION: AFTER_RECEPTION,
  COMPLETEE: AFTER_RECEPTION,
  SUSPENDUE: ['REJETEE'],
  SERVICE_FAIT: ['SUSPENDUE', 'REJETEE', 'MANDATEE', 'MISE_A_DISPOSITION_COMPTABLE', 'MISE_EN_PAIEMENT'],
  MANDATEE: ['MISE_A_DISPOSITION_COMPTABLE', 'COMPTABILISEE', 'MISE_EN_PAIEMENT'],
  MISE_A_DISPOSITION_COMPTABLE: ['COMPTABILISEE', 'MISE_EN_PAIEMENT'],
  COMPTABILISEE: ['MISE_EN_PAIEMENT'],
  MISE_EN_PAIEMENT: [],
  REJETEE: [],
  A_RECYCLER: [],
};

/** Cadres de facturation where SERVICE_FAIT must precede MANDATEE. */
export const SERVICE_FAIT_FIRST_CADRES = new Set(['A4', 'A5', 'A6', 'A7', 'A8', 'A9', 'A12']);

/** Statuses that need a motif (comment to the supplier). */
export const MOTIF_REQUIRED = new Set(['REJETEE', 'SUSPENDUE', 'A_RECYCLER']);

export function nextStatuses(current: string, cadre?: string): CppReceivedStatus[] {
  const list = NEXT[current as CppReceivedStatus] ?? [];
  if (cadre && SERVICE_FAIT_FIRST_CADRES.has(cadre) && (current === 'MISE_A_DISPOSITION' || current === 'COMPLETEE')) {
    return list.filter((s) => s !== 'MANDATEE' && s !== 'MISE_A_DISPOSITION_COMPTABLE' && s !== 'MISE_EN_PAIEMENT');
  }
  return list;
}

export function canTransition(current: string, next: string, cadre?: string): boolean {
  return nextStatuses(current, cadre).includes(next as CppReceivedStatus);
}
