import { Injectable } from '@nestjs/common';
import { Clock } from '@/clock/clock.port';
import { BordereauxRepository } from '@/pes/bordereaux.repository';
import { DEPENSE_STATE_LABELS, DepenseMandatRow, DepenseMandatsRepository } from '@/pes/depense/depense-mandats.repository';

export interface DepenseMandatView extends DepenseMandatRow {
  stateLabel: string;
  /** A mandat Hélios rejected leaves again with the next bordereau (once corrected). */
  resendable: boolean;
}

/**
 * What Hélios' acquits mean for each mandat. `pes acquit` (PesAcquitService, any domain) marks the dépense bordereau
 * accepted or rejected and keeps every error with its piece; here the mandats of that bordereau follow: all rejected
 * with it (Hélios rejects the bordereau « qui comprend » the faulty piece), each with its own error when the acquit
 * names it, else the bordereau's. The invoice's Chorus Pro status is never touched by an acquit.
 */
@Injectable()
export class DepenseStatesService {
  constructor(
    private readonly repo: DepenseMandatsRepository,
    private readonly bordereaux: BordereauxRepository,
    private readonly clock: Clock,
  ) {}

  async settleAcquits(budgetId: string): Promise<number> {
    const waiting = await this.repo.awaitingAcquit(budgetId);
    if (!waiting.length) return 0;
    const errors = await this.bordereaux.errorsOf([...new Set(waiting.map((r) => r.bordereauId))]);
    const now = this.clock.now();
    for (const r of waiting) {
      if (r.bordereauStatus === 'ACCEPTE') {
        await this.repo.setState(null, r.id, 'ACCEPTE', now, null, null);
        continue;
      }
      const all = errors.get(r.bordereauId) ?? [];
      const own = all.filter((e) => e.piece !== null && Number(e.piece) === r.idPce);
      const general = all.filter((e) => e.piece === null);
      const chosen = own.length ? own : general;
      const reason = chosen.length
        ? chosen.map((e) => e.message).join(' ; ')
        : `Bordereau ${r.year}-${r.bordereauNumber} rejeté par Hélios pour un autre mandat : à renvoyer dans un prochain bordereau`;
      const code = chosen.find((e) => e.heliosCode)?.heliosCode ?? chosen.find((e) => e.anoCode)?.anoCode ?? null;
      await this.repo.setState(null, r.id, 'REJETE', now, code, reason);
    }
    return waiting.length;
  }

  /** Every mandat sent for the budget, latest bordereau first, with its French state. */
  async sent(budgetId: string): Promise<DepenseMandatView[]> {
    await this.settleAcquits(budgetId);
    const rows = await this.repo.listByBudget(budgetId);
    const latest = new Map<string, DepenseMandatRow>();
    for (const r of rows) if (!latest.has(r.mandateId)) latest.set(r.mandateId, r);
    return rows.map((r) => ({ ...r, stateLabel: DEPENSE_STATE_LABELS[r.state], resendable: r.state === 'REJETE' && latest.get(r.mandateId) === r }));
  }
}
