/**
 * The identity section of the reliability matrix: every fault of the identity platform the issue
 * lists, for managed identity (App Service protocol) and for certificate credentials (Entra v2),
 * each on a fresh provider and emulator on virtual time.
 */
import { section } from '../matrix.js';
import { identityRows } from './identity/rows.js';
import { startIdentityContext } from './identity/context.js';

export const identitySection = section({
  group: 'identity',
  start: () => Promise.resolve(startIdentityContext()),
  stop: (context) => Promise.resolve(context.ca.cleanup()),
  rows: identityRows(),
});
