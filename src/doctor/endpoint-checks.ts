/**
 * Whether the endpoint the credential talks to can be reached, one check per step: DNS, TCP,
 * TLS (https only), and the time to an HTTP answer. For managed identity the answer is to `GET /`
 * on the endpoint's host, with no identity header and no resource: it asks for no token, so it
 * cannot be throttled or consume anything. For certificates it is the tenant's discovery
 * document, the first request MSAL makes, where Entra says when a tenant does not exist.
 */
import type { CredentialSource } from '../auth/errors.js';
import { parseJsonObject, readErrorBody, safeDescription } from '../auth/platform-response.js';
import type { DateObservation } from './clock-skew.js';
import { connectTcp, getOnce, handshakeTls, hostOf, portOf, resolveHost, type StepResult } from './network-steps.js';
import { remedyFor } from './remedies.js';
import type { Check, Remedy } from './report.js';
import type { Situation } from './situation.js';

export interface ProbeTarget {
  kind: CredentialSource;
  /** Host to reach and, for the HTTP step, the URL to GET. */
  url: URL;
  /** The setting that names this endpoint, for remedies. */
  setting: string;
  timeoutMs: number;
  /** Extra trust (PEM) on top of the system's, as the provider gets it. */
  ca?: string | undefined;
  situation: Situation;
}

export interface ProbeOutcome {
  checks: Check[];
  dates: DateObservation[];
}

type Step = 'dns' | 'tcp' | 'tls' | 'http';

function unreachable(step: Step, code: string, target: ProbeTarget): Remedy {
  const where = `${target.setting} (${target.url.origin})`;
  const managed = target.kind === 'managed-identity';
  const texts: Record<Step, string> = {
    dns: `The host in ${where} does not resolve: check it for typos, and this machine's DNS (a VNet-integrated app needs the private DNS zone or custom DNS that knows it).`,
    tcp: managed
      ? `Nothing accepts connections at ${where}. The managed-identity endpoint exists only inside App Service/Functions, with an identity enabled: see the token checks below.`
      : `Nothing accepts connections at ${where}: check the setting, outbound firewall/NSG rules for port ${portOf(target.url)}, and whether this network needs a proxy (HTTPS_PROXY).`,
    tls: /CERT|SELF_SIGNED|UNABLE_TO|ALTNAME/.test(code)
      ? `The TLS certificate of ${target.url.host} is not trusted here (${code}). If a TLS-inspecting proxy or a private authority signs it, put its CA certificate (PEM) in NODE_EXTRA_CA_CERTS before node starts; otherwise something is impersonating the host.`
      : `The TLS handshake with ${target.url.host} failed (${code}): a proxy or firewall may be interfering with TLS on this network.`,
    http: `${target.url.host} accepted a connection but gave no HTTP answer (${code}): a proxy or firewall may be holding the request; compare with the token checks below.`,
  };
  return { id: 'endpoint-unreachable', text: texts[step] };
}

function failed<T>(step: Step, title: string, result: Extract<StepResult<T>, { ok: false }>, target: ProbeTarget, what: string): Check {
  const finding = result.timedOut ? `${what}: nothing within ${target.timeoutMs} ms` : `${what} (${result.code})`;
  return { id: `endpoint.${step}`, group: 'endpoint', status: 'fail', title, finding, facts: { ms: result.ms, code: result.code }, remedy: unreachable(step, result.code, target) };
}

export async function probeEndpoint(target: ProbeTarget): Promise<ProbeOutcome> {
  const checks: Check[] = [];
  const host = hostOf(target.url);
  const port = portOf(target.url);
  const dns = await resolveHost(host, target.timeoutMs);
  if (!dns.ok) return { checks: [failed('dns', 'DNS', dns, target, `${host} does not resolve`)], dates: [] };
  const resolved = dns.value.literal ? `${host} is an IP address: nothing to resolve` : `${host} → ${dns.value.address} in ${dns.ms} ms`;
  checks.push({ id: 'endpoint.dns', group: 'endpoint', status: 'pass', title: 'DNS', finding: resolved, facts: { address: dns.value.address, ms: dns.ms } });

  const tcp = await connectTcp(dns.value.address, port, target.timeoutMs);
  if (!tcp.ok) return { checks: [...checks, failed('tcp', 'TCP', tcp, target, `no connection to ${dns.value.address}:${port}`)], dates: [] };
  checks.push({ id: 'endpoint.tcp', group: 'endpoint', status: 'pass', title: 'TCP', finding: `connected to ${dns.value.address}:${port} in ${tcp.ms} ms`, facts: { ms: tcp.ms } });

  if (target.url.protocol === 'https:') {
    const tls = await handshakeTls(dns.value.address, host, port, target.ca, target.timeoutMs);
    if (!tls.ok) return { checks: [...checks, failed('tls', 'TLS', tls, target, `no trusted TLS session with ${target.url.host}`)], dates: [] };
    const { subject, issuer, validTo } = tls.value;
    checks.push({
      id: 'endpoint.tls',
      group: 'endpoint',
      status: 'pass',
      title: 'TLS',
      finding: `handshake in ${tls.ms} ms; certificate ${subject} from ${issuer} trusted, valid until ${validTo}`,
      facts: { ms: tls.ms, subject, issuer, validTo },
    });
  }

  const http = await getOnce(target.url, target.ca, target.timeoutMs);
  const request = `GET ${target.url.pathname}`;
  if (!http.ok) return { checks: [...checks, failed('http', 'HTTP', http, target, `${request} got no answer`)], dates: [] };
  const { status, date, receivedAt, requestId } = http.value;
  const dates = date ? [{ origin: target.url.origin, date, receivedAt }] : [];
  const facts = { ms: http.ms, status, requestId };
  if (target.kind === 'managed-identity' || status === 200) {
    const note = target.kind === 'managed-identity' ? ` (HTTP ${status}; no token asked)` : '';
    checks.push({ id: 'endpoint.http', group: 'endpoint', status: 'pass', title: 'HTTP', finding: `${request} answered in ${http.ms} ms${note}`, facts });
    return { checks, dates };
  }
  const body = readErrorBody(parseJsonObject(http.value.bodyText));
  const description = safeDescription(body.description);
  const error = {
    code: 'discovery_failed',
    message: `The tenant's discovery document answered HTTP ${status}${description ? `: ${description}` : ''}`,
    status,
    errorCodes: body.errorCodes,
    platformError: body.error,
    requestId,
    correlationId: body.correlationId,
    traceId: body.traceId,
  };
  checks.push({ id: 'endpoint.http', group: 'endpoint', status: 'fail', title: 'HTTP', finding: `${request} answered HTTP ${status} in ${http.ms} ms`, facts, error, remedy: remedyFor(error, target.situation) });
  return { checks, dates };
}
