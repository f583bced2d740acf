// Hélios' answers shaped like the real ones (DosTech v5.19 « Acquittement » and « Domaine Asap Retour »), built by
// the project for the tests — never copied from the reference folder. ISO-8859-1 as Hélios writes them.

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
const leaf = (name: string, value: string | number | undefined | null) => (value === undefined || value === null ? '' : `<${name} V="${esc(String(value))}"/>`);

export interface AckError {
  /** NumAnoAck (TNumAnoAck: ERREUR_PJ, ERREUR_AUTRE …). */
  code?: string;
  /** LibelleAnoAck, Hélios' error number first (« 2559 - … »). */
  libelle?: string;
}
export interface AckElement {
  domaine: number;
  ok: boolean;
  numBord?: number;
  exercice?: number;
  idUnique?: string;
  errors?: AckError[];
  pieces?: Array<{ num: number; errors?: AckError[]; lines?: Array<{ num: number; errors: AckError[] }> }>;
}
export interface AckHeader {
  nomFic: string;
  idColl: string;
  codCol: string;
  codBud: string;
  idPost?: string;
  date?: string;
}

const errs = (list: AckError[] = []) => list.map((e) => `<Erreur>${leaf('NumAnoAck', e.code)}${leaf('LibelleAnoAck', e.libelle)}</Erreur>`).join('');

export function buildPesAcquit(h: AckHeader, elements: AckElement[], root = 'PES_ACQUIT'): Buffer {
  const body = elements
    .map((e) => {
      const choice = e.idUnique ? leaf('IdUnique', e.idUnique) : `${leaf('NumBord', e.numBord)}${leaf('ExerciceBord', e.exercice)}`;
      const pieces = (e.pieces ?? [])
        .map((p) => `<DetailPiece>${leaf('NumPiece', p.num)}${errs(p.errors)}${(p.lines ?? []).map((l) => `<DetailLigne>${leaf('NumLigne', l.num)}${errs(l.errors)}</DetailLigne>`).join('')}</DetailPiece>`)
        .join('');
      return `<ElementACQUIT>${leaf('DomaineAck', e.domaine)}${leaf('EtatAck', e.ok ? 1 : 0)}${choice}${errs(e.errors)}${pieces}</ElementACQUIT>`;
    })
    .join('\n');
  const xml = `<?xml version="1.0" encoding="ISO-8859-1"?>
<n:${root} xmlns:n="http://www.minefi.gouv.fr/cp/helios/pes_v2/Rev0/retour/v2">
<Enveloppe><Parametres>${leaf('Version', 2)}${leaf('TypFic', 'PESALR2')}${leaf('NomFic', h.nomFic)}</Parametres><Emetteur>${leaf('Sigle', 'PASSERELLE')}${leaf('Adresse', 'Passerelle')}</Emetteur><Recepteur>${leaf('Sigle', 'HELIOS')}${leaf('Adresse', 'DGFIP')}</Recepteur></Enveloppe>
<EnTetePES>${leaf('DteStr', h.date ?? '2024-04-06')}${leaf('IdPost', h.idPost ?? '034000')}${leaf('IdColl', h.idColl)}${leaf('CodCol', h.codCol)}${leaf('CodBud', h.codBud)}${leaf('LibelleColBud', 'COMMUNE')}</EnTetePES>
<ACQUIT><EnTeteAcquit>${leaf('IdVer', 2)}</EnTeteAcquit>
${body}
</ACQUIT></n:${root}>`;
  return Buffer.from(xml, 'latin1');
}

export interface AsapNews {
  idUnique: string;
  exer: number;
  idBord: number;
  idPce: number;
  complement?: { idUnique: string; etat: '01' | '02' | '03' };
  postedOn?: string;
  mail?: { notifiedOn?: string; firstReadOn?: string };
  rejet?: { on: string; postalisation?: string; notification?: string; relance?: boolean };
}

/** A PES_AsapRetour inside a PES_Retour envelope (Enveloppe, EnTetePES), one Asap per news item. */
export function buildPesAsapRetour(h: Omit<AckHeader, 'nomFic'>, news: AsapNews[]): Buffer {
  const asaps = news
    .map((a) => {
      const what = a.rejet
        ? `<Rejet>${leaf('DateRejet', a.rejet.on)}${a.rejet.postalisation ? leaf('MotifRejetPostalisation', a.rejet.postalisation) + (a.rejet.relance ? leaf('IndicRelanceAsap', 1) : '') : leaf('MotifRejetNotificationParMail', a.rejet.notification)}</Rejet>`
        : a.mail
          ? `<NotificationParMail>${leaf('DateNotification', a.mail.notifiedOn)}${leaf('Date1ereLecture', a.mail.firstReadOn)}</NotificationParMail>`
          : `<Postalisation>${leaf('DatePostalisation', a.postedOn)}</Postalisation>`;
      return `<Asap>${leaf('IdUniquePJASAP', a.idUnique)}${leaf('IdUniquePJCplt', a.complement?.idUnique)}${leaf('Exer', a.exer)}${leaf('IdBord', a.idBord)}${leaf('TypBord', '01')}${leaf('IdPce', a.idPce)}${leaf('TypPce', '01')}${leaf('EtatPJComplt', a.complement?.etat)}${what}</Asap>`;
    })
    .join('\n');
  const xml = `<?xml version="1.0" encoding="ISO-8859-1"?>
<n:PES_Retour xmlns:n="http://www.minefi.gouv.fr/cp/helios/pes_v2/Rev0/retour">
<Enveloppe><Parametres>${leaf('Version', 2)}${leaf('TypFic', 'PESASAPR')}${leaf('NomFic', 'ASAPRETOUR')}</Parametres></Enveloppe>
<EnTetePES>${leaf('DteStr', '2024-05-10')}${leaf('IdPost', h.idPost ?? '034000')}${leaf('IdColl', h.idColl)}${leaf('CodCol', h.codCol)}${leaf('CodBud', h.codBud)}</EnTetePES>
<PES_AsapRetour><EnTeteAsap>${leaf('IdVer', 2)}</EnTeteAsap>
${asaps}
</PES_AsapRetour></n:PES_Retour>`;
  return Buffer.from(xml, 'latin1');
}
