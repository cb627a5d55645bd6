/**
 * What the reliability suite may reach: loopback only. One outbound call is known and documented
 * (README, "One call cannot be turned off off-Azure"): @azure/monitor-opentelemetry's Azure VM
 * resource detector asks the instance metadata service at 169.254.169.254:80 once at start-up.
 * It is refused like everything else, and listed under its own verdict so a report can tell it
 * from an unexpected destination.
 */
import net from 'node:net';

export type EgressVerdict = 'loopback' | 'documented-telemetry-probe' | 'refused';

export const documentedTelemetryProbe = { host: '169.254.169.254', port: '80', why: 'documented telemetry probe (Azure VM metadata detector of @azure/monitor-opentelemetry)' } as const;

const loopback = new net.BlockList();
loopback.addSubnet('127.0.0.0', 8, 'ipv4');
loopback.addAddress('::1', 'ipv6');

function bare(host: string): string {
  const unbracketed = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  // An IPv4-mapped IPv6 address is the IPv4 address for routing purposes.
  return unbracketed.toLowerCase().replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '');
}

/** `localhost` is loopback by definition (RFC 6761); any other name would need a DNS query, which already leaves the machine. */
export function isLoopbackHost(host: string): boolean {
  const address = bare(host);
  if (address === 'localhost') return true;
  const family = net.isIP(address);
  return family !== 0 && loopback.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

export function egressVerdict(host: string, port: string): EgressVerdict {
  if (isLoopbackHost(host)) return 'loopback';
  if (bare(host) === documentedTelemetryProbe.host && port === documentedTelemetryProbe.port) return 'documented-telemetry-probe';
  return 'refused';
}
