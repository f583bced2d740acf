// PES_AsapRetour (DosTech v5.19, « Domaine Asap Retour »): per ASAP (IdUniquePJASAP) the DGFiP éditique says it
// was handed to La Poste (Postalisation), or the mail notification pilot that the debtor was told / first read it
// in his ENSU space (NotificationParMail, possibly in two files), or that it was rejected (Rejet, with a motif).

export type AsapEventKind = 'POSTALISATION' | 'NOTIFICATION' | 'REJET';

/** One piece of news about one ASAP, as read from a PES_AsapRetour (dates YYYY-MM-DD). */
export interface AsapEvent {
  kind: AsapEventKind;
  postedOn: string | null;
  notifiedOn: string | null;
  firstReadOn: string | null;
  rejectedOn: string | null;
  rejectionCode: string | null;
  rejectionReason: string | null;
  /** IndicRelanceAsap: Hélios presents the ASAP again without its PDF complément. */
  relance: boolean;
  complementState: string | null;
  receivedAt: string;
}

/** What Hélios said of the ASAP once edited or notified, folded from its events (oldest first). */
export interface AsapRetourView {
  /** POSTALISE (handed to La Poste), NOTIFIE (mail sent to the debtor's ENSU space), LU (first read there), REJETE. */
  state: 'POSTALISE' | 'NOTIFIE' | 'LU' | 'REJETE';
  postedOn: string | null;
  notifiedOn: string | null;
  firstReadOn: string | null;
  rejectedOn: string | null;
  /** French motif of the éditique or of the mail notification pilot. */
  rejectionReason: string | null;
  /** IndicRelanceAsap: after this rejection Hélios sends the ASAP to the éditique again, without its PDF. */
  relance: boolean;
  /** The PDF complément (PJ 008): « 01 » joined to the ASAP, « 02 » could not be, « 03 » not joined on the second presentation. */
  complementState: string | null;
  /** When Passerelle read the latest PES_AsapRetour about it. */
  receivedAt: string;
}

export const COMPLEMENT_STATE_LABELS: Record<string, string> = {
  '01': 'PJ complémentaire jointe à l’ASAP',
  '02': 'PJ complémentaire non jointe (trop volumineuse ou trop de pages)',
  '03': 'PJ complémentaire non jointe (deuxième présentation après un rejet de l’éditique)',
};

/**
 * Events in the order they were read; dates are kept once known (a second notification file repeats the
 * first date and adds the reading date); the state is the latest event's, so a postalisation after a rejection
 * (relance) shows the ASAP as posted while its rejection stays readable.
 */
export function foldAsapEvents(events: AsapEvent[]): AsapRetourView | null {
  if (!events.length) return null;
  const v: AsapRetourView = { state: 'POSTALISE', postedOn: null, notifiedOn: null, firstReadOn: null, rejectedOn: null, rejectionReason: null, relance: false, complementState: null, receivedAt: '' };
  for (const e of events) {
    v.postedOn = e.postedOn ?? v.postedOn;
    v.notifiedOn = e.notifiedOn ?? v.notifiedOn;
    v.firstReadOn = e.firstReadOn ?? v.firstReadOn;
    if (e.kind === 'REJET') {
      v.rejectedOn = e.rejectedOn;
      v.rejectionReason = e.rejectionReason;
      v.relance = e.relance;
    }
    v.complementState = e.complementState ?? v.complementState;
    v.receivedAt = e.receivedAt;
    v.state = e.kind === 'REJET' ? 'REJETE' : e.kind === 'POSTALISATION' ? 'POSTALISE' : v.firstReadOn ? 'LU' : 'NOTIFIE';
  }
  return v;
}
