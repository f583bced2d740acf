import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describeWithReference, PASTELL_DIR } from '@test/support/shared';
import { readCppStatut } from '@/status-return/cpp-statut.reader';
import { validateWithXsd } from '@/status-return/cpp-statut.schema';
import { CppFactureStatutItem, itemProblems, renderCppStatut } from '@/status-return/cpp-statut.writer';

const PASTELL = PASTELL_DIR;
let XSD = '';
const envelope = { idFlx: '0000000042', dtPrd: '2026-03-02', senderId: 'PASSRL', senderLabel: 'Passerelle', receiverId: 'CPP0001', receiverLabel: 'Chorus Pro' };
const item: CppFactureStatutItem = {
  supplier: { idType: '1', id: '44306184100047', name: 'Dupont & Fils <SARL>', country: 'FR' },
  debtor: { id: '21930053000017', name: 'Commune', serviceCode: 'FIN', serviceName: null },
  idStatut: '05',
  complement: 'Rejetée',
  comment: 'Motif "entre guillemets" \u0001 avec un caractère de contrôle',
  timestamp: '2026-03-02T09:00:00.000Z',
  idFacture: 'F-1',
  dateFacture: '2026-02-27',
  idMandatDP: null,
};

describeWithReference('CPPStatut writer and reader', () => {
  beforeAll(() => {
    XSD = readFileSync(resolve(PASTELL, 'xsd-pivot', 'CPPStatutPivot_V1_19.xsd'), 'utf8');
  });

  it('renders a document valid against CPPStatutPivot_V1_19.xsd, read back identically', async () => {
    const xml = renderCppStatut(envelope, [item, { ...item, idStatut: '08', comment: null, idMandatDP: 'M-7', supplier: { ...item.supplier, country: null } }]);
    expect(await validateWithXsd(xml, XSD)).toEqual([]);
    const read = readCppStatut(xml);
    if (read.kind !== 'factures') throw new Error(read.kind);
    expect(read.envelope).toMatchObject({ idFlx: '0000000042', dtPrd: '2026-03-02', senderId: 'PASSRL', receiverId: 'CPP0001' });
    expect(read.statuses[0]).toMatchObject({ idStatut: '05', cppStatus: 'REJETEE', comment: 'Motif "entre guillemets"  avec un caractère de contrôle' });
    expect(read.statuses[0].supplier.name).toBe('Dupont & Fils <SARL>');
    expect(read.statuses[1]).toMatchObject({ idStatut: '08', cppStatus: 'MANDATEE', idMandatDP: 'M-7' });
  });

  it('says why an item cannot be written validly', () => {
    expect(itemProblems(item)).toEqual([]);
    expect(itemProblems({ ...item, debtor: { id: '123' }, supplier: { ...item.supplier, idType: '9' } })).toHaveLength(2);
  });

  it('Example03 is invalid for the official XSD as well as for the reader', async () => {
    const xml = readFileSync(resolve(PASTELL, 'statut-facture-cpp-fixtures', 'Example03-FactureStatut-ko.xml'), 'utf8');
    expect((await validateWithXsd(xml, XSD)).join('\n')).toMatch(/Horodatage/);
    expect(readCppStatut(xml).kind).toBe('schema-invalid');
    for (const ok of ['Example01-FactureStatut-ok.xml', 'Example02-FactureStatut-ko.xml', 'Example04-FactureStatut-ko.xml']) {
      const valid = readFileSync(resolve(PASTELL, 'statut-facture-cpp-fixtures', ok), 'utf8');
      expect(await validateWithXsd(valid, XSD)).toEqual([]);
      expect(readCppStatut(valid).kind).not.toBe('schema-invalid');
    }
  });
});
