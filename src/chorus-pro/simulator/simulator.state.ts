import { randomBytes } from 'node:crypto';
import { FactureRecipiendaire, HistoStatut, TypeDemandePaiement } from '@/chorus-pro/chorus-pro.types';
import { makeSiren, makeSiret } from '@/common/siret/siret';
import { AttachmentEncoder } from '@/fixtures-generator/attachment.encoder';
import { DEMO_STRUCTURES, DemoStructure } from '@/fixtures-generator/demo-structures';
import { buildInvoiceSpec, DEFAULT_REFERENCE_DATE, InvoiceSpec, renderPivotFlow } from '@/fixtures-generator/pivot-flow.generator';
import { SeededRng } from '@/fixtures-generator/seeded.rng';
import { applyWorks } from '@/fixtures-generator/works-invoice.fixtures';
import { SimulatorStructureSettings } from '@/chorus-pro/simulator/simulator-structures.routes';
import { SimulatorWorks } from '@/chorus-pro/simulator/simulator-works.routes';
import { assembleZip, assembleZipBase64, Base64ZipRecord, base64ZipRecord, compressZipEntry } from '@/fixtures-generator/zip.builder';

/** A telecharger/groupe answer around its base64 ZIP (base64 needs no JSON escaping). */
const ANSWER_HEAD = Buffer.from('{"codeRetour":0,"libelle":"TRA_MSG_00.000","fichierResultat":"');
const ANSWER_TAIL = Buffer.from('"}');

// Everything the fake Chorus Pro knows: structures with their technical accounts, received invoices (pivot
// content made by the project's fixture generator), tokens, call statistics, and the faults tests inject.

export interface SimStructure {
  idStructureCPP: number;
  siret: string;
  name: string;
  login: string;
  password: string;
  services: string[];
  demo: DemoStructure;
}

export interface SimInvoice {
  idFacture: number;
  structure: SimStructure;
  spec: InvoiceSpec;
  typeDemandePaiement: TypeDemandePaiement;
  cadre: string;
  statut: string;
  dateHeureEtatCourant: Date;
  commentaire: string | null;
  history: HistoStatut[];
  telechargee: boolean;
  /** The pivot served for this invoice is broken (tests: a bad invoice among good ones). */
  badPivot: boolean;
  taille?: number;
}

/** One-shot faults: the next `times` matching calls answer this way instead of normally. */
export type SimFault =
  | { kind: 'status'; status: number; retryAfterS?: number; endpoint?: string; times?: number }
  | { kind: 'malformed-json'; endpoint?: string; times?: number }
  | { kind: 'hang'; endpoint?: string; times?: number }
  /** A telecharger/groupe answer whose ZIP is cut short (a corrupted download). */
  | { kind: 'broken-zip'; endpoint?: string; times?: number }
  | { kind: 'codeRetour'; codeRetour: number; libelle: string; endpoint?: string; times?: number };

export interface SimulatorStats {
  /** Calls received under /cpro/, per endpoint (rejected ones included). */
  calls: Record<string, number>;
  total: number;
  rejected429: number;
  tokensIssued: number;
  /** telecharger/groupe: how many times each invoice was served. */
  downloads: Map<number, number>;
  /** Arrival times (epoch ms) of /cpro/ calls, for rate checks. */
  arrivals: number[];
  /** The endpoints of the /cpro/ calls, in arrival order (what a pull asks for first). */
  order: string[];
  /** Milliseconds the simulator spent serving /cpro/ calls (its own work: added latency and waits excluded). */
  servingMs: number;
  /** Calls being answered right now, and the most at once since start (added latency included). */
  inFlight: number;
  maxInFlight: number;
  /**
   * telecharger/groupe answers made of prepared parts only, and those that had to compress or encode something while
   * the call waited (0 after `prepare`, whatever groups the pull asks for).
   */
  preparedAnswers: number;
  builtAnswers: number;
}

export interface SimulatorStateOptions {
  structures: number;
  invoices: number;
  seed: number;
  /** Date around which invoices were issued (YYYY-MM-DD). */
  referenceDate?: string;
  /** Share of FACTURE_TRAVAUX (cadre A4) among generated invoices. */
  worksShare?: number;
}

const FIRST_ID = 100_001;

export class SimulatorState {
  readonly structures: SimStructure[] = [];
  readonly invoices = new Map<number, SimInvoice>();
  readonly tokens = new Map<string, number>();
  readonly faults: SimFault[] = [];
  /** Milliseconds added before answering an endpoint, on top of the latency (tests: one search slower than the rest). */
  readonly slowEndpoints = new Map<string, number>();
  readonly stats: SimulatorStats = {
    calls: {},
    total: 0,
    rejected429: 0,
    tokensIssued: 0,
    downloads: new Map(),
    arrivals: [],
    order: [],
    servingMs: 0,
    inFlight: 0,
    maxInFlight: 0,
    preparedAnswers: 0,
    builtAnswers: 0,
  };
  /**
   * Recipient search answers without their page count (`pages`, `total`), as an answer may come: the client must ask
   * for the next page as long as one comes back full.
   */
  searchWithoutPageCount = false;
  /** Services and « obligatoire » settings served by structures/v1/… (changed by scenarios). */
  readonly structureSettings = new SimulatorStructureSettings();
  /** Works-side state of FACTURE_TRAVAUX invoices, served by facturesTravaux/v1/rechercher. */
  readonly works = new SimulatorWorks();
  /** Counters back to zero (the benchmark's next run on the same prepared scenario); prepared answers are kept. */
  resetStats(): void {
    Object.assign(this.stats, { calls: {}, total: 0, rejected429: 0, tokensIssued: 0, downloads: new Map(), arrivals: [], order: [], servingMs: 0, maxInFlight: this.stats.inFlight, preparedAnswers: 0, builtAnswers: 0 });
  }

  /** The counters as plain JSON (GET /sim/stats). */
  statsSummary(): Record<string, unknown> {
    const { downloads, arrivals, order: _order, ...rest } = this.stats;
    return {
      ...rest,
      downloadedInvoices: downloads.size,
      downloadedTwice: [...downloads.values()].filter((n) => n > 1).length,
      firstCallAt: arrivals[0] ?? null,
      lastCallAt: arrivals[arrivals.length - 1] ?? null,
    };
  }

  /** Overrides the telecharger/groupe size cap at run time (tests). */
  maxDownloadBytes?: number;
  readonly clientId = `passerelle-sim-${randomBytes(4).toString('hex')}`;
  readonly clientSecret = randomBytes(18).toString('base64url');
  private readonly rng: SeededRng;
  private readonly encoder: AttachmentEncoder;
  private nextId = FIRST_ID;
  private nextHistoId = 1;
  /**
   * What an invoice's download is made of, built once: its pivot bytes (also its `taille`) and its compressed ZIP
   * entry. Rendering a pivot costs milliseconds (attachments included): redone per search and per download, it was the
   * simulator, not the pull, that the benchmark measured.
   */
  private readonly pivots = new Map<number, Buffer>();
  /** Each invoice's ZIP record, compressed and base64-encoded once (see base64ZipRecord): any group is set end to end. */
  private readonly records = new Map<number, Base64ZipRecord>();
  /** pivotPerGroup answers (one pivot file for the whole group), by their id list: prepared or already served. */
  private readonly answers = new Map<string, Buffer>();

  constructor(private readonly options: SimulatorStateOptions) {
    this.rng = new SeededRng(options.seed);
    this.encoder = new AttachmentEncoder(options.seed);
    for (let i = 0; i < Math.max(1, options.structures); i++) this.structures.push(this.makeStructure(i));
    this.addInvoices(options.invoices);
  }

  private makeStructure(i: number): SimStructure {
    const demo: DemoStructure =
      i < DEMO_STRUCTURES.length
        ? DEMO_STRUCTURES[i]
        : {
            siret: makeSiret(makeSiren(String(21_800_000 + i)) + '0001'),
            name: `Commune simulée n° ${i + 1}`,
            services: [
              { code: 'FINANCES', label: 'Service des finances', active: true },
              { code: 'ST', label: 'Services techniques', active: true },
            ],
            serviceRequired: false,
            engagementRequired: false,
            paymentDelayDays: 30,
          };
    return {
      idStructureCPP: 25_000_000 + i,
      siret: demo.siret,
      name: demo.name,
      login: `TECH_${demo.siret}@cpro.fr`,
      password: randomBytes(12).toString('base64url'),
      services: demo.services.filter((s) => s.active).map((s) => s.code),
      demo,
    };
  }

  /** Deposits `count` new invoices, spread over the structures (or for one), MISE_A_DISPOSITION now. */
  addInvoices(count: number, options: { structure?: SimStructure; at?: Date } = {}): SimInvoice[] {
    const added: SimInvoice[] = [];
    const at = options.at ?? new Date();
    for (let k = 0; k < count; k++) {
      const idFacture = this.nextId++;
      const structure = options.structure ?? this.structures[(idFacture - FIRST_ID) % this.structures.length];
      const rng = this.rng.fork(`invoice-${idFacture}`);
      const works = rng.chance(this.options.worksShare ?? 0.1);
      const spec = buildInvoiceSpec(rng, {
        structure: structure.demo,
        sequence: idFacture,
        cproId: String(idFacture),
        date: this.options.referenceDate ?? DEFAULT_REFERENCE_DATE,
      });
      if (works) applyWorks(spec, structure.demo);
      const deposited = new Date(at.getTime() - 60_000);
      const invoice: SimInvoice = {
        idFacture,
        structure,
        spec,
        typeDemandePaiement: works ? 'FACTURE_TRAVAUX' : 'FACTURE',
        cadre: spec.cadre,
        statut: 'MISE_A_DISPOSITION',
        dateHeureEtatCourant: at,
        commentaire: null,
        history: [],
        telechargee: false,
        badPivot: false,
      };
      this.pushHistory(invoice, 'DEPOSEE', deposited, '');
      this.pushHistory(invoice, 'MISE_A_DISPOSITION', at, '');
      this.invoices.set(idFacture, invoice);
      added.push(invoice);
    }
    return added;
  }

  /** Another actor (supplier, comptable, platform) changes a status: no rule applies. */
  setStatus(idFacture: number, statut: string, commentaire = '', at = new Date()): SimInvoice {
    const invoice = this.invoice(idFacture);
    invoice.statut = statut;
    invoice.dateHeureEtatCourant = at;
    invoice.commentaire = commentaire || null;
    this.pushHistory(invoice, statut, at, commentaire);
    return invoice;
  }

  corruptPivot(idFacture: number): void {
    const invoice = this.invoice(idFacture);
    invoice.badPivot = true;
    invoice.taille = undefined;
    this.pivots.delete(idFacture);
    this.records.delete(idFacture);
    this.answers.clear();
  }

  /**
   * Builds, before any call, every invoice's pivot and its ZIP record in base64: a telecharger/groupe answer is then
   * those records end to end whatever the group (the pull groups invoices as search pages arrive, not by idFacture),
   * and what the benchmark measures is the pull. With pivotPerGroup, whole answers by idFacture, `groupSize` at a time.
   */
  prepare(groupSize: number, pivotPerGroup = false): void {
    for (const structure of this.structures) {
      const mine = this.invoicesOf(structure.siret).sort((a, b) => a.idFacture - b.idFacture);
      for (const invoice of mine) {
        this.taille(invoice);
        if (!pivotPerGroup) this.record(invoice);
      }
      if (pivotPerGroup) for (let i = 0; i < mine.length; i += groupSize) this.downloadAnswer(mine.slice(i, i + groupSize), true);
    }
    this.stats.builtAnswers = 0;
  }

  /** The telecharger/groupe answer (JSON, UTF-8) for these invoices, in this order, from prepared parts when there are. */
  downloadAnswer(invoices: SimInvoice[], pivotPerGroup = false): Buffer {
    if (!pivotPerGroup) {
      const built = invoices.filter((i) => !this.records.has(i.idFacture)).length;
      const zipBase64 = assembleZipBase64(invoices.map((i) => this.record(i)));
      if (built > 0) this.stats.builtAnswers++;
      else this.stats.preparedAnswers++;
      return Buffer.concat([ANSWER_HEAD, zipBase64, ANSWER_TAIL]);
    }
    const key = invoices.map((i) => i.idFacture).join(',');
    const known = this.answers.get(key);
    if (known) {
      this.stats.preparedAnswers++;
      return known;
    }
    const zip = assembleZip([compressZipEntry({ name: `factures_${invoices[0].idFacture}.xml`, data: this.groupPivotXml(invoices) })]);
    const answer = Buffer.from(JSON.stringify({ codeRetour: 0, libelle: 'TRA_MSG_00.000', fichierResultat: zip.toString('base64') }));
    this.answers.set(key, answer);
    this.stats.builtAnswers++;
    return answer;
  }

  private record(invoice: SimInvoice): Base64ZipRecord {
    let record = this.records.get(invoice.idFacture);
    if (!record) {
      record = base64ZipRecord(compressZipEntry({ name: `facture_${invoice.idFacture}.xml`, data: this.pivotXml(invoice) }));
      this.records.set(invoice.idFacture, record);
    }
    return record;
  }

  invoice(idFacture: number): SimInvoice {
    const invoice = this.invoices.get(idFacture);
    if (!invoice) throw new Error(`Facture simulée inconnue : ${idFacture}`);
    return invoice;
  }

  invoicesOf(siret: string): SimInvoice[] {
    return [...this.invoices.values()].filter((i) => i.structure.siret === siret);
  }

  injectFault(fault: SimFault): void {
    this.faults.push({ times: 1, ...fault });
  }

  /** Every token issued so far stops working (a token expiring early, PISTE restarting…). */
  expireTokens(): void {
    this.tokens.clear();
  }

  findAccount(login: string, password: string): SimStructure | undefined {
    return this.structures.find((s) => s.login === login && s.password === password);
  }

  /** The pivot XML of one invoice (one CPPFacturePivot flow per invoice, as in telecharger/groupe PIVOT). */
  pivotXml(invoice: SimInvoice): Buffer {
    let xml = this.pivots.get(invoice.idFacture);
    if (!xml) {
      xml = this.renderPivot(invoice);
      this.pivots.set(invoice.idFacture, xml);
    }
    return xml;
  }

  private renderPivot(invoice: SimInvoice): Buffer {
    const xml = renderPivotFlow(
      { idFlx: 'CPP' + String(invoice.idFacture).padStart(22, '0'), dtPrd: invoice.spec.receptionDate, invoices: [invoice.spec] },
      { encoder: this.encoder },
    );
    if (!invoice.badPivot) return xml;
    // A pivot cut in the middle of an invoice, declared as UTF-8 but not well-formed.
    return Buffer.concat([xml.subarray(0, Math.floor(xml.length / 2)), Buffer.from('<<<\u0000', 'utf8')]);
  }

  /** One flow holding several invoices (good ones only: a bad pivot is served alone). */
  groupPivotXml(invoices: SimInvoice[]): Buffer {
    if (invoices.length === 1 || invoices.some((i) => i.badPivot)) return Buffer.concat(invoices.map((i) => this.pivotXml(i)));
    return renderPivotFlow(
      { idFlx: 'CPP' + String(invoices[0].idFacture).padStart(22, '0'), dtPrd: invoices[0].spec.receptionDate, invoices: invoices.map((i) => i.spec) },
      { encoder: this.encoder },
    );
  }

  taille(invoice: SimInvoice): number {
    invoice.taille ??= this.pivotXml(invoice).length;
    return invoice.taille;
  }

  searchEntry(invoice: SimInvoice, withSize: boolean): FactureRecipiendaire {
    const s = invoice.spec;
    return {
      idFacture: invoice.idFacture,
      numeroFacture: s.number ?? '',
      typeDemandePaiement: invoice.typeDemandePaiement,
      typeFacture: s.type === '381' ? 'AVOIR' : 'FACTURE',
      typeFactureTravaux: invoice.typeDemandePaiement === 'FACTURE_TRAVAUX' ? 'PROJET_DECOMPTE_MENSUEL' : null,
      statut: invoice.statut,
      dateHeureEtatCourant: invoice.dateHeureEtatCourant.toISOString(),
      commentaireEtatCourant: invoice.commentaire,
      dateDepot: s.receptionDate,
      dateFacture: s.issueDate,
      codeDestinataire: invoice.structure.siret,
      designationDestinataire: invoice.structure.name,
      idDestinataire: invoice.structure.idStructureCPP,
      codeFournisseur: s.supplier.id,
      designationFournisseur: s.supplier.name,
      typeIdentifiantFournisseur: 'SIRET',
      codeServiceExecutant: s.debtor.serviceCode ?? null,
      nomServiceExecutant: s.debtor.serviceName ?? null,
      idServiceExecutant: s.debtor.serviceCode ? invoice.structure.idStructureCPP * 10 + invoice.structure.services.indexOf(s.debtor.serviceCode) : null,
      devise: s.currency,
      montantHT: Number(s.amounts.ht),
      montantTTC: Number(s.amounts.ttc),
      montantAPayer: Number(s.amounts.netToPay),
      numeroBonCommande: s.engagement?.engagementNumber ?? null,
      numeroMarche: s.engagement?.marketNumber ?? null,
      factureTelechargeeParDestinataire: invoice.telechargee,
      ...(withSize ? { taille: this.taille(invoice) } : {}),
    };
  }

  private pushHistory(invoice: SimInvoice, code: string, at: Date, comment: string): void {
    invoice.history.push({
      histoStatutId: this.nextHistoId++,
      histoStatutCode: code,
      histoStatutDatePassage: chorusDateTime(at),
      histoStatutCommentaire: comment,
      histoStatutUtilisateurNom: 'SIMULATEUR',
      histoStatutUtilisateurPrenom: 'Chorus',
    });
  }
}

/** "YYYY-MM-DD HH:mm" as in consulter/historique answers. */
export function chorusDateTime(date: Date): string {
  return date.toISOString().slice(0, 16).replace('T', ' ');
}
