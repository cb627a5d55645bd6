/**
 * Rows where no usable answer arrives: nothing listening, a reset before or during the answer, a
 * hung endpoint. Each is a classified, retryable error at once or at the request deadline, and the
 * next request waits for the back-off (>= 5 s).
 */
import { refusedUrl } from '../../../../src/sandbox/ports.js';
import type { CredentialKind, MatrixRow } from '../../matrix.js';
import { targetOf, unreachableCode, type IdentityContext } from './context.js';
import { faultRow } from './fault-row.js';

export function networkRows(kind: CredentialKind): MatrixRow<IdentityContext>[] {
  const target = targetOf(kind);
  const code = unreachableCode(kind);
  return [
    faultRow({
      name: 'refused',
      credential: kind,
      injected: 'nothing listening on the port',
      code,
      unreachable: true,
      fixture: async () => ({ unreachableOrigin: (await refusedUrl('', kind === 'managed-identity' ? 'http' : 'https')).replace(/\/$/, '') }),
      arrange: () => undefined,
      // The refused port never starts listening: the row ends when the minute is over.
      recovers: false,
    }),
    faultRow({ name: 'reset before the answer', credential: kind, injected: 'TCP reset, no response', code, arrange: (f) => f.identity.setPersistentFault(target, { kind: 'reset' }) }),
    faultRow({
      name: 'reset mid-response',
      credential: kind,
      injected: '200 headers, body cut off',
      code,
      arrange: (f) => f.identity.setPersistentFault(target, { kind: 'reset-mid-body' }),
    }),
    faultRow({ name: 'hung', credential: kind, injected: 'accepts, never answers', code, arrange: (f) => f.identity.setPersistentFault(target, { kind: 'hang' }) }),
  ];
}
