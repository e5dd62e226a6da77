import { type TenantTransaction } from '../../platform/db';
import { errors } from '../errors';
import { type UserRow } from './userView';

/**
 * Refuses a change that would leave the tenant without an active admin user (409 LAST_ADMIN).
 * Runs inside the change's transaction after locking the admins' rows, so two concurrent
 * demotions cannot both pass.
 */
export async function assertAnotherActiveAdmin(trx: TenantTransaction, user: UserRow): Promise<void> {
  if (user.role !== 'admin' || user.status !== 'active') return;
  const admins = await trx('users').where({ role: 'admin', status: 'active' }).forUpdate().select('id');
  if (admins.filter((row: { id: string }) => row.id !== user.id).length === 0) {
    throw errors.conflict('LAST_ADMIN', 'This is the last active admin of the tenant; make someone else admin first');
  }
}
