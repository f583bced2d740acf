import { Injectable, Logger } from '@nestjs/common';
import { ChorusProApi } from '@/chorus-pro/chorus-pro-api.port';
import { ChorusProCallContext, ParametresStructureCpp, ServiceCpp, TechnicalAccount } from '@/chorus-pro/chorus-pro.types';
import { DomainError, NotFoundError } from '@/common/errors/domain.error';
import { UnitOfWork } from '@/database/unit-of-work';
import { StructureChange, StructureHistoryEntity } from '@/structures/structure-history.entity';
import { StructureHistoryRepository } from '@/structures/structure-history.repository';
import { StructureEntity } from '@/structures/structure.entity';
import { StructuresRepository } from '@/structures/structures.repository';
import { StructuresService } from '@/structures/structures.service';

export interface StructureSyncChange {
  change: StructureChange;
  serviceCode: string | null;
  message: string;
}

/** One structure's sync: what changed, or why it failed (the hand settings then stay as they were). */
export interface StructureSyncResult {
  siret: string;
  name: string;
  ok: boolean;
  apiCalls: number;
  /** Services Chorus Pro lists for the structure (active or not). */
  services: number;
  changes: StructureSyncChange[];
  error: { code: string; message: string } | null;
}

/** `passerelle structures sync --json` (last stdout line). */
export interface StructureSyncReport {
  structures: StructureSyncResult[];
  changes: number;
  errors: number;
}

export interface StructureHistoryView {
  at: Date;
  source: string;
  change: StructureChange;
  serviceCode: string | null;
  message: string;
}

const SOURCE = 'chorus-pro';
const SERVICES_PAGE_SIZE = 100;
const yesNo = (v: boolean) => (v ? 'oui' : 'non');
/** The invoice requirements of a structure that Chorus Pro's `parametres` set. */
type RequirementKey = 'serviceRequired' | 'engagementRequired' | 'engagementOrServiceRequired';
/** Failures that would fail the whole pull of the structure anyway (chorus-pro.errors.ts). */
const STOPS_THE_PULL = new Set(['CHORUS_PRO_ACCOUNT_REFUSED', 'CHORUS_PRO_AUTH', 'CHORUS_PRO_UNAVAILABLE', 'CHORUS_PRO_DAILY_QUOTA', 'CHORUS_PRO_NOT_CONFIGURED']);

/**
 * Structure settings from Chorus Pro, not by hand (issue 15): the services (structures/v1/rechercher/services, every
 * page) and the « code service / engagement obligatoire » settings (structures/v1/consulter `parametres`) replace the
 * declared ones, so that UNKNOWN_SERVICE and MISSING_* anomalies follow Chorus Pro. Each change is one history row,
 * written in the same transaction as the change, under a lock on the structure (a pull and a manual sync at once
 * record it once). A service Chorus Pro no longer lists is deactivated, never deleted (invoices name it).
 */
@Injectable()
export class StructureSyncService {
  private readonly logger = new Logger('StructureSync');

  constructor(
    private readonly api: ChorusProApi,
    private readonly structures: StructuresService,
    private readonly repository: StructuresRepository,
    private readonly history: StructureHistoryRepository,
    private readonly uow: UnitOfWork,
  ) {}

  /** On demand (CLI, admin page): every structure having a technical account, or one. */
  async sync(siret?: string): Promise<StructureSyncReport> {
    const list = await this.structures.listWithTechnicalAccount(siret);
    if (siret && list.length === 0) {
      throw new NotFoundError('TECHNICAL_ACCOUNT_NOT_FOUND', `Aucun compte technique Chorus Pro pour la structure ${siret} (passerelle structures set-account)`);
    }
    const results: StructureSyncResult[] = [];
    for (const s of list) {
      const account = await this.structures.getTechnicalAccount(s.siret);
      results.push(account ? await this.syncOne(s.siret, account) : failed(s.siret, s.name, 0, new DomainError('TECHNICAL_ACCOUNT_NOT_FOUND', `Compte technique absent pour ${s.siret}`)));
    }
    return { structures: results, changes: results.reduce((n, r) => n + r.changes.length, 0), errors: results.filter((r) => !r.ok).length };
  }

  /** One structure with its account; never throws: a failure is in the result (the hand settings stay). */
  async syncOne(siret: string, account: TechnicalAccount, onCall?: (endpoint: string) => void): Promise<StructureSyncResult> {
    const calls = { n: 0 };
    try {
      return await this.run(siret, account, calls, onCall);
    } catch (err) {
      this.logger.warn(`Synchronisation de ${siret} avec Chorus Pro en échec : ${(err as Error).message}`);
      return failed(siret, (await this.repository.findBySiret(siret))?.name ?? siret, calls.n, err);
    }
  }

  /**
   * The pull's first step: as syncOne, but Chorus Pro unreachable or the account refused throws (the pull of this
   * structure would fail the same way: one error, not two); any other failure is returned and the pull goes on.
   */
  async syncBeforePull(siret: string, account: TechnicalAccount, onCall?: (endpoint: string) => void): Promise<StructureSyncResult> {
    const calls = { n: 0 };
    try {
      return await this.run(siret, account, calls, onCall);
    } catch (err) {
      if (err instanceof DomainError && STOPS_THE_PULL.has(err.code)) throw err;
      return failed(siret, siret, calls.n, err);
    }
  }

  private async run(siret: string, account: TechnicalAccount, calls: { n: number }, onCall?: (endpoint: string) => void): Promise<StructureSyncResult> {
    const ctx: ChorusProCallContext = { account, onCall: (e) => (calls.n++, onCall?.(e)) };
    const entity = await this.repository.findBySiret(siret);
    if (!entity) throw new NotFoundError('STRUCTURE_NOT_FOUND', `Structure inconnue : SIRET ${siret}`);
    const idStructureCPP = entity.cproStructureId ? Number(entity.cproStructureId) : await this.findChorusProId(ctx, siret);
    // Independent calls: asked together, the shared quota spaces them (no extra wall time per structure).
    const [detail, services] = await Promise.all([this.api.consulterStructure(ctx, { idStructureCPP, codeLangue: 'FR' }), this.allServices(ctx, idStructureCPP)]);
    const changes = await this.apply(entity.id, idStructureCPP, detail.parametres, services);
    if (changes.length) this.logger.log(`Structure ${siret} : ${changes.length} changement(s) lu(s) dans Chorus Pro`);
    return { siret, name: entity.name, ok: true, apiCalls: calls.n, services: services.length, changes, error: null };
  }

  async recentHistory(siret: string, limit = 50): Promise<StructureHistoryView[]> {
    const entity = await this.repository.findBySiret(siret);
    if (!entity) throw new NotFoundError('STRUCTURE_NOT_FOUND', `Structure inconnue : SIRET ${siret}`);
    const rows = await this.history.recent(entity.id, Math.min(Math.max(limit, 1), 500));
    return rows.map((r) => ({ at: r.at, source: r.source, change: r.change, serviceCode: r.serviceCode, message: r.message }));
  }

  private async findChorusProId(ctx: ChorusProCallContext, siret: string): Promise<number> {
    const answer = await this.api.rechercherStructures(ctx, { structure: { identifiantStructure: siret, typeIdentifiantStructure: 'SIRET' } });
    const found = answer.listeStructures.find((s) => s.identifiantStructure === siret) ?? answer.listeStructures[0];
    if (!found) throw new DomainError('STRUCTURE_NOT_IN_CHORUS_PRO', `La structure ${siret} est introuvable dans Chorus Pro (structures/v1/rechercher)`);
    return found.idStructureCPP;
  }

  private async allServices(ctx: ChorusProCallContext, idStructure: number): Promise<ServiceCpp[]> {
    const all: ServiceCpp[] = [];
    for (let page = 1; ; page++) {
      const answer = await this.api.rechercherServices(ctx, {
        idStructure,
        parametresRechercherServicesStructure: { pageResultatDemandee: page, nbResultatsParPage: SERVICES_PAGE_SIZE },
      });
      all.push(...answer.listeServices);
      const pages = answer.parametresRetour?.pages ?? (answer.listeServices.length === SERVICES_PAGE_SIZE ? page + 1 : page);
      if (answer.listeServices.length === 0 || page >= pages) return all;
    }
  }

  private async apply(structureId: string, idStructureCPP: number, parametres: ParametresStructureCpp, remote: ServiceCpp[]): Promise<StructureSyncChange[]> {
    return this.uow.run(async (em) => {
      const current = await this.history.lockWithServices(em, structureId);
      if (!current) throw new NotFoundError('STRUCTURE_NOT_FOUND', `Structure disparue pendant la synchronisation`);
      const { changes, services, settings } = diff(current, parametres, remote);
      for (const s of services) await this.repository.upsertService(em, structureId, s.code, s.label, s.active);
      await em.getRepository(StructureEntity).update(
        { id: structureId },
        { ...settings, cproStructureId: String(idStructureCPP), cproSettings: { ...parametres }, cproSyncedAt: () => 'now()' },
      );
      const rows: Array<Partial<StructureHistoryEntity>> = changes.map((c) => ({ structureId, source: SOURCE, change: c.change, serviceCode: c.serviceCode, before: c.before, after: c.after, message: c.message }));
      await this.history.add(em, rows);
      return changes.map(({ change, serviceCode, message }) => ({ change, serviceCode, message }));
    });
  }
}

interface Diffed extends StructureSyncChange {
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
}

/** What Chorus Pro says against what is stored: the services to write, the settings to change, one change each. */
export function diff(
  current: Pick<StructureEntity, RequirementKey | 'services'>,
  parametres: ParametresStructureCpp,
  remote: ServiceCpp[],
): { changes: Diffed[]; services: Array<{ code: string; label: string; active: boolean }>; settings: Partial<Pick<StructureEntity, RequirementKey>> } {
  const changes: Diffed[] = [];
  const services: Array<{ code: string; label: string; active: boolean }> = [];
  const local = new Map((current.services ?? []).map((s) => [s.code, s]));
  const seen = new Set<string>();
  for (const r of remote) {
    const code = r.codeService?.trim();
    if (!code || seen.has(code)) continue;
    seen.add(code);
    const label = r.libelleService?.trim() || code;
    const active = r.estActif !== false;
    const mine = local.get(code);
    const state = { label, active };
    if (!mine) {
      services.push({ code, ...state });
      changes.push({ change: 'SERVICE_ADDED', serviceCode: code, before: null, after: state, message: `Service « ${code} » (${label}) ajouté depuis Chorus Pro${active ? '' : ', inactif'}` });
      continue;
    }
    if (mine.label === label && mine.active === active) continue;
    services.push({ code, ...state });
    const before = { label: mine.label, active: mine.active };
    if (mine.label !== label) {
      changes.push({ change: 'SERVICE_RENAMED', serviceCode: code, before, after: state, message: `Service « ${code} » renommé dans Chorus Pro : « ${mine.label} » → « ${label} »` });
    }
    if (mine.active !== active) {
      changes.push({
        change: active ? 'SERVICE_REACTIVATED' : 'SERVICE_DEACTIVATED',
        serviceCode: code,
        before,
        after: state,
        message: `Service « ${code} » (${label}) ${active ? 'réactivé' : 'désactivé'} dans Chorus Pro`,
      });
    }
  }
  for (const mine of current.services ?? []) {
    if (seen.has(mine.code) || !mine.active) continue;
    services.push({ code: mine.code, label: mine.label, active: false });
    changes.push({
      change: 'SERVICE_DEACTIVATED',
      serviceCode: mine.code,
      before: { label: mine.label, active: true },
      after: { label: mine.label, active: false },
      message: `Service « ${mine.code} » (${mine.label}) absent de Chorus Pro : désactivé`,
    });
  }
  const settings: Partial<Pick<StructureEntity, RequirementKey>> = {};
  const flag = (key: RequirementKey, value: boolean | undefined, change: StructureChange, label: string) => {
    if (typeof value !== 'boolean' || value === current[key]) return;
    settings[key] = value;
    changes.push({ change, serviceCode: null, before: { [key]: current[key] }, after: { [key]: value }, message: `${label} : ${yesNo(current[key])} → ${yesNo(value)} (Chorus Pro)` });
  };
  flag('serviceRequired', parametres.codeServiceDoitEtreRenseigne, 'SERVICE_REQUIRED_CHANGED', 'Code service obligatoire');
  flag('engagementRequired', parametres.numeroEJDoitEtreRenseigne, 'ENGAGEMENT_REQUIRED_CHANGED', 'Numéro d’engagement obligatoire');
  flag('engagementOrServiceRequired', parametres.gestionNumeroEJOuCodeService, 'ENGAGEMENT_OR_SERVICE_CHANGED', 'N° d’engagement ou code service obligatoire');
  return { changes, services, settings };
}

function failed(siret: string, name: string, apiCalls: number, err: unknown): StructureSyncResult {
  const code = err instanceof DomainError ? err.code : 'STRUCTURE_SYNC_FAILED';
  return { siret, name, ok: false, apiCalls, services: 0, changes: [], error: { code, message: (err as Error).message } };
}
