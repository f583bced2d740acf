import { InvoiceWorkflowService } from '@/invoices/invoice-workflow.service';

describe('InvoiceWorkflowService.firstChorusProStatus (an invoice being created)', () => {
  // Pure decision: no repository nor transition is touched.
  const workflow = new InvoiceWorkflowService(null as never, null as never, { now: () => new Date() } as never);
  const at = new Date('2026-12-02T10:00:00Z');
  const report = (cppStatus: string) => ({ cppStatus, context: { actor: 'Chorus Pro', details: { idFacture: 7 } } });

  it('writes the status and its « Statut Chorus Pro reçu » step with the invoice when nothing else follows', () => {
    expect(workflow.firstChorusProStatus({ status: 'A_TRAITER' }, report('MISE_A_DISPOSITION'), at)).toEqual({
      cppStatus: 'MISE_A_DISPOSITION',
      step: {
        step: 'CPP_STATUS',
        label: 'Statut Chorus Pro reçu',
        actor: 'Chorus Pro',
        at,
        fromStatus: 'A_TRAITER',
        toStatus: 'A_TRAITER',
        flowId: null,
        details: { idFacture: 7, cppStatus: 'MISE_A_DISPOSITION', previousCppStatus: null },
      },
    });
  });

  it('leaves to onChorusProStatuses a status that moves the invoice (the state machine decides)', () => {
    expect(workflow.firstChorusProStatus({ status: 'SUSPENDUE' }, report('COMPLETEE'), at)).toBeNull();
    expect(workflow.firstChorusProStatus({ status: 'MANDATEE' }, report('MISE_EN_PAIEMENT'), at)).toBeNull();
    // Not from A_TRAITER: only kept.
    expect(workflow.firstChorusProStatus({ status: 'A_TRAITER' }, report('MISE_EN_PAIEMENT'), at)?.cppStatus).toBe('MISE_EN_PAIEMENT');
  });
});
