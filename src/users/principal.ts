import { UserRole } from '@/invoices/invoice-state.machine';
import { ForbiddenError } from '@/common/errors/domain.error';

/** Who is calling: set by the AuthGuard (token or session) or by the CLI's `--as EMAIL`. */
export interface Principal {
  userId: string;
  email: string;
  role: UserRole;
  /** Ids of the structures the user is attached to. */
  structureIds: string[];
}

/**
 * Which invoices a caller may see. Invoices whose recipient is unknown (no structure, anomaly
 * UNKNOWN_RECIPIENT) belong to no structure: only administrators see them (they recycle or reject them).
 * 'all' is for trusted local callers (CLI without --as, jobs).
 */
export interface InvoiceScope {
  structureIds: string[] | 'all';
  includeUnassigned: boolean;
}

export function scopeOf(principal: Principal): InvoiceScope {
  return { structureIds: principal.structureIds, includeUnassigned: principal.role === 'admin' };
}

export const ALL_INVOICES: InvoiceScope = { structureIds: 'all', includeUnassigned: true };

export function inScope(scope: InvoiceScope, structureId: string | null): boolean {
  if (structureId === null) return scope.includeUnassigned;
  return scope.structureIds === 'all' || scope.structureIds.includes(structureId);
}

export function assertAdmin(principal: Principal): void {
  if (principal.role !== 'admin') {
    throw new ForbiddenError('ADMIN_ONLY', "Action réservée au gestionnaire principal (rôle admin)");
  }
}
