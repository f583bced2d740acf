import { XMLParser } from 'fast-xml-parser';
import { readFileSync } from 'node:fs';
import { validateXML } from 'xmllint-wasm';
import { AttachmentEncoder } from '@/fixtures-generator/attachment.encoder';
import { DEMO_STRUCTURES } from '@/fixtures-generator/demo-structures';
import { renderPivotFlow } from '@/fixtures-generator/pivot-flow.generator';
import { buildWorksFlow, DEMO_MOE } from '@/fixtures-generator/works-invoice.fixtures';
import { isWorksCadre } from '@/pivot/works-cadres';
import { itWithReference, sharedPath } from '@test/support/shared';

describe('works pivot flows', () => {
  const structure = DEMO_STRUCTURES[0];
  const bytes = renderPivotFlow(buildWorksFlow(7, structure), { encoder: new AttachmentEncoder(7) });

  itWithReference('validate against CPPFacturePivot_V2_02.xsd (cadre, DateMiseADispositionMOE, CycleDeValidation)', async () => {
    const xsd = readFileSync(sharedPath('reference', 'chorus-pro', 'pastell', 'xsd-pivot', 'CPPFacturePivot_V2_02.xsd'), 'utf8');
    const result = await validateXML({ xml: [{ fileName: 'works.xml', contents: new Uint8Array(bytes) }], schema: [xsd], maxMemoryPages: 2048 });
    expect(result.errors.map((e) => e.rawMessage)).toEqual([]);
  });

  it('carry the MOE and MOA steps as far as each invoice went', () => {
    const parser = new XMLParser({ parseTagValue: false, isArray: (name) => ['CPPFacturePivotUnitaire', 'ValidationUnitaire'].includes(name) });
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const invoices: any[] = parser.parse(bytes.toString('utf8')).CPPFacturePivot.CPPFactures.CPPFacturePivotUnitaire;
    expect(invoices.map((i) => i.DonneesFacture.Cadre)).toEqual(['A4', 'A7', 'A5']);
    expect(invoices.every((i) => isWorksCadre(i.DonneesFacture.Cadre) && Boolean(i.DonneesFacture.DateMiseADispositionMOE))).toBe(true);
    const steps = invoices.map((i) => i.CycleDeValidation.ValidationUnitaire);
    expect(steps.map((v) => v.length)).toEqual([2, 3, 4]);
    expect(steps[2][1].ProducteurStatut.Id).toBe(DEMO_MOE.siret);
    expect(steps[2][3]).toMatchObject({ ComplementStatut: 'Validée par la MOA', ProducteurStatut: { Id: structure.siret } });
  });
});
