import { AppError } from '../../errors.js';
import type { HandlerGroup } from '../handlers.js';
import type { Services } from '../../compose.js';
import type { SettingsService } from '../../services/settings.js';

export const LOCAL_USER = {
  id: '00000000-0000-4000-8000-000000000001',
  clerk_user_id: 'local-auth-user',
  email: 'admin@home.local',
  name: 'Local User',
  preferred_name: null,
  pronouns: null,
  timezone: null,
  notes: null,
  context: null,
  is_super_admin: false,
};

export function systemHandlers(
  services: Services,
  settings?: SettingsService,
): HandlerGroup<'health' | 'healthz' | 'readyz' | 'authBootstrap' | 'usersMe' | 'getSettings' | 'updateSettings'> {
  const configured = (): SettingsService => {
    if (!settings) throw new AppError('not_found', 'This server was started without a configuration to report.');
    return settings;
  };
  return {
    health: () => ({ ok: true }),
    healthz: () => ({ ok: true }),
    readyz: () => {
      services.ready();
      return { ok: true };
    },
    // The desktop edition has one local user; these keep web-edition scripts working.
    authBootstrap: () => LOCAL_USER,
    usersMe: () => LOCAL_USER,
    getSettings: () => configured().read(),
    updateSettings: ({ body }) => configured().update(body),
  };
}
