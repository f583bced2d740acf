import { DOMAINE_ACK_LABELS, heliosErrorNumber, readPesAcquit } from '@/pes/pes-acquit.reader';

const acquit = (root: string, body: string) =>
  Buffer.from(`<?xml version="1.0" encoding="ISO-8859-1"?><n:${root} xmlns:n="x"><Enveloppe><Parametres><NomFic V="F1"/></Parametres></Enveloppe>
  <EnTetePES><IdColl V="21340000100011"/><CodCol V="123"/><CodBud V="01"/></EnTetePES><ACQUIT>${body}</ACQUIT></n:${root}>`, 'latin1');

describe('PES_ACQUIT reader', () => {
  it('takes the Hélios error number from the head of LibelleAnoAck, not from inside the text', () => {
    expect(heliosErrorNumber('2559 – code service FINANCES inconnu ou inactif dans Chorus Pro', 'ERREUR_AUTRE')).toBe('2559');
    expect(heliosErrorNumber('Erreur 1984 : PJ déjà intégrée', null)).toBe('1984');
    expect(heliosErrorNumber('[1971] montant', null)).toBe('1971');
    expect(heliosErrorNumber('Anomalie n° 1963 - engagement', null)).toBe('1963');
    expect(heliosErrorNumber('Le code service 12345 est inconnu', 'ERREUR_AUTRE')).toBeNull();
    expect(heliosErrorNumber(null, '1203')).toBe('1203');
  });

  it('labels the domains per the v5.19 list', () => {
    expect(DOMAINE_ACK_LABELS).toMatchObject({ '0': 'technique', '1': 'signature technique', '2': 'signature globale', '3': 'signature bordereau', '4': 'PJ', '5': 'dépense', '6': 'recette', '7': 'rôle', '8': 'budget', '9': 'état actif', '10': 'état passif', '11': 'marché', '12': 'facture', '99': 'paramétrage' });
  });

  it('keeps every error of an element with its piece and line, in document order', () => {
    const a = readPesAcquit(
      acquit(
        'PES_ACQUIT',
        `<ElementACQUIT><DomaineAck V="6"/><EtatAck V="0"/><NumBord V="4"/><ExerciceBord V="2024"/>
         <DetailPiece><NumPiece V="3"/><Erreur><NumAnoAck V="ERREUR_AUTRE"/><LibelleAnoAck V="2559 - code service inconnu"/></Erreur></DetailPiece>
         <DetailPiece><NumPiece V="5"/><DetailLigne><NumLigne V="2"/><Erreur><LibelleAnoAck V="1963 - engagement"/></Erreur></DetailLigne></DetailPiece></ElementACQUIT>
         <ElementACQUIT><DomaineAck V="6"/><EtatAck V="1"/><NumBord V="4"/><ExerciceBord V="2024"/></ElementACQUIT>`,
      ),
    );
    expect(a).toMatchObject({ nomFic: 'F1', idColl: '21340000100011', codCol: '123', codBud: '01' });
    expect(a.elements.map((e) => [e.position, e.accepted])).toEqual([[0, false], [1, true]]);
    expect(a.elements[0].errors).toEqual([
      expect.objectContaining({ piece: '3', line: null, anoCode: 'ERREUR_AUTRE', heliosCode: '2559' }),
      expect.objectContaining({ piece: '5', line: '2', anoCode: null, heliosCode: '1963', message: 'pièce 5 ligne 2, anomalie 1963 : 1963 - engagement' }),
    ]);
    expect(a.elements[0].code).toBe('2559');
  });

  it('refuses another root in French, naming what it is', () => {
    expect(() => readPesAcquit(acquit('PES_ACQUIT_RETOUR', ''))).toThrow(/pas un PES_ACQUIT : c'est un PES_ACQUIT_RETOUR/);
    expect(() => readPesAcquit(Buffer.from('<PES_AsapRetour/>'))).toThrow(/pes asap-retour/);
    expect(() => readPesAcquit(Buffer.from('<Autre/>'))).toThrow(/racine <Autre>/);
  });
});
