import iconv from 'iconv-lite';
import { buildDepenseRetour } from '@/fixtures-generator/helios-answers.generator';
import { readDepenseRetour } from '@/pes/depense/depense-retour.reader';

const header = { nomFic: 'RET1', dteStr: '2026-04-10', idPost: '034000', idColl: '21340000100011', codCol: '123', codBud: '02' };

describe('PES_DepenseRetour reader', () => {
  it('reads states, CessOpp, every PaiementEmargement and the ObsEtat motif, in ISO-8859-1', () => {
    const buffer = buildDepenseRetour({
      ...header,
      bordereaux: [
        {
          year: 2026,
          number: 3,
          pieces: [
            { idPce: 12, etatPce: '05', lines: [{ idLigne: 1, mtHt: '1200', cessOpp: '02', payments: [{ orgEma: '01', paidOn: '2026-04-02', amount: '1140' }, { orgEma: '03', paidOn: '2026-04-02', amount: '60' }] }] },
            { idPce: 13, etatPce: '04', obsEtat: '09', commentaire: 'RIB du créancier à vérifier - élève', dtePceRej: '2026-04-03', lines: [{ idLigne: 1, mtHt: '10.5' }] },
          ],
        },
      ],
    });
    expect(buffer.includes(iconv.encode('élève', 'latin1'))).toBe(true);
    const r = readDepenseRetour(buffer);
    expect(r).toMatchObject({ nomFic: 'RET1', idColl: '21340000100011', codCol: '123', codBud: '02' });
    expect(r.pieces[0]).toMatchObject({ year: 2026, bordereau: 3, idPce: 12, etatPce: '05' });
    expect(r.pieces[0].lines[0]).toEqual({
      idLigne: 1, etatLig: '01', cessOpp: '02', mtHt: '1200.00', mtTva: null, obsEtat: null,
      payments: [{ orgEma: '01', paidOn: '2026-04-02', amount: '1140.00' }, { orgEma: '03', paidOn: '2026-04-02', amount: '60.00' }],
    });
    expect(r.pieces[1]).toMatchObject({ etatPce: '04', rejectedOn: '2026-04-03', reason: '09 Domiciliation bancaire absente ou erronée — RIB du créancier à vérifier - élève' });
  });

  it('refuses in French what is not a PES_DepenseRetour, and an unreadable amount', () => {
    const code = (xml: string) => {
      try {
        readDepenseRetour(Buffer.from(xml));
        return null;
      } catch (e) {
        return [(e as { code: string }).code, (e as Error).message];
      }
    };
    expect(code('<PES_ACQUIT/>')).toEqual(['DEPENSE_RETOUR_NOT_PES_RETOUR', "Ce fichier n'est pas un PES_Retour (racine attendue : PES_Retour)"]);
    expect(code('<PES_Retour><EnTetePES/></PES_Retour>')?.[0]).toBe('DEPENSE_RETOUR_NO_DEPENSE');
    expect(code('<PES_Retour><PES_DepenseRetour><Bordereau><BlocBordereau><Exer V="2026"/><IdBord V="1"/></BlocBordereau><Piece><InfoPiece><IdPce V="1"/><EtatPce V="05"/></InfoPiece><LigneDePiece><BlocLignePiece><InfoLignePiece><IdLigne V="1"/><MtHT V="12,5"/></InfoLignePiece></BlocLignePiece></LigneDePiece></Piece></Bordereau></PES_DepenseRetour></PES_Retour>')).toEqual([
      'DEPENSE_RETOUR_INVALID',
      'Bordereau 2026-1, mandat 1, ligne 1 : montant « 12,5 » illisible',
    ]);
  });
});
