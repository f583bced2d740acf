import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { NotFoundError } from '@/common/errors/domain.error';
import { UnitOfWork } from '@/database/unit-of-work';
import { DirectoryStructureInput, DirectoryStructureView, UpsertManyOptions } from '@/directory/directory.types';

export interface CppDebtorCheck {
  code: string;
  message: string;
}

/** Rows per INSERT statement: 9 parameters a structure, well under PostgreSQL's 65,535 bind parameters. */
const CHUNK = 500;

/** Local copy of the Chorus Pro directory of public structures (over 100,000 rows in production). */
@Injectable()
export class DirectoryService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly dataSource: DataSource,
  ) {}

  /**
   * Inserts or updates structures and their services, in one transaction per call (callers stream big files
   * in batches). Returns the number of structures written.
   */
  async upsertMany(items: DirectoryStructureInput[], options: UpsertManyOptions = {}): Promise<number> {
    if (!items.length) return 0;
    // The last occurrence of a SIRET wins (one statement cannot touch the same row twice).
    const bySiret = new Map<string, DirectoryStructureInput>();
    for (const it of items) {
      const prev = bySiret.get(it.siret);
      bySiret.set(it.siret, prev && prev.services && it.services ? { ...it, services: [...prev.services, ...it.services] } : it);
    }
    const rows = [...bySiret.values()];
    await this.uow.run(async (em) => {
      for (let i = 0; i < rows.length; i += CHUNK) await this.writeChunk(em, rows.slice(i, i + CHUNK), options);
    });
    return rows.length;
  }

  private async writeChunk(em: EntityManager, rows: DirectoryStructureInput[], options: UpsertManyOptions): Promise<void> {
    const params: unknown[] = [];
    const values = rows.map((r) => {
      params.push(r.siret, r.idStructureCpp ?? null, r.name, r.active, r.estMOA ?? false, r.serviceRequired ?? false, r.engagementRequired ?? false, r.engagementOrServiceRequired ?? false, options.source ?? 'api');
      const b = params.length - 9;
      return `($${b + 1}, $${b + 2}::bigint, $${b + 3}, $${b + 4}::boolean, $${b + 5}::boolean, $${b + 6}::boolean, $${b + 7}::boolean, $${b + 8}::boolean, $${b + 9}, now())`;
    });
    await em.query(
      `INSERT INTO directory_structures (siret, id_structure_cpp, name, active, est_moa, service_required, engagement_required, engagement_or_service_required, source, updated_at)
       VALUES ${values.join(',')}
       ON CONFLICT (siret) DO UPDATE SET
         id_structure_cpp = COALESCE(EXCLUDED.id_structure_cpp, directory_structures.id_structure_cpp),
         name = EXCLUDED.name, active = EXCLUDED.active, est_moa = EXCLUDED.est_moa,
         service_required = EXCLUDED.service_required, engagement_required = EXCLUDED.engagement_required,
         engagement_or_service_required = EXCLUDED.engagement_or_service_required,
         source = EXCLUDED.source, updated_at = now()`,
      params,
    );
    const services = new Map<string, { siret: string; code: string; label: string; active: boolean }>();
    for (const r of rows) for (const s of r.services ?? []) if (s.code.trim()) services.set(`${r.siret}\u0000${s.code.trim()}`, { siret: r.siret, code: s.code.trim(), label: s.label.trim() || s.code.trim(), active: s.active });
    if (options.servicesComplete) {
      const complete = rows.filter((r) => r.services);
      if (complete.length) {
        await em.query(`UPDATE directory_services SET active = false WHERE siret = ANY($1::varchar[])`, [complete.map((r) => r.siret)]);
      }
    }
    const list = [...services.values()];
    for (let i = 0; i < list.length; i += CHUNK) {
      const part = list.slice(i, i + CHUNK);
      const p: unknown[] = [];
      const v = part.map((s) => {
        p.push(s.siret, s.code, s.label, s.active);
        const b = p.length - 4;
        return `($${b + 1}, $${b + 2}, $${b + 3}, $${b + 4}::boolean)`;
      });
      await em.query(
        `INSERT INTO directory_services (siret, code, label, active) VALUES ${v.join(',')}
         ON CONFLICT (siret, code) DO UPDATE SET label = EXCLUDED.label, active = EXCLUDED.active`,
        p,
      );
    }
  }

  async find(siret: string): Promise<DirectoryStructureView | null> {
    const rows: Array<Record<string, unknown>> = await this.dataSource.query(
      `SELECT siret, name, active, est_moa, service_required, engagement_required, engagement_or_service_required FROM directory_structures WHERE siret = $1`,
      [siret],
    );
    if (!rows.length) return null;
    const services: Array<{ code: string; label: string; active: boolean }> = await this.dataSource.query(
      `SELECT code, label, active FROM directory_services WHERE siret = $1 ORDER BY code`,
      [siret],
    );
    const r = rows[0];
    return {
      siret: String(r.siret),
      name: String(r.name),
      active: Boolean(r.active),
      estMOA: Boolean(r.est_moa),
      serviceRequired: Boolean(r.service_required),
      engagementRequired: Boolean(r.engagement_required),
      engagementOrServiceRequired: Boolean(r.engagement_or_service_required),
      services: services.map((s) => ({ code: s.code, label: s.label, active: Boolean(s.active) })),
    };
  }

  async get(siret: string): Promise<DirectoryStructureView> {
    const found = await this.find(siret);
    if (!found) throw new NotFoundError('DIRECTORY_STRUCTURE_NOT_FOUND', `Structure inconnue de l'annuaire : SIRET ${siret}`);
    return found;
  }

  async count(): Promise<{ structures: number; services: number }> {
    const [a] = await this.dataSource.query(`SELECT count(*)::int AS n FROM directory_structures`);
    const [b] = await this.dataSource.query(`SELECT count(*)::int AS n FROM directory_services`);
    return { structures: Number(a.n), services: Number(b.n) };
  }

  /**
   * What Chorus Pro would refuse for an ASAP CPP addressed to this debtor: unknown or inactive structure,
   * unknown or inactive service, missing service code or engagement number where the structure requires them.
   */
  async checkCppDebtor(siret: string, serviceCode?: string | null, engagementNumber?: string | null): Promise<CppDebtorCheck[]> {
    const s = await this.find(siret);
    if (!s) return [{ code: 'CPP_DEBTOR_UNKNOWN', message: `Débiteur inconnu de l'annuaire Chorus Pro : SIRET ${siret}` }];
    const issues: CppDebtorCheck[] = [];
    if (!s.active) issues.push({ code: 'CPP_DEBTOR_INACTIVE', message: `Débiteur inactif dans Chorus Pro : ${s.name} (SIRET ${siret})` });
    if (serviceCode) {
      const svc = s.services.find((x) => x.code === serviceCode);
      if (!svc) issues.push({ code: 'CPP_SERVICE_UNKNOWN', message: `Service « ${serviceCode} » inconnu pour ${s.name} (SIRET ${siret})` });
      else if (!svc.active) issues.push({ code: 'CPP_SERVICE_INACTIVE', message: `Service « ${serviceCode} » inactif pour ${s.name} (SIRET ${siret})` });
    } else if (s.serviceRequired) {
      issues.push({ code: 'CPP_SERVICE_REQUIRED', message: `Code service obligatoire pour ${s.name} (SIRET ${siret})` });
    }
    if (!engagementNumber && s.engagementRequired) {
      issues.push({ code: 'CPP_ENGAGEMENT_REQUIRED', message: `Numéro d'engagement obligatoire pour ${s.name} (SIRET ${siret})` });
    }
    // One of the two suffices; nothing more when a stricter rule above already says what is missing.
    if (!serviceCode && !engagementNumber && s.engagementOrServiceRequired && !s.serviceRequired && !s.engagementRequired) {
      issues.push({ code: 'CPP_ENGAGEMENT_OR_SERVICE_REQUIRED', message: `Numéro d'engagement ou code service obligatoire pour ${s.name} (SIRET ${siret}) : aucun des deux n'est donné` });
    }
    return issues;
  }
}
