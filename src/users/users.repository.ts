import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { UserRole } from '@/invoices/invoice-state.machine';
import { Principal } from '@/users/principal';

export interface UserRow {
  id: string;
  email: string;
  role: UserRole;
  passwordHash: string | null;
  active: boolean;
  /** Read with the user by the per-request lookups (session, token): one round trip per API call. */
  structureIds?: string[];
}

export interface UserView {
  id: string;
  email: string;
  role: UserRole;
  active: boolean;
  structures: Array<{ id: string; siret: string; name: string; mainAdmin: boolean }>;
  /** Structures of the user the caller does not administer (not named): the caller cannot act on this user alone. */
  otherStructures?: number;
}

const USER_COLUMNS = `u.id, u.email, u.role, u.password_hash AS "passwordHash", u.active`;
// The same list as structureIdsOf, in the same order.
const STRUCTURE_IDS = `ARRAY(SELECT us.structure_id FROM user_structures us WHERE us.user_id = u.id ORDER BY us.structure_id)::text[] AS "structureIds"`;

/** SQL of users, their structures, tokens and sessions. Writes take the caller's transaction manager. */
@Injectable()
export class UsersRepository {
  constructor(private readonly dataSource: DataSource) {}

  private q(em?: EntityManager): EntityManager {
    return em ?? this.dataSource.manager;
  }

  async findByEmail(email: string, em?: EntityManager): Promise<UserRow | null> {
    const rows: UserRow[] = await this.q(em).query(`SELECT ${USER_COLUMNS} FROM users u WHERE u.email = $1`, [email]);
    return rows[0] ?? null;
  }

  async findById(id: string, em?: EntityManager): Promise<UserRow | null> {
    const rows: UserRow[] = await this.q(em).query(`SELECT ${USER_COLUMNS} FROM users u WHERE u.id = $1`, [id]);
    return rows[0] ?? null;
  }

  async structureIdsOf(userId: string, em?: EntityManager): Promise<string[]> {
    const rows: Array<{ id: string }> = await this.q(em).query(
      `SELECT structure_id AS id FROM user_structures WHERE user_id = $1 ORDER BY structure_id`,
      [userId],
    );
    return rows.map((r) => r.id);
  }

  async principalOf(user: UserRow, em?: EntityManager): Promise<Principal> {
    return { userId: user.id, email: user.email, role: user.role, structureIds: user.structureIds ?? (await this.structureIdsOf(user.id, em)) };
  }

  async insertUser(em: EntityManager, u: { email: string; role: UserRole; passwordHash: string | null }): Promise<string> {
    const rows: Array<{ id: string }> = await em.query(
      `INSERT INTO users (email, role, password_hash) VALUES ($1, $2, $3) RETURNING id`,
      [u.email, u.role, u.passwordHash],
    );
    return rows[0].id;
  }

  async setRole(em: EntityManager, userId: string, role: UserRole): Promise<void> {
    await em.query(`UPDATE users SET role = $2 WHERE id = $1`, [userId, role]);
  }

  async attach(em: EntityManager, userId: string, structureId: string): Promise<void> {
    await em.query(`INSERT INTO user_structures (user_id, structure_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [userId, structureId]);
  }

  async mainAdminOf(em: EntityManager, structureId: string): Promise<{ userId: string; email: string } | null> {
    const rows: Array<{ userId: string; email: string }> = await em.query(
      `SELECT m.user_id AS "userId", u.email FROM structure_main_admins m JOIN users u ON u.id = m.user_id
        WHERE m.structure_id = $1 FOR UPDATE OF m`,
      [structureId],
    );
    return rows[0] ?? null;
  }

  async setMainAdmin(em: EntityManager, structureId: string, userId: string): Promise<void> {
    await em.query(
      `INSERT INTO structure_main_admins (structure_id, user_id) VALUES ($1, $2)
       ON CONFLICT (structure_id) DO UPDATE SET user_id = EXCLUDED.user_id, since = now()`,
      [structureId, userId],
    );
  }

  async countMainAdminships(em: EntityManager, userId: string): Promise<number> {
    const rows: Array<{ n: number }> = await em.query(`SELECT count(*)::int AS n FROM structure_main_admins WHERE user_id = $1`, [userId]);
    return Number(rows[0].n);
  }

  /** Users sharing at least one structure with `structureIds` ('all': every user). */
  async list(structureIds: string[] | 'all'): Promise<UserView[]> {
    const users: Array<Omit<UserView, 'structures'>> = await this.q().query(
      structureIds === 'all'
        ? `SELECT id, email, role, active FROM users ORDER BY email`
        : `SELECT DISTINCT u.id, u.email, u.role, u.active FROM users u JOIN user_structures us ON us.user_id = u.id
            WHERE us.structure_id = ANY($1::uuid[]) ORDER BY u.email`,
      structureIds === 'all' ? [] : [structureIds],
    );
    if (!users.length) return [];
    const links: Array<{ userId: string; id: string; siret: string; name: string; mainAdmin: boolean }> = await this.q().query(
      `SELECT us.user_id AS "userId", s.id, s.siret, s.name, (m.user_id = us.user_id) IS TRUE AS "mainAdmin"
         FROM user_structures us JOIN structures s ON s.id = us.structure_id
         LEFT JOIN structure_main_admins m ON m.structure_id = s.id
        WHERE us.user_id = ANY($1::uuid[]) ORDER BY s.siret`,
      [users.map((u) => u.id)],
    );
    return users.map((u) => ({
      ...u,
      structures: links.filter((l) => l.userId === u.id).map(({ id, siret, name, mainAdmin }) => ({ id, siret, name, mainAdmin })),
    }));
  }

  async insertToken(
    em: EntityManager,
    t: { userId: string; tokenHash: string; prefix: string; label: string | null; issuedBy: string | null },
  ): Promise<void> {
    await em.query(`INSERT INTO api_tokens (user_id, token_hash, prefix, label, issued_by) VALUES ($1, $2, $3, $4, $5)`, [
      t.userId,
      t.tokenHash,
      t.prefix,
      t.label,
      t.issuedBy,
    ]);
  }

  async findUserByTokenHash(tokenHash: string): Promise<UserRow | null> {
    const rows: UserRow[] = await this.q().query(
      `SELECT ${USER_COLUMNS}, ${STRUCTURE_IDS} FROM api_tokens t JOIN users u ON u.id = t.user_id
        WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND u.active`,
      [tokenHash],
    );
    return rows[0] ?? null;
  }

  async insertSession(em: EntityManager, userId: string, tokenHash: string, expiresAt: Date): Promise<void> {
    await em.query(`INSERT INTO sessions (user_id, token_hash, expires_at) VALUES ($1, $2, $3)`, [userId, tokenHash, expiresAt]);
  }

  async findUserBySessionHash(tokenHash: string, now: Date): Promise<UserRow | null> {
    const rows: UserRow[] = await this.q().query(
      `SELECT ${USER_COLUMNS}, ${STRUCTURE_IDS} FROM sessions s JOIN users u ON u.id = s.user_id
        WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.active`,
      [tokenHash, now],
    );
    return rows[0] ?? null;
  }

  async deleteSession(em: EntityManager, tokenHash: string): Promise<void> {
    await em.query(`DELETE FROM sessions WHERE token_hash = $1`, [tokenHash]);
  }

  async setActive(em: EntityManager, userId: string, active: boolean): Promise<void> {
    await em.query(`UPDATE users SET active = $2 WHERE id = $1`, [userId, active]);
  }

  /** Ends every session of the user (log-out everywhere). */
  async deleteSessionsOf(em: EntityManager, userId: string): Promise<void> {
    await em.query(`DELETE FROM sessions WHERE user_id = $1`, [userId]);
  }

  /** Revokes the user's API tokens still valid; returns how many. */
  async revokeTokensOf(em: EntityManager, userId: string, at: Date): Promise<number> {
    // Counted by a SELECT: TypeORM answers an UPDATE … RETURNING with [rows, count] on PostgreSQL, not the rows.
    const rows: Array<{ n: number }> = await em.query(
      `WITH revoked AS (UPDATE api_tokens SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL RETURNING id)
       SELECT count(*)::int AS n FROM revoked`,
      [userId, at],
    );
    return Number(rows[0].n);
  }
}
