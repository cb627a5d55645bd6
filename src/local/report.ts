/** What the app process of a local run reports to the runner, on one stdout line. */
export const REPORT_PREFIX = 'local-run-report ';

export interface AppHostReport {
  sweep: { ok: boolean; error?: string | undefined; durationMs: number };
  deliveries: { messageId: string; dequeueCount: number; outcome: string; error?: string | undefined }[];
  retryWaitsSeconds: number[];
  logLines: { level: string; text: string }[];
  drainMs: number;
}
