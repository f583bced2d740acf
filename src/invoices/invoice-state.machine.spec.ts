import { DomainError } from '@/common/errors/domain.error';
import {
  ACTION_INPUTS,
  availableActions,
  decide,
  HELIOS_OWNED_STATUSES,
  INVOICE_STATUSES,
  outboxStatus,
  TRANSITIONS,
  USER_ACTIONS,
} from '@/invoices/invoice-state.machine';

const code = (fn: () => unknown): string | null => {
  try {
    fn();
    return null;
  } catch (err) {
    return (err as DomainError).code;
  }
};

describe('invoice state machine', () => {
  const base = { unknownRecipient: false, reasonGiven: true, rejectionPending: true };

  describe.each(TRANSITIONS.map((t) => [t.action, t] as const))('%s', (action, rule) => {
    const role = rule.roles[0];
    it.each(INVOICE_STATUSES.map((s) => [s]))(`from %s`, (status) => {
      const result = code(() => decide(action, { ...base, status, role }));
      if (rule.from.includes(status)) expect(result).toBeNull();
      else expect(result).toBe('TRANSITION_NOT_ALLOWED');
    });

    it('is refused to the other roles', () => {
      for (const other of ['agent', 'tresorier', 'admin', 'chorus-pro'] as const) {
        if (rule.roles.includes(other)) continue;
        expect(code(() => decide(action, { ...base, status: rule.from[0], role: other }))).toBe('ROLE_NOT_ALLOWED');
      }
    });

    it(rule.reasonRequired ? 'requires a reason' : 'needs no reason', () => {
      const result = code(() => decide(action, { ...base, status: rule.from[0], role, reasonGiven: false }));
      expect(result).toBe(rule.reasonRequired ? 'REASON_REQUIRED' : null);
    });
  });

  it('matches the issue: transitions, Chorus Pro statuses, reasons, roles', () => {
    const table = Object.fromEntries(
      TRANSITIONS.map((t) => [t.action, `${t.from.join('|')} -> ${t.to} [${t.produces ?? '-'}] ${t.reasonRequired ? 'motif' : ''} ${t.roles.join('+')}`]),
    );
    expect(table).toEqual({
      record: 'A_TRAITER -> FACTUREE [-]  agent+admin',
      'service-done': 'A_TRAITER -> SERVICE_FAIT [SERVICE_FAIT]  agent+admin',
      mandate: 'A_TRAITER|FACTUREE|SERVICE_FAIT -> MANDATEE [MANDATEE]  agent+admin',
      reject: 'A_TRAITER|FACTUREE|SERVICE_FAIT -> REJETEE [REJETEE] motif agent+admin',
      suspend: 'A_TRAITER|FACTUREE|SERVICE_FAIT -> SUSPENDUE [SUSPENDUE] motif agent+admin',
      recycle: 'A_TRAITER -> A_RECYCLER [A_RECYCLER]  agent+admin',
      'cancel-rejection': 'REJETEE -> A_TRAITER [-]  agent+admin',
      'end-suspension': 'SUSPENDUE -> A_TRAITER [-]  agent+admin',
      payment: 'MANDATEE -> MISE_EN_PAIEMENT [MISE_EN_PAIEMENT]  tresorier',
      'cpp-completed': 'SUSPENDUE -> A_TRAITER [-]  chorus-pro',
      'cpp-paid': 'MANDATEE -> MISE_EN_PAIEMENT [-]  chorus-pro',
      'helios-paid': 'MANDATEE -> MISE_EN_PAIEMENT [MISE_EN_PAIEMENT]  helios',
    });
  });

  it('pushes none of the statuses Hélios owns for a structure whose comptable is under Hélios', () => {
    const pushed = (heliosComptable: boolean) =>
      Object.fromEntries(TRANSITIONS.filter((t) => t.produces).map((t) => [t.action, outboxStatus(t, { heliosComptable })]));
    expect(pushed(false)).toMatchObject({ payment: 'MISE_EN_PAIEMENT', 'helios-paid': 'MISE_EN_PAIEMENT', mandate: 'MANDATEE' });
    expect(pushed(true)).toMatchObject({ payment: null, 'helios-paid': null, mandate: 'MANDATEE', reject: 'REJETEE', suspend: 'SUSPENDUE' });
    expect(HELIOS_OWNED_STATUSES).toEqual(['MISE_A_DISPOSITION_COMPTABLE', 'COMPTABILISEE', 'MISE_EN_PAIEMENT']);
  });

  it('lets an invoice with an unknown recipient only be recycled or rejected', () => {
    const allowed = USER_ACTIONS.filter(
      (action) => code(() => decide(action, { ...base, status: 'A_TRAITER', role: 'admin', unknownRecipient: true })) === null,
    );
    expect(allowed).toEqual(['reject', 'recycle']);
    expect(code(() => decide('mandate', { ...base, status: 'A_TRAITER', role: 'admin', unknownRecipient: true }))).toBe(
      'UNKNOWN_RECIPIENT_RESTRICTED',
    );
  });

  it('cancels a rejection only while it has not been sent to Chorus Pro', () => {
    expect(code(() => decide('cancel-rejection', { ...base, status: 'REJETEE', role: 'agent', rejectionPending: true }))).toBeNull();
    expect(code(() => decide('cancel-rejection', { ...base, status: 'REJETEE', role: 'agent', rejectionPending: false }))).toBe(
      'REJECTION_ALREADY_SENT',
    );
  });

  it('suspends an invoice once only, before its mandate (R2192-27), in French', () => {
    expect(code(() => decide('suspend', { ...base, status: 'A_TRAITER', role: 'agent', suspendedBeforeOn: null }))).toBeNull();
    let refusal: DomainError | null = null;
    try {
      decide('suspend', { ...base, status: 'A_TRAITER', role: 'agent', suspendedBeforeOn: '2026-03-10' });
    } catch (err) {
      refusal = err as DomainError;
    }
    expect(refusal).toMatchObject({ code: 'SUSPENSION_ALREADY_USED', kind: 'conflict' });
    expect(refusal?.message).toBe(
      "Le délai de paiement ne peut être suspendu qu'une seule fois (article R2192-27 du code de la commande publique) : cette facture a déjà été suspendue le 10/03/2026",
    );
    // After the mandate the clock can no longer be suspended at all.
    expect(code(() => decide('suspend', { ...base, status: 'MANDATEE', role: 'agent' }))).toBe('TRANSITION_NOT_ALLOWED');
    // Lifting a suspension is not a suspension.
    expect(code(() => decide('end-suspension', { ...base, status: 'SUSPENDUE', role: 'agent', suspendedBeforeOn: '2026-03-10' }))).toBeNull();
  });

  it('lists the actions available to a role', () => {
    expect(availableActions({ status: 'A_TRAITER', role: 'agent', unknownRecipient: false })).toEqual([
      'record',
      'service-done',
      'mandate',
      'reject',
      'suspend',
      'recycle',
    ]);
    expect(availableActions({ status: 'MANDATEE', role: 'tresorier', unknownRecipient: false })).toEqual(['payment']);
    expect(availableActions({ status: 'MANDATEE', role: 'agent', unknownRecipient: false })).toEqual([]);
  });

  it('asks for a motif exactly where the transition requires one', () => {
    for (const action of USER_ACTIONS) {
      const rule = TRANSITIONS.find((t) => t.action === action)!;
      expect([action, ACTION_INPUTS[action].includes('reason')]).toEqual([action, rule.reasonRequired]);
    }
  });
});
