import iconv from 'iconv-lite';
import { money, sum } from '@/common/money/money';
import { escapeAttr } from '@/pes/pes-xml.writer';

// Hélios' answers to a PES_Aller dépense, as Hélios writes them (ISO-8859-1, values in `V` attributes): the
// PES_ACQUIT of a file (xsd-v5.17 PES_V2_Acquit_Autonome_V2) and the PES_Retour carrying a PES_DepenseRetour
// (RETOUR/Rev0/PES_Retour.xsd, NS_Depense): states of the mandats, CessOpp per line, PaiementEmargement. Made by the
// project for its tests, never copied from real files.

export interface HeliosHeader {
  nomFic: string;
  dteStr: string;
  idPost: string;
  idColl: string;
  codCol: string;
  codBud: string;
}

export interface RetourPieceSpec {
  idPce: number;
  /** 01 en instance, 02 pris en charge, 04 rejeté, 05 soldé. */
  etatPce: '01' | '02' | '04' | '05';
  natPce?: string;
  obj?: string;
  obsEtat?: string;
  commentaire?: string;
  dtePcePec?: string;
  dtePceRej?: string;
  lines: Array<{
    idLigne: number;
    mtHt: string;
    etatLig?: string;
    cessOpp?: '01' | '02' | '03';
    payments?: Array<{ orgEma: string; paidOn: string; amount: string }>;
  }>;
}

export interface DepenseRetourSpec extends HeliosHeader {
  bordereaux: Array<{ year: number; number: number; pieces: RetourPieceSpec[] }>;
}

const leaf = (name: string, value: string | number | undefined | null): string => (value === undefined || value === null ? '' : `<${name} V="${escapeAttr(String(value))}"/>`);

function latin1(xml: string): Buffer {
  return iconv.encode(`<?xml version="1.0" encoding="ISO-8859-1"?>\n${xml}`, 'latin1');
}

function entete(h: HeliosHeader, codColName: 'CodCol' | 'CodColl'): string {
  return `<EnTetePES>${leaf('DteStr', h.dteStr)}${leaf('IdPost', h.idPost)}${leaf('IdColl', h.idColl)}${leaf(codColName, h.codCol)}${leaf('CodBud', h.codBud)}</EnTetePES>`;
}

/** A PES_Retour with a PES_DepenseRetour (TypRestit 02 périodique, NatInf 2 flux détaillé). */
export function buildDepenseRetour(spec: DepenseRetourSpec): Buffer {
  const bordereaux = spec.bordereaux.map((b) => {
    const pieces = b.pieces.map((p) => {
      const info =
        leaf('IdPce', p.idPce) + leaf('TypPce', '01') + leaf('NatPce', p.natPce ?? '01') + leaf('Obj', p.obj) + leaf('DtePcePec', p.dtePcePec) +
        leaf('EtatPce', p.etatPce) + leaf('ObsEtat', p.obsEtat) + leaf('Commentaire', p.commentaire) + leaf('DtePceRej', p.dtePceRej);
      const lines = p.lines.map((l) => {
        const pays = l.payments ?? [];
        const infoLigne =
          leaf('IdLigne', l.idLigne) + leaf('EtatLigPce', l.etatLig ?? (p.etatPce === '04' ? '02' : '01')) + leaf('MtHT', money(l.mtHt).toFixed(2)) + leaf('CessOpp', l.cessOpp);
        const infoPaiement = pays.length ? `<InfoPaiement>${leaf('NbrPay', pays.length)}${leaf('MtPayTot', sum(pays.map((x) => x.amount)).toFixed(2))}</InfoPaiement>` : '';
        const ema = pays.map((x) => `<PaiementEmargement>${leaf('OrgEma', x.orgEma)}${leaf('DtePay', x.paidOn)}${leaf('MtPay', money(x.amount).toFixed(2))}</PaiementEmargement>`).join('');
        return `<LigneDePiece><BlocLignePiece><InfoLignePiece>${infoLigne}</InfoLignePiece>${infoPaiement}</BlocLignePiece>${ema}</LigneDePiece>`;
      });
      return `<Piece><InfoPiece>${info}</InfoPiece>${lines.join('')}</Piece>`;
    });
    return `<Bordereau><BlocBordereau>${leaf('Exer', b.year)}${leaf('IdBord', b.number)}${leaf('TypBord', '01')}</BlocBordereau>\n${pieces.join('\n')}\n</Bordereau>`;
  });
  return latin1(
    `<n:PES_Retour xmlns:n="http://www.minefi.gouv.fr/cp/helios/pes_v2/Rev0/retour">\n` +
      `<Enveloppe><Parametres>${leaf('Version', 2)}${leaf('TypFic', 'PESRETOUR')}${leaf('NomFic', spec.nomFic)}</Parametres><Emetteur>${leaf('Sigle', 'HELIOS')}</Emetteur></Enveloppe>\n` +
      `${entete(spec, 'CodColl')}\n` +
      `<PES_DepenseRetour><EnTeteDepense>${leaf('TypRestit', '02')}${leaf('IdVer', 2)}${leaf('NatInf', 2)}</EnTeteDepense>\n${bordereaux.join('\n')}\n</PES_DepenseRetour>\n` +
      `</n:PES_Retour>\n`,
  );
}

export interface AcquitElementSpec {
  /** DomaineAck: 5 dépense, 4 PJ, 0–3 whole file. */
  domaine: string;
  accepted: boolean;
  year?: number;
  bordereau?: number;
  idUnique?: string;
  /** `code`: NumAnoAck (TNumAnoAck: ERREUR_AUTRE, ERREUR_PJ…); `label`: LibelleAnoAck, Hélios' number first (« 1203 – … »). */
  error?: { code: string; label: string };
  /** Rejected pieces (mandats) with their error. */
  pieces?: Array<{ idPce: number; code: string; label: string }>;
}

/** A PES_ACQUIT (…/Rev0/retour/v2), one ElementACQUIT per object acknowledged. */
export function buildPesAcquit(header: HeliosHeader, elements: AcquitElementSpec[]): Buffer {
  const body = elements
    .map((e) => {
      const err = e.error ? `<Erreur>${leaf('NumAnoAck', e.error.code)}${leaf('LibelleAnoAck', e.error.label)}</Erreur>` : '';
      const pieces = (e.pieces ?? []).map((p) => `<DetailPiece>${leaf('NumPiece', p.idPce)}<Erreur>${leaf('NumAnoAck', p.code)}${leaf('LibelleAnoAck', p.label)}</Erreur></DetailPiece>`).join('');
      return `<ElementACQUIT>${leaf('DomaineAck', e.domaine)}${leaf('EtatAck', e.accepted ? '1' : '0')}${leaf('NumBord', e.bordereau)}${leaf('ExerciceBord', e.year)}${leaf('IdUnique', e.idUnique)}${err}${pieces}</ElementACQUIT>`;
    })
    .join('\n');
  return latin1(
    `<n:PES_ACQUIT xmlns:n="http://www.minefi.gouv.fr/cp/helios/pes_v2/Rev0/retour/v2">\n` +
      `<Enveloppe><Parametres>${leaf('Version', 2)}${leaf('TypFic', 'PESALR2')}${leaf('NomFic', header.nomFic)}</Parametres><Emetteur>${leaf('Sigle', 'HELIOS')}${leaf('Adresse', 'DGFIP')}</Emetteur></Enveloppe>\n` +
      `${entete(header, 'CodCol')}\n<ACQUIT><EnTeteAcquit>${leaf('IdVer', 2)}</EnTeteAcquit>\n${body}\n</ACQUIT></n:PES_ACQUIT>\n`,
  );
}
