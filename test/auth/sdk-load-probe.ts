/**
 * Child process of certificate-source.test.ts: whether @azure/identity gets loaded when
 * certificate-source.js is only imported (`import`) or when a CertificateSource is built
 * (`construct`), with no token request either way. A fresh process, so nothing is loaded already.
 * It prints its finding when the event loop has nothing left to do, i.e. once a started load ends.
 */
import { registerHooks } from 'node:module';

let identityLoaded = false;
registerHooks({
  load(url, context, nextLoad) {
    if (url.includes('/node_modules/@azure/identity/')) identityLoaded = true;
    return nextLoad(url, context);
  },
});

// Imported after the hook is in place (a static import would be loaded before it).
const { CertificateSource } = await import('../../src/auth/certificate-source.js');
const { systemClock } = await import('../../src/auth/clock.js');

if (process.argv[2] === 'construct') {
  const unused = (): never => {
    throw new Error('no certificate is needed: no request is made');
  };
  new CertificateSource(
    {
      tenantId: '7b1c2f4e-0c1d-4f5e-9a8b-1c2d3e4f5a6b',
      clientId: '0f9e8d7c-6b5a-4938-8271-605f4e3d2c1b',
      certificate: { current: unused, reloadNow: unused },
      sendCertificateChain: false,
      authorityHost: 'https://login.microsoftonline.com',
      disableInstanceDiscovery: false,
    },
    { clock: systemClock },
  );
}

process.once('beforeExit', () => {
  process.stdout.write(`${JSON.stringify({ identityLoaded })}\n`);
});
