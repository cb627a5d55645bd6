/** What the jobs need from the outside world besides the store and the vault. */
export type { Clock } from '../auth/clock.js';
export type { Telemetry, TelemetryProperties } from '../telemetry/telemetry.js';
export type { InvocationInfo } from '../auth/events.js';

/** The invocation's log (InvocationContext in Functions). Messages carry names and ids, never values. */
export interface JobLog {
  info(message: string, properties?: Record<string, unknown>): void;
  warn(message: string, properties?: Record<string, unknown>): void;
  error(message: string, properties?: Record<string, unknown>): void;
}
