import type { DoctorCheckResult } from '../../../../backend/contract/diagnostics';
import { type Tone } from '../../model/format';

export const STATUS_TONE: Record<DoctorCheckResult['status'], Tone> = { ok: 'ok', warn: 'warn', fail: 'bad', skipped: 'muted' };
export const STATUS_WORDS: Record<DoctorCheckResult['status'], string> = { ok: 'ok', warn: 'warning', fail: 'problem', skipped: 'skipped' };
export const SEVERITY: { id: DoctorCheckResult['severity']; title: string }[] = [
  { id: 'critical', title: 'Critical' },
  { id: 'warning', title: 'Warnings' },
  { id: 'info', title: 'Information' },
];
export const rank = { fail: 0, warn: 1, skipped: 2, ok: 3 } as const;
export const isProblem = (c: DoctorCheckResult | undefined) => c?.status === 'fail' || c?.status === 'warn';
