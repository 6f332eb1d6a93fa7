import type { ProcessMaintenance } from './maintenance-watch.ts';

/** One line for an operator's log when the maintenance mode a process obeys changes. */
export function maintenanceNotice(maintenance: ProcessMaintenance): string {
  if (maintenance.mode === 'serving') return 'serving again: writes accepted, tasks claimed';
  if (!maintenance.writable) {
    return `${maintenance.reason}: writes refused; running tasks stopped and left to a worker of that release`;
  }
  const plan = maintenance.planId === null ? '' : ` (plan ${maintenance.planId})`;
  const why = maintenance.reason === null ? '' : `, ${maintenance.reason}`;
  return maintenance.mode === 'draining'
    ? `draining for maintenance${plan}${why}: writes refused, no task claimed, running tasks let finish`
    : `stopping for maintenance${plan}${why}: writes refused, running tasks stopped and queued again`;
}
