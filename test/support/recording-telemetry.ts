/** An in-memory Telemetry for the function tests: records every item so tests assert on it. */
import type { InvocationInfo } from '../../src/auth/events.js';
import type { Telemetry, TelemetryProperties } from '../../src/telemetry/telemetry.js';

export interface RecordedItem {
  kind: 'event' | 'exception' | 'metric';
  name: string;
  properties: TelemetryProperties;
  invocation?: InvocationInfo | undefined;
  error?: unknown;
  value?: number;
}

export class RecordingTelemetry implements Telemetry {
  readonly items: RecordedItem[] = [];
  readonly onTokenEvent = (): void => undefined;
  readonly observeTokenCache = (): (() => void) => () => undefined;
  trackEvent(name: string, properties: TelemetryProperties = {}, invocation?: InvocationInfo): void {
    this.items.push({ kind: 'event', name, properties, invocation });
  }
  trackException(error: unknown, properties: TelemetryProperties = {}, invocation?: InvocationInfo): void {
    this.items.push({ kind: 'exception', name: error instanceof Error ? error.name : 'unknown', properties, invocation, error });
  }
  trackMetric(name: string, value: number, properties: TelemetryProperties = {}, invocation?: InvocationInfo): void {
    this.items.push({ kind: 'metric', name, value, properties, invocation });
  }
  flush(): Promise<void> {
    return Promise.resolve();
  }
  events(name: string): RecordedItem[] {
    return this.items.filter((item) => item.kind === 'event' && item.name === name);
  }
  exceptions(): RecordedItem[] {
    return this.items.filter((item) => item.kind === 'exception');
  }
  clear(): void {
    this.items.length = 0;
  }
}
