import { randomBytes } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo, Socket } from 'node:net';
import {
  CODE_RETOUR_BAD_TRANSITION,
  CPP_ENDPOINTS,
  FactureRecipiendaire,
} from '@/chorus-pro/chorus-pro.types';
import { canTransition, MOTIF_REQUIRED, nextStatuses } from '@/chorus-pro/simulator/simulator-status.rules';
import { simulatorScenario } from '@/chorus-pro/simulator/simulator.scenarios';
import { SimFault, SimInvoice, SimStructure, SimulatorState } from '@/chorus-pro/simulator/simulator.state';
import { consultStructure, searchServices, searchStructures } from '@/chorus-pro/simulator/simulator-structures.routes';
import { searchWorks } from '@/chorus-pro/simulator/simulator-works.routes';

// A fake Chorus Pro (PISTE) on loopback, plain node:http. It enforces what the real one enforces — a valid,
// unexpired token, a known technical account, the call rate (429), 120 MB per telecharger/groupe (413) — and
// injects faults on demand: random 5xx, latency, an outage window (503), tokens that die early, one-shot faults.

export interface SimulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  structures?: number;
  invoices?: number;
  /** Calls per second accepted (token bucket, burst = one second's worth). */
  rate?: number;
  /** Share of /cpro/ calls answered by a random 500/502/503. */
  failRate?: number;
  latencyMs?: number;
  /** Seconds after start, and duration, of a window where everything answers 503. */
  outage?: { startS: number; durationS: number };
  /** Real lifetime of tokens, while they announce expires_in 3600 (a token that expires early). */
  tokenTtlS?: number;
  /** Maximum size of a telecharger/groupe answer (Chorus Pro: 120 MB). */
  maxDownloadBytes?: number;
  seed?: number;
  referenceDate?: string;
  /**
   * One CPPFacturePivot holding the whole group in the ZIP, instead of one file per invoice (default). Lets the
   * benchmark separate the pull's own cost from the per-flow cost of the import.
   */
  pivotPerGroup?: boolean;
  /**
   * A named setup (SIMULATOR_SCENARIOS) giving structures and invoices; its downloads are prepared before the server
   * listens (`prepareGroups` invoices per group), so that serving costs next to nothing.
   */
  scenario?: string;
  /**
   * Prepare every invoice of the scenario for telecharger/groupe (any group is then served from memory); with
   * pivotPerGroup, the size of the whole-group answers (the pull's groupMaxInvoices). Default 200 with a scenario.
   */
  prepareGroups?: number;
}

export interface SimulatorStructureInfo {
  siret: string;
  name: string;
  login: string;
  password: string;
  services: string[];
}

export interface StartedSimulator {
  /** API base URL, `http://127.0.0.1:PORT/cpro/`. */
  url: string;
  apiUrl: string;
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  structures: SimulatorStructureInfo[];
  state: SimulatorState;
  /** The first stdout line of `passerelle simulator`. */
  describe(): Record<string, unknown>;
  /** Changes the added latency from now on (the benchmark runs one prepared scenario at several latencies). */
  setLatency(ms: number): void;
  close(): Promise<void>;
}

const MB = 1024 * 1024;
const DEFAULT_MAX_DOWNLOAD = 120 * MB;
const ANNOUNCED_TOKEN_LIFETIME_S = 3600;
const MAX_PAGE_SIZE = 1000;

export async function startSimulator(options: SimulatorOptions = {}): Promise<StartedSimulator> {
  const scenario = options.scenario ? simulatorScenario(options.scenario) : undefined;
  const state = new SimulatorState({
    structures: scenario?.structures ?? options.structures ?? 2,
    invoices: scenario?.invoices ?? options.invoices ?? 20,
    seed: options.seed ?? 20_250_314,
    referenceDate: options.referenceDate,
  });
  const groupSize = options.prepareGroups ?? (scenario ? 200 : 0);
  if (groupSize > 0) state.prepare(groupSize, options.pivotPerGroup);
  const handler = new SimulatorHandler(state, options);
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    handler.handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) send(res, 500, { codeRetour: 500, libelle: `Erreur du simulateur : ${(err as Error).message}` });
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const base = `http://${options.host ?? '127.0.0.1'}:${port}`;
  const apiUrl = `${base}/cpro/`;
  const tokenUrl = `${base}/api/oauth/token`;
  const structures = state.structures.map((s) => ({ siret: s.siret, name: s.name, login: s.login, password: s.password, services: s.services }));
  return {
    url: apiUrl,
    apiUrl,
    tokenUrl,
    clientId: state.clientId,
    clientSecret: state.clientSecret,
    structures,
    state,
    describe: () => ({ apiUrl, tokenUrl, statsUrl: `${base}/sim/stats`, clientId: state.clientId, clientSecret: state.clientSecret, structures }),
    setLatency: (ms: number) => handler.setLatency(ms),
    close: async () => {
      handler.closed = true;
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

class SimulatorHandler {
  closed = false;
  private readonly startedAt = Date.now();
  private tokensLeft: number;
  private refilledAt = Date.now();

  private latencyMs: number;

  constructor(
    private readonly state: SimulatorState,
    private readonly options: SimulatorOptions,
  ) {
    this.tokensLeft = this.rate;
    this.latencyMs = options.latencyMs ?? 0;
  }

  setLatency(ms: number): void {
    this.latencyMs = ms;
  }

  private get rate(): number {
    return this.options.rate ?? 20;
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const stats = this.state.stats;
    const path = (req.url ?? '').split('?')[0];
    if (path.startsWith('/cpro/')) {
      stats.inFlight++;
      stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
      res.once('close', () => stats.inFlight--);
    }
    const body = await readBody(req);
    // The benchmark's window on a simulator in another process (`passerelle simulator`): not a Chorus Pro endpoint.
    if (req.method === 'GET' && path === '/sim/stats') return sendRaw(res, 200, JSON.stringify(this.state.statsSummary()));
    const slower = path.startsWith('/cpro/') ? (this.state.slowEndpoints.get(path.slice('/cpro/'.length)) ?? 0) : 0;
    if (this.latencyMs + slower > 0) await delay(this.latencyMs + slower);
    // The simulator's own work from here on (answers are built synchronously): what the benchmark subtracts.
    const started = performance.now();
    try {
      this.serve(req, res, path, body);
    } finally {
      if (path.startsWith('/cpro/')) stats.servingMs += performance.now() - started;
    }
  }

  private serve(req: IncomingMessage, res: ServerResponse, path: string, body: Buffer): void {
    if (this.closed) return void req.socket.destroy();
    if (this.inOutage()) return send(res, 503, { error: 'service_unavailable', message: 'Chorus Pro est en maintenance' });
    if (req.method === 'POST' && path === '/api/oauth/token') return this.token(body, res);
    if (req.method !== 'POST' || !path.startsWith('/cpro/')) return send(res, 404, { error: 'not_found' });

    const endpoint = path.slice('/cpro/'.length);
    const stats = this.state.stats;
    stats.calls[endpoint] = (stats.calls[endpoint] ?? 0) + 1;
    stats.total++;
    stats.arrivals.push(Date.now());
    stats.order.push(endpoint);

    if (!this.takeRateToken()) {
      stats.rejected429++;
      const retryAfter = Math.max(1, Math.ceil((1 - this.tokensLeft) / this.rate));
      res.setHeader('retry-after', String(retryAfter));
      return send(res, 429, { error: 'too_many_requests', message: 'Quota de la PISTE dépassé' });
    }
    const auth = req.headers.authorization ?? '';
    const token = auth.startsWith('Bearer ') ? auth.slice(7) : '';
    const expiresAt = this.state.tokens.get(token);
    if (!expiresAt || expiresAt < Date.now()) {
      res.setHeader('www-authenticate', 'Bearer error="invalid_token"');
      return send(res, 401, { error: 'invalid_token' });
    }
    const structure = this.account(req.headers['cpro-account']);
    if (!structure) return send(res, 403, { codeRetour: 403, libelle: 'Compte technique inconnu ou mot de passe invalide' });

    const fault = this.takeFault(endpoint);
    if (fault) {
      if (fault.kind === 'hang') return; // never answers: the client's timeout must cut it
      if (fault.kind === 'malformed-json') return sendRaw(res, 200, '{"codeRetour":0,"libelle":"TRA_MSG_00.000","listeFac');
      if (fault.kind === 'codeRetour') return send(res, 200, { codeRetour: fault.codeRetour, libelle: fault.libelle });
      if (fault.kind === 'broken-zip') return send(res, 200, { codeRetour: 0, libelle: 'TRA_MSG_00.000', fichierResultat: Buffer.from('PK\u0003\u0004 archive tronquée').toString('base64') });
      if (fault.retryAfterS !== undefined) res.setHeader('retry-after', String(fault.retryAfterS));
      return send(res, fault.status, { error: 'injected', status: fault.status });
    }
    if (this.options.failRate && Math.random() < this.options.failRate) {
      return send(res, [500, 502, 503][Math.floor(Math.random() * 3)], { error: 'random_failure' });
    }

    let request: Record<string, unknown>;
    try {
      request = body.length ? (JSON.parse(body.toString('utf8')) as Record<string, unknown>) : {};
    } catch {
      return send(res, 400, { codeRetour: 400, libelle: 'Corps JSON invalide' });
    }
    switch (endpoint) {
      case CPP_ENDPOINTS.rechercherRecipiendaire:
        return send(res, 200, this.search(structure, request));
      case CPP_ENDPOINTS.telechargerGroupe:
        return this.download(structure, request, res);
      case CPP_ENDPOINTS.consulterRecipiendaire:
        return send(res, 200, this.consult(structure, request));
      case CPP_ENDPOINTS.consulterHistorique:
        return send(res, 200, this.history(structure, request));
      case CPP_ENDPOINTS.traiterRecue:
        return send(res, 200, this.process(structure, request));
      case CPP_ENDPOINTS.recupererEtatsTraitement:
        return send(res, 200, this.nextStates(request));
      case CPP_ENDPOINTS.rechercherStructures:
        return send(res, 200, searchStructures(this.state, request));
      case CPP_ENDPOINTS.rechercherServices:
        return send(res, 200, searchServices(this.state, request));
      case CPP_ENDPOINTS.consulterStructure:
        return send(res, 200, consultStructure(this.state, request));
      case CPP_ENDPOINTS.rechercherFacturesTravaux:
        return send(res, 200, searchWorks(this.state, structure, request));
      default:
        return send(res, 404, { codeRetour: 404, libelle: `Service inconnu : ${endpoint}` });
    }
  }

  private inOutage(): boolean {
    const o = this.options.outage;
    if (!o) return false;
    const elapsed = (Date.now() - this.startedAt) / 1000;
    return elapsed >= o.startS && elapsed < o.startS + o.durationS;
  }

  /** Token bucket: `rate` per second, burst of one second's worth. */
  private takeRateToken(): boolean {
    const now = Date.now();
    this.tokensLeft = Math.min(this.rate, this.tokensLeft + ((now - this.refilledAt) / 1000) * this.rate);
    this.refilledAt = now;
    if (this.tokensLeft < 1) return false;
    this.tokensLeft -= 1;
    return true;
  }

  private takeFault(endpoint: string): SimFault | undefined {
    const index = this.state.faults.findIndex((f) => !f.endpoint || f.endpoint === endpoint);
    if (index < 0) return undefined;
    const fault = this.state.faults[index];
    fault.times = (fault.times ?? 1) - 1;
    if (fault.times <= 0) this.state.faults.splice(index, 1);
    return fault;
  }

  private token(body: Buffer, res: ServerResponse): void {
    const form = new URLSearchParams(body.toString('utf8'));
    if (form.get('grant_type') !== 'client_credentials') return send(res, 400, { error: 'unsupported_grant_type' });
    if (form.get('client_id') !== this.state.clientId || form.get('client_secret') !== this.state.clientSecret) {
      return send(res, 401, { error: 'invalid_client' });
    }
    const token = randomBytes(24).toString('base64url');
    const ttl = this.options.tokenTtlS ?? ANNOUNCED_TOKEN_LIFETIME_S;
    this.state.tokens.set(token, Date.now() + ttl * 1000);
    this.state.stats.tokensIssued++;
    send(res, 200, { access_token: token, token_type: 'Bearer', expires_in: ANNOUNCED_TOKEN_LIFETIME_S, scope: 'openid' });
  }

  private account(header: string | string[] | undefined): SimStructure | undefined {
    if (typeof header !== 'string') return undefined;
    const decoded = Buffer.from(header, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return undefined;
    return this.state.findAccount(decoded.slice(0, colon), decoded.slice(colon + 1));
  }

  private ownInvoice(structure: SimStructure, id: unknown): SimInvoice | undefined {
    const invoice = this.state.invoices.get(Number(id));
    return invoice && invoice.structure === structure ? invoice : undefined;
  }

  private search(structure: SimStructure, r: Record<string, unknown>) {
    const from = typeof r.periodeDateHeureEtatCourantDu === 'string' ? Date.parse(r.periodeDateHeureEtatCourantDu) : -Infinity;
    const to = typeof r.periodeDateHeureEtatCourantAu === 'string' ? Date.parse(r.periodeDateHeureEtatCourantAu) : Infinity;
    const statuts = Array.isArray(r.statutCourant) ? (r.statutCourant as string[]) : null;
    const matches = this.state
      .invoicesOf(structure.siret)
      .filter((i) => !r.typeDemandePaiement || i.typeDemandePaiement === r.typeDemandePaiement)
      .filter((i) => !this.state.works.hiddenFromRecipient(i))
      .filter((i) => i.dateHeureEtatCourant.getTime() >= from && i.dateHeureEtatCourant.getTime() <= to)
      .filter((i) => !statuts || statuts.includes(i.statut))
      .filter((i) => !r.numeroFacture || i.spec.number === r.numeroFacture)
      .sort((a, b) => a.idFacture - b.idFacture);
    const param = (r.paramRecherche ?? {}) as { pageResultatDemandee?: number; nbResultatsParPage?: number };
    const size = Math.min(MAX_PAGE_SIZE, Math.max(1, Number(param.nbResultatsParPage ?? 10)));
    const page = Math.max(1, Number(param.pageResultatDemandee ?? 1));
    const pages = Math.ceil(matches.length / size);
    const slice = matches.slice((page - 1) * size, page * size);
    const counts = this.state.searchWithoutPageCount ? {} : { pages, total: matches.length };
    if (slice.length === 0) {
      return { codeRetour: 20000, libelle: 'GCU_MSG_01_000 Aucune facture ne correspond aux critères', pageCourante: page, nbResultatsParPage: size, ...counts };
    }
    const listeFactures: FactureRecipiendaire[] = slice.map((i) => this.state.searchEntry(i, r.recupererTaille === true));
    return { codeRetour: 0, libelle: 'TRA_MSG_00.000', pageCourante: page, nbResultatsParPage: size, ...counts, listeFactures };
  }

  private download(structure: SimStructure, r: Record<string, unknown>, res: ServerResponse): void {
    if (r.format !== 'PIVOT') return send(res, 200, { codeRetour: 20005, libelle: `Format non servi par le simulateur : ${String(r.format)}` });
    const ids = Array.isArray(r.listeFacture) ? (r.listeFacture as Array<{ idFacture?: unknown }>).map((x) => x?.idFacture) : [];
    if (ids.length === 0) return send(res, 200, { codeRetour: 20001, libelle: 'La liste des factures à télécharger est vide' });
    const invoices: SimInvoice[] = [];
    for (const id of ids) {
      const invoice = this.ownInvoice(structure, id);
      if (!invoice) return send(res, 200, { codeRetour: 20001, libelle: `GDP_MSG_11.008 La demande de paiement ${String(id)} est inconnue du système.` });
      invoices.push(invoice);
    }
    const max = this.state.maxDownloadBytes ?? this.options.maxDownloadBytes ?? DEFAULT_MAX_DOWNLOAD;
    // A cheap refusal before building anything when the sizes already say it cannot fit.
    if (invoices.reduce((n, i) => n + this.state.taille(i), 0) > max * 2) return send(res, 413, { error: 'payload_too_large' });
    const answer = this.state.downloadAnswer(invoices, this.options.pivotPerGroup);
    if (answer.length > max) return send(res, 413, { error: 'payload_too_large' });
    for (const i of invoices) {
      i.telechargee = true;
      this.state.stats.downloads.set(i.idFacture, (this.state.stats.downloads.get(i.idFacture) ?? 0) + 1);
    }
    sendRaw(res, 200, answer);
  }

  private consult(structure: SimStructure, r: Record<string, unknown>) {
    const invoice = this.ownInvoice(structure, r.idFacture);
    if (!invoice) return unknownInvoice(r.idFacture);
    return {
      codeRetour: 0,
      libelle: 'TRA_MSG_00.000',
      facture: { ...this.state.searchEntry(invoice, true), cadreFacturation: invoice.cadre, numeroEngagement: invoice.spec.engagement?.engagementNumber ?? null },
    };
  }

  private history(structure: SimStructure, r: Record<string, unknown>) {
    const invoice = this.ownInvoice(structure, r.idFacture);
    if (!invoice) return unknownInvoice(r.idFacture);
    const max = Number(r.nbResultatsMaximum ?? 100);
    return {
      codeRetour: 0,
      libelle: 'TRA_MSG_00.000',
      idFacture: invoice.idFacture,
      statutCourantCode: invoice.statut,
      historiquesDesStatuts: { histoStatut: [...invoice.history].reverse().slice(0, max) },
    };
  }

  private process(structure: SimStructure, r: Record<string, unknown>) {
    const invoice = this.ownInvoice(structure, r.idFacture);
    if (!invoice) return unknownInvoice(r.idFacture);
    const next = String(r.nouveauStatut ?? '');
    if (!canTransition(invoice.statut, next, invoice.cadre)) {
      return { codeRetour: CODE_RETOUR_BAD_TRANSITION, libelle: "Incohérence au niveau du statut d'origine ou de destination de la facture." };
    }
    const motif = typeof r.motif === 'string' ? r.motif.trim() : '';
    if (MOTIF_REQUIRED.has(next) && !motif) return { codeRetour: 20003, libelle: `Le motif est obligatoire pour le statut ${next}.` };
    this.state.setStatus(invoice.idFacture, next, motif);
    return {
      codeRetour: 0,
      libelle: 'TRA_MSG_00.000',
      idFacture: invoice.idFacture,
      numeroFacture: invoice.spec.number ?? '',
      dateTraitement: new Date().toISOString().slice(0, 10),
      nouveauStatut: next,
    };
  }

  private nextStates(r: Record<string, unknown>) {
    const current = String(r.statutCourant ?? '');
    const list = nextStatuses(current, typeof r.cadreFacturation === 'string' ? r.cadreFacturation : undefined);
    if (list.length === 0) return { codeRetour: 20000, libelle: `Aucun statut de traitement possible depuis ${current}` };
    return { codeRetour: 0, libelle: 'TRA_MSG_00.000', listeStatutsPossiblesPourTraitement: list.map((s) => ({ statutPossiblePourTraitement: s })) };
  }
}

function unknownInvoice(id: unknown) {
  return { codeRetour: 20001, libelle: `GDP_MSG_11.008 La demande de paiement ${String(id)} est inconnue du système.` };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  sendRaw(res, status, JSON.stringify(body));
}

function sendRaw(res: ServerResponse, status: number, text: string | Buffer): void {
  if (res.writableEnded || res.destroyed) return;
  res.writeHead(status, { 'content-type': 'application/json;charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
