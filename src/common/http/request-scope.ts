import { Request } from 'express';

/** What the authentication guard leaves on the request (users module). */
export interface RequestPrincipal {
  userId: string;
  email: string;
  role: 'agent' | 'tresorier' | 'admin';
  structureIds: string[];
}

export interface DataScope {
  structureIds: string[] | 'all';
  /** Invoices whose recipient is not a declared structure (UNKNOWN_RECIPIENT): shown to admins. */
  includeUnassigned: boolean;
}

/**
 * The structures whose data the caller may see. Every read goes through this: a user only sees the
 * invoices of their structures (enforced on the server, whatever the pages show).
 */
export function requestScope(req: Request): DataScope {
  const principal = (req as Request & { user?: RequestPrincipal }).user;
  if (!principal) return { structureIds: [], includeUnassigned: false };
  return { structureIds: principal.structureIds, includeUnassigned: principal.role === 'admin' };
}
