import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { FLUX_STATUT_LABELS, ID_STATUT_TO_CPP } from '@/status-return/cpp-statut.codes';
import { CppStatutEnvelope } from '@/status-return/cpp-statut.writer';

// Reader of CPPStatut flows produced by other tools (Chorus Pro, a finance software). Checks what
// CPPStatutPivot_V1_19.xsd requires of the parts Passerelle reads (mandatory elements, enumerations, xs:date /
// xs:dateTime lexical forms and ranges, lengths); the full XSD is also applied when configured
// (CppStatutSchema). Values are kept as strings: IdStatut « 07 » must not become 7.

export interface ReadFactureStatut {
  numOrdre: number | null;
  supplier: { idType: string; id: string; name: string; country: string | null };
  debtor: { id: string; name: string | null; serviceCode: string | null };
  idStatut: string;
  /** Chorus Pro status name; null for the undocumented codes 13–41 (reported, not guessed). */
  cppStatus: string | null;
  complement: string | null;
  comment: string | null;
  timestamp: string;
  idFacture: string;
  dateFacture: string | null;
  idMandatDP: string | null;
}

export interface ReadFluxStatut {
  numOrdre: number | null;
  idStatut: string;
  label: string;
  complement: string | null;
  comment: string | null;
  timestamp: string;
  idFlux: string;
}

export type CppStatutReadResult =
  | { kind: 'schema-invalid'; errors: string[] }
  | { kind: 'factures'; envelope: Partial<CppStatutEnvelope>; statuses: ReadFactureStatut[] }
  | { kind: 'flux'; envelope: Partial<CppStatutEnvelope>; fluxStatuses: ReadFluxStatut[] };

const DATE = /^-?\d{4,}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])(Z|[+-]((0\d|1[0-3]):[0-5]\d|14:00))?$/;
const DATE_TIME =
  /^-?\d{4,}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T(([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d+)?|24:00:00(\.0+)?)(Z|[+-]((0\d|1[0-3]):[0-5]\d|14:00))?$/;
const FACTURE_ID_STATUTS = new Set(Array.from({ length: 41 }, (_, k) => String(k + 1).padStart(2, '0')));

type Node = Record<string, unknown>;

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  isArray: (name) => ['EnveloppeUnitaire', 'ParametreIndiv', 'CPPFactureStatutUnitaire', 'CPPFluxStatutUnitaire'].includes(name),
});

function text(node: unknown): string | null {
  if (node === undefined || node === null) return null;
  if (typeof node === 'string') return node;
  if (typeof node === 'object' && '#text' in (node as Node)) return String((node as Node)['#text']);
  if (typeof node === 'object') return '';
  return String(node);
}

function num(value: unknown): number | null {
  const n = Number(value);
  return value === undefined || !Number.isInteger(n) ? null : n;
}

export function readCppStatut(xml: string): CppStatutReadResult {
  const source = xml.replace(/^\uFEFF/, '');
  const wellFormed = XMLValidator.validate(source);
  if (wellFormed !== true) {
    return { kind: 'schema-invalid', errors: [`XML mal formé (ligne ${wellFormed.err.line}) : ${wellFormed.err.msg}`] };
  }
  const doc = parser.parse(source) as Node;
  const errors: string[] = [];
  const root = doc.CPPStatut as Node | undefined;
  if (!root || typeof root !== 'object') return { kind: 'schema-invalid', errors: ['élément racine CPPStatut attendu'] };

  const envelope = readEnvelope(root.Enveloppe as Node | undefined, errors);
  const factures = root.CPPFactureStatuts as Node | undefined;
  const flux = root.CPPFluxStatuts as Node | undefined;
  if (factures && flux) errors.push('CPPFactureStatuts et CPPFluxStatuts sont exclusifs');
  if (!factures && !flux) errors.push('CPPFactureStatuts ou CPPFluxStatuts attendu');

  if (flux) {
    const units = ((flux as Node).CPPFluxStatutUnitaire as Node[] | undefined) ?? [];
    if (units.length === 0) errors.push('CPPFluxStatuts : au moins un CPPFluxStatutUnitaire');
    const fluxStatuses = units.map((u, k) => readFluxUnit(u, k + 1, errors));
    return errors.length ? { kind: 'schema-invalid', errors } : { kind: 'flux', envelope, fluxStatuses };
  }
  const units = ((factures as Node | undefined)?.CPPFactureStatutUnitaire as Node[] | undefined) ?? [];
  if (factures && units.length === 0) errors.push('CPPFactureStatuts : au moins un CPPFactureStatutUnitaire');
  const statuses = units.map((u, k) => readFactureUnit(u, k + 1, errors));
  return errors.length ? { kind: 'schema-invalid', errors } : { kind: 'factures', envelope, statuses };
}

function readEnvelope(env: Node | undefined, errors: string[]): Partial<CppStatutEnvelope> {
  const units = (env?.EnveloppeUnitaire as Node[] | undefined) ?? [];
  if (!env || units.length === 0) {
    errors.push('Enveloppe/EnveloppeUnitaire attendu');
    return {};
  }
  const first = units[0];
  const params = (((first.Parametres as Node | undefined)?.ParametreIndiv as Node[] | undefined) ?? []).map((p) => ({
    code: text(p.Code) ?? '',
    value: text(p.Valeurparametre),
  }));
  if (params.length < 2) errors.push('Parametres : au moins deux ParametreIndiv (DtPrd, IdFlx)');
  for (const p of params) {
    if (p.code.length !== 5) errors.push(`ParametreIndiv/Code « ${p.code} » : 5 caractères attendus`);
    if (p.value === null) errors.push(`ParametreIndiv ${p.code} : Valeurparametre attendu`);
  }
  const partners = first.Partenaires as Node | undefined;
  const receiver = partners?.Recepteur as Node | undefined;
  const sender = partners?.Emetteur as Node | undefined;
  if (!receiver || !sender) errors.push('Partenaires : Recepteur et Emetteur attendus');
  for (const [what, p] of [['Recepteur', receiver], ['Emetteur', sender]] as const) {
    const id = text(p?.Id);
    if (p && (id === null || id.length < 3 || id.length > 8)) errors.push(`${what}/Id : 3 à 8 caractères attendus`);
  }
  return {
    dtPrd: params.find((p) => p.code === 'DtPrd')?.value ?? undefined,
    idFlx: params.find((p) => p.code === 'IdFlx')?.value ?? undefined,
    receiverId: text(receiver?.Id) ?? undefined,
    receiverLabel: text(receiver?.Libelle),
    senderId: text(sender?.Id) ?? undefined,
    senderLabel: text(sender?.Libelle),
  };
}

function readFactureUnit(u: Node, position: number, errors: string[]): ReadFactureStatut {
  const where = `CPPFactureStatutUnitaire n° ${position}`;
  const supplier = (u.Fournisseur as Node | undefined) ?? {};
  const debtor = (u.Debiteur as Node | undefined) ?? {};
  const data = (u.DonneesStatut as Node | undefined) ?? {};
  if (!u.Fournisseur) errors.push(`${where} : Fournisseur attendu`);
  if (!u.Debiteur) errors.push(`${where} : Debiteur attendu`);
  if (!u.DonneesStatut) errors.push(`${where} : DonneesStatut attendu`);
  const supplierType = text(supplier.TypeIdentifiant) ?? '';
  if (u.Fournisseur && !/^[1-7]$/.test(supplierType)) errors.push(`${where} : Fournisseur/TypeIdentifiant « ${supplierType} » hors 1–7`);
  if (u.Fournisseur && text(supplier.Identifiant) === null) errors.push(`${where} : Fournisseur/Identifiant attendu`);
  if (u.Fournisseur && text(supplier.RaisonSociale) === null) errors.push(`${where} : Fournisseur/RaisonSociale attendu`);
  const country = text(supplier.CodePays);
  if (country !== null && country.length !== 2) errors.push(`${where} : Fournisseur/CodePays sur 2 caractères`);
  if (u.Debiteur && text(debtor.TypeIdentifiant) !== '1') errors.push(`${where} : Debiteur/TypeIdentifiant doit valoir 1 (SIRET)`);
  const debtorId = text(debtor.Identifiant) ?? '';
  if (u.Debiteur && debtorId.length !== 14) errors.push(`${where} : Debiteur/Identifiant sur 14 caractères`);
  const serviceCode = text(debtor.CodeService);
  if (serviceCode !== null && serviceCode.length > 100) errors.push(`${where} : Debiteur/CodeService de 100 caractères au plus`);
  const idStatut = text(data.IdStatut) ?? '';
  if (u.DonneesStatut && !FACTURE_ID_STATUTS.has(idStatut)) errors.push(`${where} : IdStatut « ${idStatut} » hors de l'énumération 01–41`);
  const timestamp = text(data.Horodatage) ?? '';
  if (u.DonneesStatut && !DATE_TIME.test(timestamp)) errors.push(`${where} : Horodatage « ${timestamp} » n'est pas un xs:dateTime valide`);
  const idFacture = text(data.IdFacture);
  if (u.DonneesStatut && idFacture === null) errors.push(`${where} : IdFacture attendu`);
  const dateFacture = text(data.DateFacture);
  if (dateFacture !== null && !DATE.test(dateFacture)) errors.push(`${where} : DateFacture « ${dateFacture} » n'est pas un xs:date valide`);
  return {
    numOrdre: num(u['@_NumOrdre']),
    supplier: { idType: supplierType, id: text(supplier.Identifiant) ?? '', name: text(supplier.RaisonSociale) ?? '', country },
    debtor: { id: debtorId, name: text(debtor.Nom), serviceCode },
    idStatut,
    cppStatus: ID_STATUT_TO_CPP[idStatut] ?? null,
    complement: text(data.ComplementStatut),
    comment: text(data.Commentaire),
    timestamp,
    idFacture: idFacture ?? '',
    dateFacture: dateFacture ? dateFacture.slice(0, 10) : null,
    idMandatDP: text(data.IdMandatDP),
  };
}

function readFluxUnit(u: Node, position: number, errors: string[]): ReadFluxStatut {
  const where = `CPPFluxStatutUnitaire n° ${position}`;
  const data = (u.DonneesStatut as Node | undefined) ?? {};
  if (!u.DonneesStatut) errors.push(`${where} : DonneesStatut attendu`);
  const idStatut = text(data.IdStatut) ?? '';
  if (!(idStatut in FLUX_STATUT_LABELS)) errors.push(`${where} : IdStatut « ${idStatut} » hors de l'énumération 90–96`);
  const complement = text(data.ComplementStatut);
  if (complement !== null && complement.length > 40) errors.push(`${where} : ComplementStatut de 40 caractères au plus`);
  const timestamp = text(data.Horodatage) ?? '';
  if (!DATE_TIME.test(timestamp)) errors.push(`${where} : Horodatage « ${timestamp} » n'est pas un xs:dateTime valide`);
  const idFlux = text(data.IdFlux);
  if (idFlux === null) errors.push(`${where} : IdFlux attendu`);
  return {
    numOrdre: num(u['@_NumOrdre']),
    idStatut,
    label: FLUX_STATUT_LABELS[idStatut] ?? idStatut,
    complement,
    comment: text(data.Commentaire),
    timestamp,
    idFlux: idFlux ?? '',
  };
}
