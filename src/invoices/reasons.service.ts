import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { codePointLength } from '@/common/text/code-points';
import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { DomainError } from '@/common/errors/domain.error';
import { configDir } from '@/config/app.config';
import { UnitOfWork } from '@/database/unit-of-work';
import { formatCount } from '@/common/money/french-format';

export type ReasonAction = 'reject' | 'suspend';
export const REASON_ACTIONS: readonly ReasonAction[] = ['reject', 'suspend'];

export interface Reason {
  code: string;
  label: string;
  actions: ReasonAction[];
  active: boolean;
}

/** Chorus Pro's `motif` is at most 255 characters (traiterFactureRecue, CPPStatut). */
export const MAX_REASON_LENGTH = 255;

// A structure's list: the default motifs (config/reasons.json, table `reasons`) with the structure's own rows over them
// (same code: the structure's wins) and its additions. $1: the structure id, NULL for the default list alone.
const MERGED = `
  SELECT coalesce(o.code, d.code) AS code, coalesce(o.label, d.label) AS label, coalesce(o.actions, d.actions) AS actions,
         coalesce(o.active, d.active) AS active, coalesce(o.position, d.position) AS position
    FROM reasons d
    FULL JOIN (SELECT * FROM structure_reasons WHERE structure_id = $1::uuid) o ON o.code = d.code`;

/**
 * Motifs of rejection and suspension, per structure. The default list is seeded at boot from config/reasons.json,
 * idempotently (missing codes are added; what was changed is kept); each structure starts from it, and its
 * administrators add, relabel or deactivate motifs for their structure only (structure_reasons).
 */
@Injectable()
export class ReasonsService implements OnApplicationBootstrap {
  constructor(
    private readonly dataSource: DataSource,
    private readonly uow: UnitOfWork,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const file = JSON.parse(readFileSync(join(configDir(), 'reasons.json'), 'utf8')) as { reasons: Array<Omit<Reason, 'active'>> };
    await this.uow.run(async (em) => {
      for (const [i, r] of file.reasons.entries()) {
        await em.query(
          `INSERT INTO reasons (code, label, actions, position) VALUES ($1, $2, $3, $4) ON CONFLICT (code) DO NOTHING`,
          [r.code, r.label, r.actions, i],
        );
      }
    });
  }

  /** The motifs of a structure (null: the default list, for invoices of no structure). */
  async list(structureId: string | null, includeInactive = false, em: EntityManager = this.dataSource.manager): Promise<Reason[]> {
    return em.query(
      `SELECT code, label, actions, active FROM (${MERGED}) m ${includeInactive ? '' : 'WHERE active'} ORDER BY position, code`,
      [structureId],
    );
  }

  /** Adds or changes a motif of one structure; the default list and the other structures are untouched. */
  async upsert(structureId: string, input: { code: string; label: string; actions?: string[]; active?: boolean }): Promise<Reason> {
    const code = input.code.trim().toUpperCase();
    if (!/^[A-Z0-9_]{2,50}$/.test(code)) throw new DomainError('INVALID_REASON_CODE', 'Code de motif : lettres, chiffres et _ (2 à 50)');
    const label = input.label.trim().replace(/\s+/g, ' ');
    if (!label || label.length > 200) throw new DomainError('INVALID_REASON_LABEL', 'Libellé de motif vide ou trop long (200 caractères au plus)');
    const actions = input.actions ?? ['reject', 'suspend'];
    if (!actions.length || actions.some((a) => !(REASON_ACTIONS as readonly string[]).includes(a))) {
      throw new DomainError('INVALID_REASON_ACTIONS', 'Actions du motif : reject et/ou suspend');
    }
    await this.uow.run((em) =>
      em.query(
        `INSERT INTO structure_reasons (structure_id, code, label, actions, active, position)
         VALUES ($1::uuid, $2::varchar, $3::varchar, $4::text[], $5::boolean, coalesce((SELECT position FROM reasons WHERE code = $2::varchar),
                                              (SELECT coalesce(max(position), 0) + 1 FROM (${MERGED}) m)))
         ON CONFLICT (structure_id, code) DO UPDATE
           SET label = EXCLUDED.label, actions = EXCLUDED.actions, active = EXCLUDED.active, updated_at = now()`,
        [structureId, code, label, actions, input.active ?? true],
      ),
    );
    return (await this.list(structureId, true)).find((r) => r.code === code)!;
  }

  /**
   * The motif text sent to Chorus Pro: « libellé : complément », from the list of the invoice's structure. Refused
   * rather than cut when longer than 255 characters, so the supplier never receives a sentence truncated mid-word
   * without anyone knowing.
   */
  async reasonText(
    em: EntityManager,
    structureId: string | null,
    code: string | undefined,
    complement: string | undefined,
    action: ReasonAction,
  ): Promise<string> {
    const wanted = code?.trim().toUpperCase();
    const reason = (await this.list(structureId, true, em)).find((r) => r.code === wanted);
    if (!reason || !reason.active) throw new DomainError('REASON_UNKNOWN', `Motif inconnu : « ${code} » (voir la liste des motifs)`);
    if (!reason.actions.includes(action)) {
      throw new DomainError('REASON_NOT_APPLICABLE', `Le motif « ${reason.label} » ne s'applique pas à cette action`);
    }
    return composeReason(reason.label, complement);
  }
}

export function composeReason(label: string, complement: string | undefined): string {
  const extra = complement?.trim().replace(/\s+/g, ' ');
  const text = extra ? `${label} : ${extra}` : label;
  const length = codePointLength(text);
  if (length > MAX_REASON_LENGTH) {
    const room = MAX_REASON_LENGTH - codePointLength(label) - 3;
    throw new DomainError(
      'REASON_TOO_LONG',
      `Motif trop long pour Chorus Pro (${formatCount(length)} caractères, ${MAX_REASON_LENGTH} au plus) : le complément peut compter ${formatCount(Math.max(room, 0))} caractères`,
      { length, max: MAX_REASON_LENGTH, complementMax: Math.max(room, 0) },
    );
  }
  return text;
}
