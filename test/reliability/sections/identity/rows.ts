/** Every identity row, in table order: per credential, network, deadline, throttling, outages, faults during refresh, rejections, answers, time. */
import type { CredentialKind, MatrixRow } from '../../matrix.js';
import { oneSecondTokenRow, unusableAnswerRows } from './answer-rows.js';
import type { IdentityContext } from './context.js';
import { networkRows } from './network-rows.js';
import { entraRejectionRows, managedIdentityRejectionRows } from './rejection-rows.js';
import { outageRows, throttlingRows } from './throttling-rows.js';
import { clockSkewRows, sameTokenAgainRow, slowRows } from './timing-rows.js';
import { warmRows } from './warm-rows.js';

function rowsFor(kind: CredentialKind): MatrixRow<IdentityContext>[] {
  return [
    ...networkRows(kind),
    ...slowRows(kind),
    ...throttlingRows(kind),
    ...outageRows(kind),
    ...warmRows(kind),
    ...(kind === 'managed-identity' ? managedIdentityRejectionRows() : entraRejectionRows()),
    ...unusableAnswerRows(kind),
    oneSecondTokenRow(kind),
    ...(kind === 'managed-identity' ? [sameTokenAgainRow()] : []),
    ...clockSkewRows(kind),
  ];
}

export function identityRows(): MatrixRow<IdentityContext>[] {
  return [...rowsFor('managed-identity'), ...rowsFor('certificate')];
}
