import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parsePes, PES_REFERENCE, schemaClosure, validatePes, validatePesAcquit, validatePesFacture } from '@test/pes/pes-xsd';
import { describeWithReference } from '@test/support/shared';

const EMETTEUR = '<Emetteur><Sigle V="PASSERELLE"/><Adresse V="Passerelle test"/></Emetteur>';
const example = (name: string) => readFileSync(join(PES_REFERENCE, 'examples', name), 'utf8');
/** The shared examples were written for v491: 5.x makes Enveloppe/Emetteur mandatory, Version 2. */
const to517 = (xml: string) => xml.replace(/<Version V="1"\/>/, '<Version V="2"/>').replace(/(<\/Parametres>)/, `$1${EMETTEUR}`);

describeWithReference('PES V2 v5.17 validation helper (test/pes/pes-xsd.ts)', () => {
  it('loads the whole PES_Aller closure of the v5.17 package (dépense, recette, facture, marché, PJ)', () => {
    const names = schemaClosure('PES_V2/Rev0/PES_Aller.xsd').map((f) => f.fileName);
    for (const n of ['PES_V2/NS_Depense/r0/PES_DepenseAller.xsd', 'PES_V2/NS_Recette/r0/Class_TitreAller.xsd', 'PES_V2/NS_Facture/r0/Class_FacturePESIndiv.xsd', 'PES_V2/Class_PJ.xsd', 'PES_V2/Class_Enveloppe.xsd']) {
      expect(names).toContain(n);
    }
  });

  it('refuses a v491-era flow without Enveloppe/Emetteur and accepts it once completed', async () => {
    const old = await validatePes(example('pes_aller_recette_asap_edition02.xml'));
    expect(old.valid).toBe(false);
    expect(old.errors.join('\n')).toContain('Emetteur');
    const fixed = await validatePes(to517(example('pes_aller_recette_asap_edition02.xml')));
    expect(fixed.errors).toEqual([]);
    expect(fixed.valid).toBe(true);
    const bad = await validatePes(to517(example('invalid_edition07.xml')));
    expect(bad.valid).toBe(false);
    expect(bad.errors.join('\n')).toContain("'07'");
  });

  it('validates a PES_Facture (ASAP) document alone against TPESFacture, and catches a broken one', async () => {
    const inner = example('pes_facture_asap_inner.xml');
    expect(await validatePesFacture(inner)).toEqual({ valid: true, errors: [] });
    const broken = await validatePesFacture(inner.replace(/<TotalAPayer>[\s\S]*?<\/TotalAPayer>/, ''));
    expect(broken.valid).toBe(false);
    expect(broken.errors.join('\n')).toMatch(/RefTitre|TotalAPayer/);
  });

  it('validates a PES_ACQUIT against the v5.17 acquittement schema', async () => {
    const xml = readFileSync(join(PES_REFERENCE, 's2low/test/PHPUnit/helios/fixtures/pes_acquit.xml'), 'latin1');
    expect((await validatePesAcquit(xml)).valid).toBe(true);
    expect(parsePes(xml).PES_ACQUIT.ACQUIT.ElementACQUIT).toHaveLength(5);
    expect((await validatePesAcquit(xml.replace('<DomaineAck V="5"/>', '<DomaineAck V="13"/>'))).valid).toBe(false);
  });
});
