// Migrations in order of their timestamp. Never `synchronize` outside tests' throwaway databases.
import { Initial1700000000000 } from '@/database/migrations/1700000000000-initial';

export const MIGRATIONS = [Initial1700000000000];
