import { PivotInvoice } from '@/pivot/pivot.types';

/**
 * A small readable invoice as the pivot reader gives it (unit specs of the checks and limits): consistent amounts,
 * one type 01 attachment; callers change what their case is about.
 */
export function samplePivotInvoice(amounts: { ht: string; ttc: string } = { ht: '100.00', ttc: '120.00' }, vats: string[] = ['20.00'], lines: string[] = []): PivotInvoice {
  return {
    numOrdre: 1,
    supplier: { idType: '1', id: '44306184100047', name: 'SARL Test' },
    debtor: { idType: '1', id: '21490412000018' },
    number: 'F-1',
    type: '380',
    cadre: 'A1',
    issueDate: '2026-02-27',
    receptionDate: '2026-03-02',
    amounts: { ...amounts, netToPay: amounts.ttc },
    vats: vats.map((amount) => ({ rate: '20', baseHt: amounts.ht, amount })),
    engagement: {},
    lines: lines.map((amountHt, i) => ({ numOrdre: i + 1, unitPrice: amountHt, quantity: '1', amountHt })),
    attachments: [{ numOrdre: 1, name: 'f.pdf', type: '01', mimeType: 'application/pdf', content: null }],
    validations: [],
  };
}
