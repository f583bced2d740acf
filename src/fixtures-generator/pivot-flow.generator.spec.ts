import Decimal from 'decimal.js';
import { XMLParser } from 'fast-xml-parser';
import { isValidIBAN } from 'ibantools';
import * as iconv from 'iconv-lite';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { validateXML } from 'xmllint-wasm';
import * as yauzl from 'yauzl';
import { isValidSiret } from '@/common/siret/siret';
import { AttachmentEncoder } from '@/fixtures-generator/attachment.encoder';
import { BadCaseFile, buildBadCases } from '@/fixtures-generator/bad-cases.fixtures';
import { buildDemoPdf } from '@/fixtures-generator/demo-pdf.factory';
import { DEMO_STRUCTURES, DEMO_SUPPLIERS, structuresJson } from '@/fixtures-generator/demo-structures';
import { makeFrenchIban } from '@/fixtures-generator/french-iban.factory';
import { DEFAULT_SEED, writeFixtureSet } from '@/fixtures-generator/fixtures.writer';
import { buildGoodFlows, FixtureFlow } from '@/fixtures-generator/good-flows.fixtures';
import { buildFlowSpec, buildInvoiceSpec, renderPivotFlow, writePivotFlow } from '@/fixtures-generator/pivot-flow.generator';
import { SeededRng } from '@/fixtures-generator/seeded.rng';
import { itWithReference, sharedPath } from '@test/support/shared';

// The XSD is AIFE's, read from the shared reference folder at test time (never copied into the repo).
let xsd: string | undefined;
const schema = () => (xsd ??= readFileSync(sharedPath('reference', 'chorus-pro', 'pastell', 'xsd-pivot', 'CPPFacturePivot_V2_02.xsd'), 'utf8'));

async function validate(files: Array<{ name: string; bytes: Buffer }>): Promise<{ valid: boolean; errors: string[] }> {
  const result = await validateXML({
    xml: files.map((f) => ({ fileName: f.name, contents: new Uint8Array(f.bytes) })),
    schema: [schema()],
    maxMemoryPages: 2048,
  });
  return { valid: result.valid, errors: result.errors.map((e) => e.rawMessage) };
}

const ARRAYS = new Set(['CPPFacturePivotUnitaire', 'PJ', 'TVA', 'Ligne', 'ValidationUnitaire', 'ParametreIndiv']);
const parser = new XMLParser({ ignoreAttributes: false, parseTagValue: false, parseAttributeValue: false, isArray: (name) => ARRAYS.has(name) });

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Node = any;

function invoicesOf(xml: Buffer | string): Node[] {
  return parser.parse(typeof xml === 'string' ? xml : xml.toString('utf8')).CPPFacturePivot.CPPFactures.CPPFacturePivotUnitaire;
}

function zipEntries(zip: Buffer): Promise<Array<{ name: string; data: Buffer }>> {
  return new Promise((resolvePromise, reject) => {
    yauzl.fromBuffer(zip, { lazyEntries: true }, (err, file) => {
      if (err || !file) return reject(err ?? new Error('zip'));
      const out: Array<{ name: string; data: Buffer }> = [];
      file.on('entry', (entry: yauzl.Entry) => {
        file.openReadStream(entry, (e, stream) => {
          if (e || !stream) return reject(e ?? new Error('stream'));
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => {
            out.push({ name: entry.fileName, data: Buffer.concat(chunks) });
            file.readEntry();
          });
        });
      });
      file.on('end', () => resolvePromise(out));
      file.on('error', reject);
      file.readEntry();
    });
  });
}

/** Checks that a PDF's xref offsets point at its objects and startxref at the xref table. */
function expectWellFormedPdf(pdf: Buffer): void {
  const text = pdf.toString('latin1');
  expect(text.startsWith('%PDF-1.4\n')).toBe(true);
  expect(text.endsWith('%%EOF\n')).toBe(true);
  const startxref = Number(/startxref\n(\d+)\n%%EOF\n$/.exec(text)?.[1]);
  expect(text.slice(startxref, startxref + 4)).toBe('xref');
  const offsets = [...text.slice(startxref).matchAll(/^(\d{10}) 00000 n $/gm)].map((m) => Number(m[1]));
  expect(offsets).toHaveLength(5);
  offsets.forEach((offset, i) => expect(text.slice(offset, offset + 8)).toBe(`${i + 1} 0 obj\n`));
}

const seed = DEFAULT_SEED;
let goodFlows: FixtureFlow[];
let goodXml: Array<{ name: string; bytes: Buffer }>;
let badCases: BadCaseFile[];
const bad = (name: string): BadCaseFile => {
  const found = badCases.find((b) => b.fileName === name);
  if (!found) throw new Error(name);
  return found;
};

beforeAll(() => {
  const encoder = new AttachmentEncoder(seed);
  goodFlows = buildGoodFlows(seed);
  goodXml = goodFlows.map((g) => ({ name: g.fileName, bytes: renderPivotFlow(g.flow, { encoder }) }));
  badCases = buildBadCases({ seed, goodFlows, encoder });
});

describe('demo structures and suppliers', () => {
  it('have valid SIRETs, IBANs and at least one inactive service', () => {
    for (const s of DEMO_STRUCTURES) expect(isValidSiret(s.siret)).toBe(true);
    for (const s of DEMO_SUPPLIERS) {
      expect(isValidSiret(s.siret)).toBe(true);
      expect(isValidIBAN(s.iban)).toBe(true);
    }
    expect(new Set(DEMO_STRUCTURES.map((s) => s.siret)).size).toBe(DEMO_STRUCTURES.length);
    expect(DEMO_STRUCTURES.some((s) => s.services.some((x) => !x.active))).toBe(true);
    expect(DEMO_STRUCTURES.some((s) => s.serviceRequired && s.engagementRequired)).toBe(true);
    expect(DEMO_SUPPLIERS.some((s) => s.siret.startsWith('356000000'))).toBe(true); // La Poste exception
  });

  it('export structures.json in the agreed shape', () => {
    const json = JSON.parse(structuresJson()) as Array<Record<string, unknown>>;
    expect(Object.keys(json[0]).sort()).toEqual(['engagementRequired', 'name', 'paymentDelayDays', 'serviceRequired', 'services', 'siret']);
    expect(json[0].services).toEqual(expect.arrayContaining([{ code: 'FINANCES', label: 'Service des finances', active: true }]));
  });

  it('compute French IBANs like the banks do', () => {
    expect(makeFrenchIban('20041', '01005', '0500013M026')).toBe('FR1420041010050500013M02606');
    const withLetter = makeFrenchIban('30002', '00550', '0000157841Z');
    expect(withLetter.endsWith('0000157841Z25')).toBe(true); // RIB key 25
    expect(isValidIBAN(withLetter)).toBe(true);
  });
});

describe('good flows', () => {
  itWithReference('validate against CPPFacturePivot_V2_02.xsd', async () => {
    const result = await validate(goodXml);
    expect(result.errors).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('are deterministic: same seed, same bytes; another seed, other bytes', () => {
    const again = buildGoodFlows(seed).map((g) => renderPivotFlow(g.flow, { encoder: new AttachmentEncoder(seed) }));
    again.forEach((bytes, i) => expect(bytes.equals(goodXml[i].bytes)).toBe(true));
    const other = renderPivotFlow(buildGoodFlows(seed + 1)[0].flow, { encoder: new AttachmentEncoder(seed + 1) });
    expect(other.equals(goodXml[0].bytes)).toBe(false);
  });

  it('cover credit notes (same and other flow), several structures and services, supplementary attachments', () => {
    const all = goodFlows.flatMap((g) => g.flow.invoices);
    const numbersByFlow = goodFlows.map((g) => new Set(g.flow.invoices.map((i) => i.number)));
    const creditNotes = all.filter((i) => i.type === '381');
    expect(creditNotes.length).toBeGreaterThanOrEqual(3);
    expect(creditNotes.some((c) => goodFlows.some((g, k) => numbersByFlow[k].has(c.originInvoiceNumber ?? '') && !g.flow.invoices.includes(c)))).toBe(true);
    expect(new Set(all.map((i) => i.debtor.id)).size).toBe(DEMO_STRUCTURES.length);
    expect(new Set(all.map((i) => i.debtor.serviceCode).filter(Boolean)).size).toBeGreaterThanOrEqual(8);
    expect(all.some((i) => i.attachments.filter((a) => a.type === '02').length >= 2)).toBe(true);
    expect(new Set(all.map((i) => i.cproId)).size).toBe(all.length);
  });

  it('have consistent amounts (decimal arithmetic): lines = HT, HT + VAT = TTC = net to pay', () => {
    let checked = 0;
    for (const { bytes } of goodXml) {
      for (const inv of invoicesOf(bytes)) {
        const data = inv.DonneesFacture;
        const ht = new Decimal(data.Montants.MontantHT);
        const ttc = new Decimal(data.Montants.MontantTTC);
        const lines: Node[] = data.Lignes.Ligne;
        const vats: Node[] = data.TVAs.TVA;
        const sumLines = lines.reduce((acc: Decimal, l: Node) => acc.plus(l.MontantHT), new Decimal(0));
        expect(sumLines.equals(ht)).toBe(true);
        for (const l of lines) {
          const expected = new Decimal(l.PrixUnitaire).times(l.Quantite);
          expect(expected.minus(l.MontantHT).abs().lte('0.005')).toBe(true);
        }
        const sumBases = vats.reduce((acc: Decimal, v: Node) => acc.plus(v.BaseHt), new Decimal(0));
        expect(sumBases.equals(ht)).toBe(true);
        let vatTotal = new Decimal(0);
        for (const v of vats) {
          expect(['20', '10', '5.5', '2.1']).toContain(v.Taux);
          expect(new Decimal(v.BaseHt).times(v.Taux).div(100).minus(v.MontantTVA).abs().lte('0.005')).toBe(true);
          vatTotal = vatTotal.plus(v.MontantTVA);
        }
        expect(ht.plus(vatTotal).equals(ttc)).toBe(true);
        expect(new Decimal(data.Montants.MontantNetAPayer).equals(ttc)).toBe(true);
        expect(data.Montants.MontantHT).toMatch(/^\d+\.(\d{2}|\d{6})$/);
        checked++;
      }
    }
    expect(checked).toBe(18);
  });

  it('carry valid SIRETs and IBANs, a type 01 PDF and a « Déposée » validation cycle', () => {
    for (const { bytes } of goodXml) {
      for (const inv of invoicesOf(bytes)) {
        expect(isValidSiret(String(inv.Fournisseur.Identifiant))).toBe(true);
        expect(isValidSiret(String(inv.Debiteur.Identifiant))).toBe(true);
        expect(isValidIBAN(inv.Fournisseur.ReferenceBancaire.Compte)).toBe(true);
        expect(inv.PJ.filter((p: Node) => p.TypePJ === '01')).toHaveLength(1);
        expect(inv.CycleDeValidation.ValidationUnitaire[0]).toMatchObject({ CodeStatut: '01', ComplementStatut: 'Déposée' });
        expect(inv.DonneesFacture).toMatchObject({ Cadre: 'A1', Devise: 'EUR' });
      }
    }
  });

  it('encode every PJ/Contenu as base64 of a ZIP holding one valid PDF named like NomPJ', async () => {
    let count = 0;
    for (const { bytes } of goodXml) {
      for (const inv of invoicesOf(bytes)) {
        for (const pj of inv.PJ as Node[]) {
          const zip = Buffer.from(pj.Contenu, 'base64');
          expect(zip.subarray(0, 4).toString('latin1')).toBe('PK\u0003\u0004');
          const entries = await zipEntries(zip);
          expect(entries).toHaveLength(1);
          expect(entries[0].name).toBe(pj.NomPJ);
          expect(pj.MimeTypePJ).toBe('application/pdf');
          expectWellFormedPdf(entries[0].data);
          count++;
        }
      }
    }
    expect(count).toBeGreaterThan(18);
  });

  it('match the committed fixtures/ (run `npm run fixtures` after changing the generator)', () => {
    const dir = resolve(__dirname, '../../fixtures/pivot');
    if (!existsSync(dir)) return;
    for (const { name, bytes } of goodXml) expect(readFileSync(join(dir, name)).equals(bytes)).toBe(true);
  });
});

describe('PDF attachments', () => {
  it('reach the requested size exactly and stay well-formed', () => {
    const padding = { source: Buffer.from('abcdefghij'.repeat(100)), offset: 7 };
    for (const size of [0, 700, 1500, 20 * 1024, 100_000]) {
      const pdf = buildDemoPdf({ lines: ['Facture N° FA-1 (test)', 'Œuvre € ’'], sizeBytes: size, padding });
      if (size > 700) expect(pdf.length).toBe(size);
      expectWellFormedPdf(pdf);
    }
  });
});

describe('writePivotFlow', () => {
  const flow = buildFlowSpec(new SeededRng(7), { index: 42, invoiceCount: 25, attachmentBytes: 4096 });

  it('streams the same bytes as renderPivotFlow, to a file (via .part) or a Writable', async () => {
    const expected = renderPivotFlow(flow, { seed: 7 });
    const dir = mkdtempSync(join(tmpdir(), 'pivot-gen-'));
    try {
      const file = join(dir, 'flux.xml');
      const result = await writePivotFlow(file, flow, { seed: 7 });
      expect(result).toEqual({ bytes: expected.length, invoices: 25 });
      expect(readFileSync(file).equals(expected)).toBe(true);
      expect(readdirSync(dir)).toEqual(['flux.xml']);

      const sink = new PassThrough();
      const chunks: Buffer[] = [];
      sink.on('data', (c: Buffer) => chunks.push(c));
      await writePivotFlow(sink, flow, { seed: 7 });
      expect(Buffer.concat(chunks).equals(expected)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  itWithReference('writes valid ISO-8859-1, with char refs for characters Latin-1 lacks', async () => {
    const latin = renderPivotFlow(flow, { seed: 7, encoding: 'ISO-8859-1' });
    expect(latin.subarray(0, 60).toString('latin1')).toContain('encoding="ISO-8859-1"');
    const text = iconv.decode(latin, 'latin1');
    expect(text).toContain('Déposée');
    expect((await validate([{ name: 'latin.xml', bytes: latin }])).valid).toBe(true);
  });

  it('generates consistent invoices with the requested attachment size', async () => {
    const spec = buildInvoiceSpec(new SeededRng(1), { attachmentBytes: 20 * 1024, supplementaryAttachments: 0 });
    const source = spec.attachments[0].content;
    expect(source).toMatchObject({ kind: 'pdf', sizeBytes: 20480 });
    const zip = new AttachmentEncoder(1).archive(source as Extract<typeof source, { kind: 'pdf' }>, spec.attachments[0].name);
    const [entry] = await zipEntries(zip);
    expect(entry.data.length).toBe(20480);
    expect(zip.length).toBeGreaterThan(15_000); // padding barely compresses, like a real PDF
  });
});

describe('bad cases', () => {
  it('produce one file per scenario, with unique names', () => {
    expect(badCases.length).toBeGreaterThanOrEqual(25);
    expect(new Set(badCases.map((b) => b.fileName)).size).toBe(badCases.length);
  });

  itWithReference('are schema-valid when they carry business errors only', async () => {
    const valid = badCases.filter((b) => b.schemaValid);
    const result = await validate(valid.map((b) => ({ name: b.fileName, bytes: b.bytes })));
    expect(result.errors).toEqual([]);
  });

  itWithReference('break the schema (or well-formedness) when they say so', async () => {
    for (const name of ['unreadable-invoice-amount.xml', 'unreadable-invoice-missing-id.xml', 'malformed-xml.xml', 'truncated-xml.xml', 'wrong-root.xml']) {
      const result = await validate([{ name, bytes: bad(name).bytes }]);
      expect({ name, valid: result.valid }).toEqual({ name, valid: false });
    }
  });

  it('each contain the advertised defect', async () => {
    const one = (name: string): Node => invoicesOf(bad(name).bytes)[0];
    const knownSirets = new Set(DEMO_STRUCTURES.map((s) => s.siret));

    const unknown = String(one('unknown-recipient.xml').Debiteur.Identifiant);
    expect(isValidSiret(unknown) && !knownSirets.has(unknown)).toBe(true);
    expect(isValidSiret(String(one('invalid-siret.xml').Debiteur.Identifiant))).toBe(false);
    expect(one('unknown-service.xml').Debiteur.CodeService).toBe('SPORTS');
    const hospital = DEMO_STRUCTURES.find((s) => s.name.startsWith('Centre hospitalier'));
    expect(hospital?.services.find((s) => s.code === one('inactive-service.xml').Debiteur.CodeService)?.active).toBe(false);
    expect(one('missing-service-code.xml').Debiteur.CodeService).toBeUndefined();
    expect(one('missing-engagement.xml').DonneesFacture.Engagement).toBeUndefined();
    expect(isValidIBAN(one('invalid-iban.xml').Fournisseur.ReferenceBancaire.Compte)).toBe(false);
    expect(one('missing-invoice-pdf.xml').PJ.map((p: Node) => p.TypePJ)).toEqual(['02']);

    const ttc = one('amounts-ttc-mismatch.xml').DonneesFacture;
    const vat = (ttc.TVAs.TVA as Node[]).reduce((a: Decimal, v: Node) => a.plus(v.MontantTVA), new Decimal(0));
    expect(new Decimal(ttc.Montants.MontantHT).plus(vat).minus(ttc.Montants.MontantTTC).abs().toString()).toBe('10');
    const lines = one('amounts-lines-mismatch.xml').DonneesFacture;
    const sum = (lines.Lignes.Ligne as Node[]).reduce((a: Decimal, l: Node) => a.plus(l.MontantHT), new Decimal(0));
    expect(sum.minus(lines.Montants.MontantHT).toString()).toBe('100');

    const notZip = Buffer.from(one('attachment-not-zip.xml').PJ[0].Contenu, 'base64');
    expect(notZip.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const slip = Buffer.from(one('attachment-zip-slip.xml').PJ[0].Contenu, 'base64');
    expect(slip.includes(Buffer.from('../../../tmp/facture.pdf'))).toBe(true);
    const bomb = Buffer.from(one('attachment-zip-bomb.xml').PJ[0].Contenu, 'base64');
    const centralDirectory = bomb.lastIndexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    expect(bomb.readUInt32LE(centralDirectory + 24)).toBe(256 * 1024 * 1024);
    expect(bomb.length).toBeLessThan(300_000);
  });

  it('set up duplicates, cross-flow credit note and completed re-send against the good set', () => {
    const [a, b] = invoicesOf(bad('duplicate-idcpro.xml').bytes);
    expect(a.DonneesFacture.IdCPRO).toBe(b.DonneesFacture.IdCPRO);
    const [c, d] = invoicesOf(bad('duplicate-supplier-number.xml').bytes);
    expect(c.DonneesFacture.Id).toBe(d.DonneesFacture.Id);
    expect(c.Fournisseur.Identifiant).toBe(d.Fournisseur.Identifiant);
    expect(c.DonneesFacture.IdCPRO).not.toBe(d.DonneesFacture.IdCPRO);

    const credit = invoicesOf(bad('credit-note-other-flow.xml').bytes)[0];
    const flux2 = goodFlows[1].flow.invoices[0];
    expect(credit.DonneesFacture).toMatchObject({ Type: '381', IdFactureOrigine: flux2.number });
    expect(credit.Debiteur.Identifiant).toBe(flux2.debtor.id);
    expect(new Decimal(credit.DonneesFacture.Montants.MontantTTC).lte(flux2.amounts.ttc)).toBe(true);

    const resend = invoicesOf(bad('renvoi-completee.xml').bytes)[0];
    const flux1 = invoicesOf(goodXml[0].bytes)[0];
    expect(resend.DonneesFacture).toMatchObject({ IdCPRO: flux1.DonneesFacture.IdCPRO, Renvoi: 'Complétée' });
    expect(resend.PJ).toHaveLength(flux1.PJ.length + 1);
    expect(resend.PJ[0].Contenu).toBe(flux1.PJ[0].Contenu); // same bytes: the ingestion can dedupe by hash
  });

  itWithReference('spoil flows at the file level', async () => {
    const xxe = bad('xxe-doctype.xml').bytes.toString('utf8');
    expect(xxe).toContain('<!ENTITY xxe SYSTEM "file:///etc/passwd">');
    expect(xxe).toContain('<RaisonSociale>&xxe;</RaisonSociale>');
    expect(bad('billion-laughs.xml').bytes.toString('utf8')).toContain('<RaisonSociale>&lol9;</RaisonSociale>');
    expect(bad('empty-file.xml').bytes.length).toBe(0);
    expect(bad('truncated-xml.xml').bytes.toString('utf8')).not.toContain('</CPPFacturePivot>');

    const iso = bad('iso-8859-1-accents.xml').bytes;
    expect(iso.subarray(0, 60).toString('latin1')).toContain('encoding="ISO-8859-1"');
    expect(iso.includes(Buffer.from('SARL \xc9lec', 'latin1'))).toBe(true);
    expect(iso.includes(Buffer.from('C&#339;ur', 'latin1'))).toBe(true);

    const entries = await zipEntries(bad('two-flows.zip').bytes);
    expect(entries.map((e) => e.name)).toEqual(['flux-a.xml', 'flux-b.xml']);
    expect((await validate(entries.map((e) => ({ name: e.name, bytes: e.data })))).valid).toBe(true);
    expect(entries.map((e) => invoicesOf(e.data).length)).toEqual([2, 1]);
  });
});

describe('writeFixtureSet', () => {
  it('writes the committed layout, small enough to commit', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fixtures-'));
    try {
      const result = await writeFixtureSet(dir, seed);
      expect(result.bytes).toBeLessThan(2 * 1024 * 1024);
      expect(readdirSync(dir).sort()).toEqual(['.gitattributes', 'README.md', 'manifest.json', 'pivot', 'pivot-bad', 'structures.json']);
      expect(readdirSync(join(dir, 'pivot'))).toEqual(['flux-001.xml', 'flux-002.xml', 'flux-003.xml']);
      expect(readdirSync(join(dir, 'pivot-bad')).sort()).toEqual(badCases.map((b) => b.fileName).sort());
      const readme = readFileSync(join(dir, 'README.md'), 'utf8');
      for (const b of badCases) expect(readme).toContain(`\`${b.fileName}\``);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
