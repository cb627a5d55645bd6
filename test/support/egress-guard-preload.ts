/**
 * `node --import=<this file>` (see egressGuardChildEnv): runs the child under the egress guard and
 * appends each attempt to the file named by EGRESS_GUARD_REPORT as it happens, so the parent
 * reads them even if the child is killed.
 */
import { appendFileSync } from 'node:fs';
import { installEgressGuard } from './egress-guard.js';

const reportFile = process.env['EGRESS_GUARD_REPORT'];
installEgressGuard({
  onAttempt: (attempt) => {
    if (reportFile) appendFileSync(reportFile, `${JSON.stringify(attempt)}\n`);
  },
});
