import { randomBytes } from 'node:crypto';
import { promises as fs, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PassThrough, Readable, Transform } from 'node:stream';
import * as iconv from 'iconv-lite';
import * as yazl from 'yazl';
import { LocalFileStore } from '@/storage/local-file.store';
import { PivotReader, PivotReadOptions } from '@/pivot/pivot.reader';
import { PivotAttachment, PivotEvent, PivotFlowError, PivotInvoice } from '@/pivot/pivot.types';
import { describeWithReference, PASTELL_DIR } from '@test/support/shared';

const REFERENCE = PASTELL_DIR;
const FACTURE_1221 = join(REFERENCE, 'fakeCpp', 'facture_1221.xml');
/** A valid flow with attachments made by the project's generator, for the tests that need any real flow. */
const GENERIC_FLOW = resolve(__dirname, '../../fixtures/pivot/flux-001.xml');

describe('PivotReader', () => {
  const reader = new PivotReader();
  let root: string;
  let store: LocalFileStore;

  beforeEach(async () => {
    root = await fs.mkdtemp(join(tmpdir(), 'pivot-reader-'));
    store = new LocalFileStore(root);
  });

  afterEach(async () => {
    // Every temp file (decoded Contenu, store staging) must be gone, whatever happened.
    const tmp = join(root, 'tmp');
    const left = await fs.readdir(tmp).catch(() => []);
    await fs.rm(root, { recursive: true, force: true });
    expect(left).toEqual([]);
  });

  async function readAll(
    input: Readable | Buffer | string,
    options: Partial<PivotReadOptions> = {},
  ): Promise<{ events: PivotEvent[]; error?: PivotFlowError }> {
    const stream = typeof input === 'string' || Buffer.isBuffer(input) ? chunked(Buffer.from(input)) : input;
    const events: PivotEvent[] = [];
    try {
      for await (const event of reader.read(stream, { store, ...options })) events.push(event);
      return { events };
    } catch (err) {
      if (!(err instanceof PivotFlowError)) throw err;
      return { events, error: err };
    }
  }

  function invoices(events: PivotEvent[]): PivotInvoice[] {
    return events.flatMap((e) => (e.kind === 'invoice' ? [e.invoice] : []));
  }

  async function storedHead(attachment: PivotAttachment, bytes = 4): Promise<string> {
    const stream = await store.openRead(attachment.content!.storageKey);
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).subarray(0, bytes).toString('latin1');
  }

  describeWithReference('real samples (Pastell fixtures)', () => {
    const SAMPLES = [
      ...readdirSync(join(REFERENCE, 'fakeCpp'))
        .filter((name) => name.endsWith('.xml'))
        .map((name) => join(REFERENCE, 'fakeCpp', name)),
      join(REFERENCE, 'fixtures_chorus', 'facture-pivot.xml'),
    ];
    it.each(SAMPLES.map((path) => [path.slice(REFERENCE.length + 1), path]))('reads %s', async (_name, path) => {
      const { events, error } = await readAll(readFileSync(path));
      expect(error).toBeUndefined();
      expect(events[0].kind).toBe('envelope');
      const unitCount = (readFileSync(path, 'latin1').match(/<CPPFacturePivotUnitaire/g) ?? []).length;
      expect(events.slice(1)).toHaveLength(unitCount);
      for (const event of events.slice(1)) {
        expect(event.kind).toBe('invoice');
        if (event.kind !== 'invoice') continue;
        for (const pj of event.invoice.attachments) {
          expect(pj.error).toBeUndefined();
          expect(pj.content).not.toBeNull();
          expect(pj.content!.entryName).toBe(pj.name);
        }
      }
    });

    it('maps facture_1221.xml field by field', async () => {
      const { events, error } = await readAll(readFileSync(FACTURE_1221));
      expect(error).toBeUndefined();
      expect(events).toHaveLength(2);
      const envelope = events[0].kind === 'envelope' ? events[0].envelope : undefined;
      expect(envelope).toEqual({
        schemaLocation: 'FEN0036A',
        idFlx: 'CPP0020036000000000000004',
        dtPrd: '2015-12-20',
        parameters: [
          { code: 'DtPrd', value: '2015-12-20', numOrdre: '0001' },
          { code: 'IdFlx', value: 'CPP0020036000000000000004', numOrdre: '0002' },
        ],
        sender: { id: 'CPP001', label: 'Application Chorus Portail Pro' },
        receiver: { id: 'SEI001', label: 'Application SEIF' },
        declaredCount: 1,
      });
      expect(envelope?.version).toBeUndefined();

      const [invoice] = invoices(events);
      const { attachments, ...rest } = invoice;
      expect(rest).toEqual({
        numOrdre: 1,
        supplier: {
          idType: '1',
          id: '32682006500083',
          name: 'SARL Structure 1 SIRET',
          countryCode: 'FR',
          emissionMode: 'flux',
          bank: { type: 'IBAN', account: 'FR2420020202260600024M02606', establishment: 'HSBC France' },
        },
        debtor: {
          idType: '1',
          id: '21930053000017',
          name: 'Commune de Noisy Le Sec',
          serviceCode: 'GN5CAFZ069',
          serviceName: 'COMPTABILITE',
        },
        number: 'AVA20150923',
        originInvoiceNumber: 'AVA20150923',
        type: '380',
        cadre: 'A1',
        issueDate: '2015-08-19',
        receptionDate: '2015-08-19',
        currency: 'EUR',
        paymentMode: { code: '42', label: 'Virement' },
        amounts: { ht: '3245.000000', ttc: '3245.681450', netToPay: '3245.681450' },
        vats: [{ rate: '0.021', baseHt: '3245.000000', amount: '0.681450' }],
        engagement: { engagementNumber: '2412345673' },
        lines: [
          {
            numOrdre: 1,
            productRef: 'Chmili21',
            unitPrice: '1789.000000',
            quantity: '1',
            amountHt: '1789.000000',
            vatRate: '0.021',
          },
          {
            numOrdre: 2,
            productRef: 'Chmili22',
            unitPrice: '1456.000000',
            quantity: '1',
            amountHt: '1456.000000',
            vatRate: '0.021',
          },
        ],
        validations: [
          {
            date: '2015-08-19',
            statusCode: '01',
            complement: 'Déposée',
            producer: { idType: '1', id: '11002001300097', name: 'Ministère', countryCode: 'FR' },
          },
        ],
      });
      expect(invoice.engagement.marketNumber).toBeUndefined(); // <NumeroMarche/>

      expect(attachments).toHaveLength(2);
      expect(attachments.map((a) => [a.numOrdre, a.type, a.name, a.mimeType, a.idOriginal])).toEqual([
        [1, '01', 'FACAVA2015092332682006500083.pdf', 'application/pdf', '12A19'],
        [2, '02', 'PJFACAVA2015092332682006500083.pdf', 'application/pdf', '12A20'],
      ]);
      for (const pj of attachments) {
        expect(pj.error).toBeUndefined();
        expect(pj.content).toEqual({
          entryName: pj.name,
          sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
          size: expect.any(Number),
          storageKey: pj.content!.sha256,
        });
        expect(await storedHead(pj)).toBe('%PDF');
      }
    });

    it('reads facture-pivot.xml (schemaLocation V1_22) with its version', async () => {
      const { events, error } = await readAll(readFileSync(join(REFERENCE, 'fixtures_chorus', 'facture-pivot.xml')));
      expect(error).toBeUndefined();
      const envelope = events[0].kind === 'envelope' ? events[0].envelope : undefined;
      expect(envelope?.version).toBe('V1_22');
      expect(envelope?.schemaLocation).toBe('CPPFacturePivot_V1_22.xsd');
      expect(envelope?.dtPrd).toBe('2019-03-21');
    });

    it.each([1, 7])('gives the same result when fed %i byte(s) at a time (tags split across chunks)', async (size) => {
      const bytes = readFileSync(FACTURE_1221);
      const whole = await readAll(bytes);
      const split = await readAll(chunked(bytes, size));
      expect(split.error).toBeUndefined();
      expect(split.events).toEqual(whole.events);
    });
  });

  describe('encodings', () => {
    it('decodes ISO-8859-1 input with accents', async () => {
      const xml = pivot([
        invoiceXml({ supplierName: 'Société Générale d’Électricité', validationComplement: 'Déposée' }),
      ]).replace('encoding="UTF-8"', 'encoding="ISO-8859-1"').replace('’', "'");
      const { events, error } = await readAll(iconv.encode(xml, 'latin1'));
      expect(error).toBeUndefined();
      const [invoice] = invoices(events);
      expect(invoice.supplier.name).toBe("Société Générale d'Électricité");
      expect(invoice.validations[0].complement).toBe('Déposée');
      expect(invoice.debtor.serviceName).toBe('Service Trésorerie');
    });

    it.each(['latin1', 'iso8859-1', 'windows-1252'])('accepts the "%s" spelling', async (label) => {
      const xml = pivot([invoiceXml({ supplierName: 'Café € Œuvre' })]) //
        .replace('encoding="UTF-8"', `encoding="${label}"`);
      const { events, error } = await readAll(iconv.encode(xml, 'win1252'));
      expect(error).toBeUndefined();
      expect(invoices(events)[0].supplier.name).toBe('Café € Œuvre');
    });

    it('rejects an unknown encoding', async () => {
      const xml = pivot([invoiceXml({})]).replace('encoding="UTF-8"', 'encoding="EBCDIC-FR"');
      const { events, error } = await readAll(xml);
      expect(error?.code).toBe('UNSUPPORTED_ENCODING');
      expect(events).toEqual([]);
    });

    it('rejects Latin-1 bytes in a flow declared UTF-8', async () => {
      const xml = pivot([invoiceXml({ supplierName: 'Société' })]);
      const { error } = await readAll(iconv.encode(xml, 'latin1'));
      expect(error?.code).toBe('MALFORMED_XML');
    });

    it('accepts a UTF-8 BOM', async () => {
      const xml = pivot([invoiceXml({ supplierName: 'Société' })]);
      const { events, error } = await readAll(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(xml)]));
      expect(error).toBeUndefined();
      expect(invoices(events)[0].supplier.name).toBe('Société');
    });
  });

  describe('flow errors', () => {
    it('rejects an empty file', async () => {
      expect((await readAll('')).error?.code).toBe('EMPTY_FILE');
      expect((await readAll('  \n')).error?.code).toBe('EMPTY_FILE');
      expect((await readAll('<?xml version="1.0"?>\n')).error?.code).toBe('EMPTY_FILE');
    });

    it('rejects malformed XML', async () => {
      const xml = '<?xml version="1.0"?><CPPFacturePivot><Enveloppe></Parametres></CPPFacturePivot>';
      const { error } = await readAll(xml);
      expect(error?.code).toBe('MALFORMED_XML');
      expect(error?.message).toMatch(/^XML mal formé/);
    });

    it('reports the line of the error in the original flow, even after a wrapped Contenu', async () => {
      const zip = await makeZip([{ name: 'facture.pdf', data: randomBytes(4000) }]);
      const wrapped = zip.toString('base64').replace(/.{76}/g, '$&\n');
      const xml = pivot([invoiceXml({ contenu: wrapped })]).replace('<TypePJ>', '<TypePJ><Oops>');
      const line = xml.slice(0, xml.indexOf('<Oops>')).split('\n').length;
      const { error } = await readAll(xml);
      expect(error?.code).toBe('MALFORMED_XML');
      expect(error?.message).toContain(` ${line}:`); // the mismatch is seen at </TypePJ>, on the same line
    });

    it('rejects an undefined entity reference', async () => {
      const { error } = await readAll(pivot([invoiceXml({ supplierName: 'A &xxe; B' })]));
      expect(error?.code).toBe('MALFORMED_XML');
    });

    it('rejects a flow truncated inside an attachment', async () => {
      const bytes = readFileSync(GENERIC_FLOW);
      const { events, error } = await readAll(bytes.subarray(0, bytes.indexOf('</Contenu>') - 100));
      expect(error?.code).toBe('TRUNCATED_XML');
      expect(invoices(events)).toEqual([]);
    });

    it('rejects a flow truncated after a complete invoice (events may already have been yielded)', async () => {
      const xml = pivot([invoiceXml({ numOrdre: 1 }), invoiceXml({ numOrdre: 2 })]);
      const { events, error } = await readAll(xml.slice(0, xml.indexOf('</CPPFactures>')));
      expect(error?.code).toBe('TRUNCATED_XML');
      expect(invoices(events)).toHaveLength(2);
    });

    it('rejects a flow truncated in the middle of a tag', async () => {
      const xml = pivot([invoiceXml({})]);
      const { error } = await readAll(xml.slice(0, xml.indexOf('<Montants>') + 5));
      expect(error?.code).toBe('TRUNCATED_XML');
    });

    it('refuses an external entity (XXE) without fetching it', async () => {
      const xml = pivot([invoiceXml({ supplierName: '&xxe;' })]).replace(
        '?>',
        '?>\n<!DOCTYPE CPPFacturePivot [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
      );
      const { events, error } = await readAll(xml);
      expect(error?.code).toBe('DTD_FORBIDDEN');
      expect(events).toEqual([]);
    });

    it('refuses a "billion laughs" DTD', async () => {
      const entities = ['<!ENTITY lol "lol">'];
      for (let i = 1; i <= 9; i++) entities.push(`<!ENTITY lol${i} "${`&lol${i === 1 ? '' : i - 1};`.repeat(10)}">`);
      const dtd = `<!DOCTYPE lolz [${entities.join('')}]>`;
      const xml = `<?xml version="1.0"?>\n${dtd}\n<CPPFacturePivot>&lol9;</CPPFacturePivot>`;
      const { error } = await readAll(xml);
      expect(error?.code).toBe('DTD_FORBIDDEN');
    });

    it('refuses a DOCTYPE split across chunks', async () => {
      const xml =
        '<?xml version="1.0"?><!DOCTYPE CPPFacturePivot SYSTEM "http://evil.example/x.dtd"><CPPFacturePivot/>';
      expect((await readAll(chunked(Buffer.from(xml), 3))).error?.code).toBe('DTD_FORBIDDEN');
    });

    it('rejects another root element', async () => {
      const { error } = await readAll('<?xml version="1.0"?><CPPStatut><Enveloppe/></CPPStatut>');
      expect(error?.code).toBe('WRONG_ROOT');
      expect(error?.message).toContain('CPPStatut');
    });

    it('rejects a flow over maxFlowBytes', async () => {
      const { error } = await readAll(readFileSync(GENERIC_FLOW), { maxFlowBytes: 10_240 });
      expect(error?.code).toBe('FLOW_TOO_LARGE');
      expect(error?.message).toBe('Le flux dépasse la taille maximale autorisée de 10\u00a0Ko'); // French size, not « 10240 octets »
    });

    it('rejects a huge text node outside Contenu (saxes would buffer it)', async () => {
      const xml = pivot([invoiceXml({ supplierName: 'x'.repeat(9 * 1024 * 1024) })]);
      const { error } = await readAll(xml);
      expect(error?.code).toBe('FLOW_TOO_LARGE');
    });

    it('rejects a Contenu that is never closed (it would swallow the PJ)', async () => {
      const xml = pivot([invoiceXml({})]).replace('</Contenu>', '');
      expect((await readAll(xml)).error?.code).toBe('MALFORMED_XML');
    });

    it('rejects an undefined entity inside Contenu', async () => {
      const xml = pivot([invoiceXml({ contenu: 'UEsDBBQ&xxe;' })]);
      expect((await readAll(xml)).error?.code).toBe('MALFORMED_XML');
    });

    it('cleans up when the caller stops early', async () => {
      for await (const event of reader.read(chunked(readFileSync(GENERIC_FLOW), 1000), { store })) {
        expect(event.kind).toBe('envelope');
        break;
      }
      // afterEach checks that no temp file is left.
    });

    it('propagates an error of the input stream', async () => {
      const input = new PassThrough();
      input.write('<?xml version="1.0"?><CPPFacturePivot>');
      setImmediate(() => input.destroy(new Error('connexion perdue')));
      await expect(readAll(input)).rejects.toThrow('connexion perdue');
    });
  });

  describe('invoices', () => {
    it('reports a bad invoice between two good ones and goes on', async () => {
      const xml = pivot([
        invoiceXml({ numOrdre: 1, number: 'F1' }),
        invoiceXml({ numOrdre: 2, number: 'F2', ttc: '12,50' }),
        invoiceXml({ numOrdre: 3, number: 'F3' }),
      ]);
      const { events, error } = await readAll(xml);
      expect(error).toBeUndefined();
      expect(events.map((e) => e.kind)).toEqual(['envelope', 'invoice', 'invoice-error', 'invoice']);
      expect(events[2]).toEqual({
        kind: 'invoice-error',
        numOrdre: 2,
        number: 'F2',
        code: 'INVOICE_UNREADABLE',
        message: expect.stringContaining('MontantTTC'),
      });
      expect(invoices(events).map((i) => i.number)).toEqual(['F1', 'F3']);
      expect(invoices(events)[1].attachments[0].content).not.toBeNull();
    });

    it.each([
      ['no DonneesFacture/Id', (x: string) => x.replace(/<Id>F9<\/Id>/, ''), /DonneesFacture\/Id/],
      [
        'no Debiteur/Identifiant',
        (x: string) => x.replace('<Identifiant>21930053000017</Identifiant>', ''),
        /Debiteur\/Identifiant/,
      ],
      [
        'an invalid date',
        (x: string) => x.replace('<DateEmissionFacture>2024-01-15', '<DateEmissionFacture>2024-02-30'),
        /DateEmissionFacture/,
      ],
      [
        'a line amount in exponent form',
        (x: string) => x.replace('<PrixUnitaire>100.00', '<PrixUnitaire>1E2'),
        /PrixUnitaire/,
      ],
      ['no Fournisseur', (x: string) => x.replace(/<Fournisseur>[\s\S]*<\/Fournisseur>/, ''), /Fournisseur/],
    ])('reports an invoice with %s', async (_label, mutate, pattern) => {
      const xml = pivot([mutate(invoiceXml({ number: 'F9' }))]);
      const { events, error } = await readAll(xml);
      expect(error).toBeUndefined();
      expect(events[1]).toMatchObject({ kind: 'invoice-error', numOrdre: 1, code: 'INVOICE_UNREADABLE' });
      expect(events[1].kind === 'invoice-error' && events[1].message).toMatch(pattern);
      expect(events[1].kind === 'invoice-error' && events[1].message).toMatch(/^Facture illisible/);
    });

    it('maps the V2_02 elements and attributes', async () => {
      const xml = pivot(
        [
          invoiceXml({
            afterId: '<IdCPRO>123456789</IdCPRO><Renvoi>Complétée</Renvoi>',
            afterIssueDate: '<DateLivraison>2024-01-10</DateLivraison>',
            afterReceptionDate: '<DateMiseADispositionMOE>2024-01-20</DateMiseADispositionMOE>',
            pjExtra: {
              before: '<IdUnique>PJ-42</IdUnique>',
              after: '<NomPJOrigine>devis final.pdf</NomPJOrigine><CategoriePJ>Devis</CategoriePJ>',
            },
            validationComment: 'Visa OK',
          }),
        ],
        { rootAttributes: 'Version="V2_02"' },
      );
      const { events, error } = await readAll(xml);
      expect(error).toBeUndefined();
      expect(events[0].kind === 'envelope' && events[0].envelope.version).toBe('V2_02');
      const [invoice] = invoices(events);
      expect(invoice).toMatchObject({
        cproId: '123456789',
        renvoi: 'Complétée',
        deliveryDate: '2024-01-10',
        moeDate: '2024-01-20',
        validations: [{ comment: 'Visa OK', producer: { note: 'note producteur' } }],
      });
      expect(invoice.attachments[0]).toMatchObject({
        idUnique: 'PJ-42',
        originalName: 'devis final.pdf',
        category: 'Devis',
        content: { entryName: 'facture.pdf' },
      });
    });

    it('keeps amounts exactly as written (trimmed)', async () => {
      const xml = pivot([invoiceXml({ ttc: '  0120.500000\n' })]);
      const [invoice] = invoices((await readAll(xml)).events);
      expect(invoice.amounts.ttc).toBe('0120.500000');
    });
  });

  describe('attachments', () => {
    it('decodes base64 wrapped on 76 columns with CR escaped as &#13;', async () => {
      const zip = await makeZip([{ name: 'facture.pdf', data: Buffer.from('%PDF-1.4 wrapped') }]);
      const wrapped = zip.toString('base64').replace(/.{76}/g, '$&&#13;\n');
      const [invoice] = invoices((await readAll(pivot([invoiceXml({ contenu: wrapped })]))).events);
      expect(invoice.attachments[0].error).toBeUndefined();
      expect(await storedHead(invoice.attachments[0], 16)).toBe('%PDF-1.4 wrapped');
    });

    it('accepts Contenu as a CDATA section and a Contenu tag with whitespace/attributes', async () => {
      const zip = (await makeZip([{ name: 'facture.pdf', data: Buffer.from('%PDF cdata') }])).toString('base64');
      const xml = pivot([invoiceXml({})]) //
        .replace(/<Contenu>[^<]*<\/Contenu>/, `<Contenu\n  a="x>y" ><![CDATA[${zip}]]></Contenu >`);
      const [invoice] = invoices((await readAll(chunked(Buffer.from(xml), 5))).events);
      expect(invoice.attachments[0].error).toBeUndefined();
      expect(await storedHead(invoice.attachments[0], 10)).toBe('%PDF cdata');
    });

    it('treats <Contenu/> as no content', async () => {
      const xml = pivot([invoiceXml({})]).replace(/<Contenu>[^<]*<\/Contenu>/, '<Contenu />');
      const [invoice] = invoices((await readAll(xml)).events);
      expect(invoice.attachments[0].content).toBeNull();
      expect(invoice.attachments[0].error).toBeUndefined();
    });

    it('leaves a <Contenu> inside a comment alone', async () => {
      const xml = pivot([invoiceXml({})]).replace('<PJ ', '<!-- <Contenu> not here --><PJ ');
      const { events, error } = await readAll(xml);
      expect(error).toBeUndefined();
      expect(invoices(events)[0].attachments[0].content).not.toBeNull();
    });

    async function attachmentError(contenu: string, options: Partial<PivotReadOptions> = {}): Promise<PivotAttachment> {
      const { events, error } = await readAll(pivot([invoiceXml({ contenu })]), options);
      expect(error).toBeUndefined();
      const [invoice] = invoices(events);
      const [pj] = invoice.attachments;
      expect(pj.content).toBeNull();
      expect(pj.error?.code).toBe('ATTACHMENT_UNREADABLE');
      return pj;
    }

    it('reports a content that is not a zip', async () => {
      const pj = await attachmentError(Buffer.from('%PDF-1.4 not zipped').toString('base64'));
      expect(pj.error?.message).toMatch(/pas une archive ZIP/);
    });

    it.each(['UEsDB@@@BQ==', 'UEsD&amp;BQ==', 'UE==sDBBQ', 'UEsDB'])('reports invalid base64 %s', async (contenu) => {
      const pj = await attachmentError(contenu);
      expect(pj.error?.message).toMatch(/base64/);
    });

    it('ignores directory entries next to the single file', async () => {
      const zip = new yazl.ZipFile();
      zip.addEmptyDirectory('dossier/');
      zip.addBuffer(Buffer.from('%PDF in dir'), 'dossier/facture.pdf');
      zip.end();
      const chunks: Buffer[] = [];
      for await (const chunk of zip.outputStream as Readable) chunks.push(chunk as Buffer);
      const contenu = Buffer.concat(chunks).toString('base64');
      const [invoice] = invoices((await readAll(pivot([invoiceXml({ contenu })]))).events);
      expect(invoice.attachments[0].content?.entryName).toBe('dossier/facture.pdf');
    });

    it('reports a zip with two entries', async () => {
      const zip = await makeZip([
        { name: 'a.pdf', data: Buffer.from('%PDF a') },
        { name: 'b.pdf', data: Buffer.from('%PDF b') },
      ]);
      const pj = await attachmentError(zip.toString('base64'));
      expect(pj.error?.message).toMatch(/plusieurs fichiers/);
    });

    it.each(['../evil.pdf', '..\\evil.pdf', '/etc/evil.pdf'])('reports a zip entry named %s', async (name) => {
      const safe = 'x'.repeat(name.length);
      const zip = replaceAll(await makeZip([{ name: safe, data: Buffer.from('%PDF evil') }]), safe, name);
      const pj = await attachmentError(zip.toString('base64'));
      expect(pj.error?.message).toMatch(/dangereux/);
    });

    it('reports a CRC error', async () => {
      const zip = await makeZip([{ name: 'facture.pdf', data: Buffer.from('%PDF-1.4 corrupted later') }], false);
      const pj = await attachmentError(replaceAll(zip, '%PDF-1.4 corrupted', '%PDF-1.4 CORRUPTED').toString('base64'));
      expect(pj.error?.message).toMatch(/CRC/);
    });

    it('reports a zip bomb (300 MB of zeros) under a 1 MB limit', async () => {
      const zip = await makeZip([{ name: 'bomb.pdf', stream: zeros(300 * 1024 * 1024) }]);
      expect(zip.length).toBeLessThan(1024 * 1024);
      const pj = await attachmentError(zip.toString('base64'), { maxAttachmentBytes: 1024 * 1024 });
      expect(pj.error?.message).toMatch(/limite/);
    });

    it('stops inflating a zip bomb whose header lies about its size', async () => {
      const zip = await makeZip([{ name: 'bomb.pdf', stream: zeros(50 * 1024 * 1024) }]);
      lieAboutSize(zip, 1000);
      const pj = await attachmentError(zip.toString('base64'), { maxAttachmentBytes: 1024 * 1024 });
      expect(pj.error?.message).toMatch(/taille|limite/);
    });

    it('streams a ~60 MB attachment with bounded memory', async () => {
      const size = 45 * 1024 * 1024; // ~60 MB of base64
      const input = Readable.from(hugeFlow(size));
      const before = process.memoryUsage().rss;
      let peak = before;
      const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
      try {
        const { events, error } = await readAll(input);
        expect(error).toBeUndefined();
        const [invoice] = invoices(events);
        expect(invoice.attachments[0].content?.size).toBe(size);
      } finally {
        clearInterval(timer);
      }
      peak = Math.max(peak, process.memoryUsage().rss);
      expect(peak - before).toBeLessThan(150 * 1024 * 1024);
    });
  });

  describe('memory budget and file batches', () => {
    const attachmentsOf = (events: PivotEvent[]) => invoices(events).flatMap((i) => i.attachments.map((a) => a.content));

    it('gives the same attachments whether Contenus stay in memory or spill to temp files', async () => {
      const inMemory = await readAll(readFileSync(GENERIC_FLOW));
      const spilled = await readAll(readFileSync(GENERIC_FLOW), { contenuMemoryBytes: 0 });
      const tiny = await readAll(readFileSync(GENERIC_FLOW), { contenuMemoryBytes: 10 });
      expect(inMemory.error).toBeUndefined();
      expect(attachmentsOf(inMemory.events).length).toBeGreaterThan(0);
      expect(attachmentsOf(spilled.events)).toEqual(attachmentsOf(inMemory.events));
      expect(attachmentsOf(tiny.events)).toEqual(attachmentsOf(inMemory.events));
    });

    it('puts attachments into the given batch: readable only once it is committed', async () => {
      const batch = store.batch();
      const { events, error } = await readAll(readFileSync(GENERIC_FLOW), { attachments: batch });
      expect(error).toBeUndefined();
      const contents = attachmentsOf(events).filter((c) => c !== null);
      expect(contents.length).toBeGreaterThan(0);
      for (const c of contents) expect(await store.exists(c!.storageKey)).toBe(false);
      await batch.commit();
      for (const c of contents) expect(await store.exists(c!.storageKey)).toBe(true);
    });
  });
});

/** Streams `bytes` in slices of `size` bytes. */
function chunked(bytes: Buffer, size = 64 * 1024): Readable {
  return Readable.from(
    (function* () {
      for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
    })(),
  );
}

function zeros(total: number): Readable {
  const block = Buffer.alloc(1024 * 1024);
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= total) return void this.push(null);
      const n = Math.min(block.length, total - sent);
      sent += n;
      this.push(block.subarray(0, n));
    },
  });
}

async function makeZip(
  entries: { name: string; data?: Buffer; stream?: Readable }[],
  compress = true,
): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const e of entries) {
    if (e.data) zip.addBuffer(e.data, e.name, { compress });
    else zip.addReadStream(e.stream!, e.name, { compress });
  }
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream as Readable) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function replaceAll(buf: Buffer, from: string, to: string): Buffer {
  const out = Buffer.from(buf);
  const needle = Buffer.from(from, 'latin1');
  for (let at = out.indexOf(needle); at >= 0; at = out.indexOf(needle, at + 1)) out.write(to, at, 'latin1');
  return out;
}

/** Rewrites the uncompressed size announced by every central directory record (what yauzl trusts). */
function lieAboutSize(zip: Buffer, size: number): void {
  const signature = Buffer.from([0x50, 0x4b, 0x01, 0x02]);
  for (let at = zip.indexOf(signature); at >= 0; at = zip.indexOf(signature, at + 4)) {
    zip.writeUInt32LE(size, at + 24);
  }
}

const GOOD_ZIP = makeZip([{ name: 'facture.pdf', data: Buffer.from('%PDF-1.4 facture de test') }]);

interface InvoiceSpec {
  numOrdre?: number;
  number?: string;
  supplierName?: string;
  ttc?: string;
  contenu?: string;
  afterId?: string;
  afterIssueDate?: string;
  afterReceptionDate?: string;
  pjExtra?: { before?: string; after?: string };
  validationComplement?: string;
  validationComment?: string;
}

let goodZipBase64 = '';
beforeAll(async () => {
  goodZipBase64 = (await GOOD_ZIP).toString('base64');
});

function invoiceXml(spec: InvoiceSpec): string {
  return `
    <CPPFacturePivotUnitaire NumOrdre="${spec.numOrdre ?? 1}">
      <Fournisseur>
        <TypeIdentifiant>1</TypeIdentifiant>
        <Identifiant>32682006500083</Identifiant>
        <RaisonSociale>${spec.supplierName ?? 'SARL Test'}</RaisonSociale>
        <CodePays>FR</CodePays>
        <ReferenceBancaire Type="IBAN"><Compte>FR7630001007941234567890185</Compte></ReferenceBancaire>
        <ModeEmission>flux</ModeEmission>
      </Fournisseur>
      <Debiteur>
        <TypeIdentifiant>1</TypeIdentifiant>
        <Identifiant>21930053000017</Identifiant>
        <Nom>Commune</Nom>
        <CodeService>SERV1</CodeService>
        <NomService>Service Trésorerie</NomService>
      </Debiteur>
      <DonneesFacture>
        <Id>${spec.number ?? 'F1'}</Id>${spec.afterId ?? ''}
        <Type>380</Type>
        <Cadre>A1</Cadre>
        <DateEmissionFacture>2024-01-15</DateEmissionFacture>${spec.afterIssueDate ?? ''}
        <ModePaiement><Code>30</Code></ModePaiement>
        <DateReception>2024-01-16</DateReception>${spec.afterReceptionDate ?? ''}
        <Devise>EUR</Devise>
        <Montants>
          <MontantHT>100.00</MontantHT>
          <MontantTTC>${spec.ttc ?? '120.00'}</MontantTTC>
          <MontantNetAPayer>120.00</MontantNetAPayer>
        </Montants>
        <TVAs><TVA><Taux>20</Taux><BaseHt>100.00</BaseHt><MontantTVA>20.00</MontantTVA></TVA></TVAs>
        <Engagement><NumeroMarche/><NumeroEngagement>EJ1</NumeroEngagement></Engagement>
        <Lignes>
          <Ligne NumOrdre="1"><PrixUnitaire>100.00</PrixUnitaire><Quantite>1</Quantite><MontantHT>100.00</MontantHT></Ligne>
        </Lignes>
      </DonneesFacture>
      <PJ NumOrdre="1">${spec.pjExtra?.before ?? ''}
        <Contenu>${spec.contenu ?? goodZipBase64}</Contenu>
        <NomPJ>facture.pdf</NomPJ>${spec.pjExtra?.after ?? ''}
        <TypePJ>01</TypePJ>
        <MimeTypePJ>application/pdf</MimeTypePJ>
      </PJ>
      <CycleDeValidation>
        <ValidationUnitaire>
          <DateStatut>2024-01-16</DateStatut>
          <CodeStatut>01</CodeStatut>
          <ComplementStatut>${spec.validationComplement ?? 'Déposée'}</ComplementStatut>${
            spec.validationComment ? `<Commentaire>${spec.validationComment}</Commentaire>` : ''
          }
          <ProducteurStatut>
            <TypeIdentifiant>1</TypeIdentifiant><Id>11002001300097</Id><RaisonSociale>Ministère</RaisonSociale>
            <CodePays>FR</CodePays><Note>note producteur</Note>
          </ProducteurStatut>
        </ValidationUnitaire>
      </CycleDeValidation>
    </CPPFacturePivotUnitaire>`;
}

function pivotHead(rootAttributes = ''): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<CPPFacturePivot xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ${rootAttributes}>
  <Enveloppe>
    <EnveloppeUnitaire NumOrdre="1">
      <Parametres>
        <ParametreIndiv NumOrdre="0001"><Code>DtPrd</Code><Valeurparametre>2024-01-17</Valeurparametre></ParametreIndiv>
        <ParametreIndiv NumOrdre="0002"><Code>IdFlx</Code><Valeurparametre>CPP0000000000000000000042</Valeurparametre></ParametreIndiv>
      </Parametres>
      <Partenaires>
        <Recepteur><Id>SEI001</Id></Recepteur>
        <Emetteur><Id>CPP001</Id></Emetteur>
      </Partenaires>
    </EnveloppeUnitaire>
  </Enveloppe>`;
}

function pivot(units: string[], options: { rootAttributes?: string } = {}): string {
  return `${pivotHead(options.rootAttributes)}
  <CPPFactures Compteur="${units.length}">${units.join('')}
  </CPPFactures>
</CPPFacturePivot>
`;
}

/** A one-invoice flow whose PJ is a stored (uncompressed) zip of `size` random bytes, generated as a stream. */
async function* hugeFlow(size: number): AsyncGenerator<Buffer> {
  const xml = pivot([invoiceXml({ contenu: '@@CONTENU@@' })]);
  const [before, after] = xml.split('@@CONTENU@@');
  yield Buffer.from(before);
  const zip = new yazl.ZipFile();
  let sent = 0;
  const random = new Readable({
    read() {
      if (sent >= size) return void this.push(null);
      const n = Math.min(1024 * 1024, size - sent);
      sent += n;
      this.push(randomBytes(n));
    },
  });
  zip.addReadStream(random, 'facture.pdf', { compress: false });
  zip.end();
  yield* (zip.outputStream as Readable).pipe(base64Encoder());
  yield Buffer.from(after);
}

function base64Encoder(): Transform {
  let rest = Buffer.alloc(0);
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      const all = rest.length ? Buffer.concat([rest, chunk]) : chunk;
      const usable = all.length - (all.length % 3);
      rest = Buffer.from(all.subarray(usable));
      cb(null, Buffer.from(all.subarray(0, usable).toString('base64')));
    },
    flush(cb) {
      cb(null, Buffer.from(rest.toString('base64')));
    },
  });
}
