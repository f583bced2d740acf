import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scanRecipientIds } from '@/ingestion/flow-recipients.scan';

describe('scanRecipientIds (lenient scan of a rejected flow for its recipients)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'recipients-scan-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, content: Buffer | string) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };
  const invoice = (supplier: string, debtor: string) =>
    `<CPPFacturePivotUnitaire><Fournisseur><TypeIdentifiant>1</TypeIdentifiant><Identifiant>${supplier}</Identifiant></Fournisseur>` +
    `<Debiteur>\n\t<TypeIdentifiant>1</TypeIdentifiant>\n\t<Identifiant> ${debtor} </Identifiant><Nom>Commune</Nom></Debiteur><DonneesFacture>`;

  it('finds every recipient, never the supplier, even in a truncated or malformed file', async () => {
    const path = file('truncated.xml', `<?xml version="1.0"?><CPPFacturePivot><CPPFactures>${invoice('48391520300044', '21490412000018')}<Id>A</Id>${invoice('1', '26490998700010')}<Id`);
    expect((await scanRecipientIds(path)).sort()).toEqual(['21490412000018', '26490998700010']);
  });

  it('reads namespaced, ISO-8859-1 and UTF-16 files', async () => {
    const xml = `<p:Debiteur xmlns:p="x"><p:TypeIdentifiant>1</p:TypeIdentifiant><p:Identifiant>21490412000018</p:Identifiant></p:Debiteur>`;
    expect(await scanRecipientIds(file('ns.xml', xml))).toEqual(['21490412000018']);
    expect(await scanRecipientIds(file('utf16.xml', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(xml, 'utf16le')])))).toEqual(['21490412000018']);
    expect(await scanRecipientIds(file('latin1.xml', Buffer.from(`<Debiteur><Nom>Crèche</Nom><Identifiant>21490412000018</Identifiant></Debiteur>`, 'latin1')))).toEqual(['21490412000018']);
  });

  it('does not take an identifier beyond the end of a recipient block that has none', async () => {
    const xml = `<Debiteur><Nom>Sans identifiant</Nom></Debiteur><Fournisseur><Identifiant>48391520300044</Identifiant></Fournisseur>`;
    expect(await scanRecipientIds(file('none.xml', xml))).toEqual([]);
  });

  it('finds a block cut across two reads of a large file', async () => {
    const padding = 'x'.repeat(1024 * 1024 - 20);
    expect(await scanRecipientIds(file('large.xml', `<a>${padding}${invoice('1', '21490412000018')}</a>`))).toEqual(['21490412000018']);
  });
});
