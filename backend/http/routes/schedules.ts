import { AppError } from '../../errors.js';
import type { Schedules } from '../../schedules/index.js';
import type { HandlerGroup } from '../handlers.js';

export function scheduleHandlers(schedules?: Schedules): HandlerGroup<'getSchedules' | 'updateSchedules'> {
  const configured = (): Schedules => {
    if (!schedules) throw new AppError('not_found', 'This server runs no schedules.');
    return schedules;
  };
  return {
    getSchedules: () => configured().read(),
    updateSchedules: ({ body }) => configured().update(body),
  };
}
