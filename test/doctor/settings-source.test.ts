/**
 * Settings as `func start` gives them to the app: local.settings.json `Values` under the
 * environment, which wins even when blank; every setting read is listed, secrets as `set (hidden)`.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { explainChoice } from '../../src/doctor/credential-choice.js';
import { secretValues, settingFacts } from '../../src/doctor/setting-facts.js';
import { loadSettings } from '../../src/doctor/settings-source.js';

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'rdf-doctor-settings-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

function withLocalSettings(content: string): string {
  writeFileSync(join(dir, 'local.settings.json'), content);
  return dir;
}

describe('settings from the environment and local.settings.json', () => {
  it('the environment wins, even blank; the file fills in the rest; each value says where it came from', () => {
    const cwd = withLocalSettings(JSON.stringify({ IsEncrypted: false, Values: { AZURE_TENANT_ID: 'from-file', AZURE_CLIENT_ID: 'file-client', SQL_ENGINE: '', TOKEN_REQUEST_TIMEOUT_MS: 5000 } }));
    const settings = loadSettings({ AZURE_TENANT_ID: 'from-env', AZURE_CLIENT_ID: '' }, cwd);
    assert.equal(settings.env['AZURE_TENANT_ID'], 'from-env');
    assert.equal(settings.env['AZURE_CLIENT_ID'], '');
    assert.equal(settings.env['TOKEN_REQUEST_TIMEOUT_MS'], '5000', 'numbers are read as strings, as the host does');
    assert.equal(settings.origin('AZURE_TENANT_ID'), 'environment');
    assert.equal(settings.origin('TOKEN_REQUEST_TIMEOUT_MS'), 'local.settings.json');
    assert.equal(settings.origin('IDENTITY_ENDPOINT'), 'unset');
    assert.equal(settings.file, join(dir, 'local.settings.json'));
    assert.equal(settings.problem, undefined);
  });

  it('lists exactly the settings read, in order, with secrets hidden and blanks shown as unset', () => {
    const settings = loadSettings({ IDENTITY_ENDPOINT: 'http://localhost:8081/msi/token', IDENTITY_HEADER: 'header-secret-value', AZURE_CLIENT_CERTIFICATE_PASSWORD: 'p@ssw0rd!', SQL_ENGINE: ' ' }, withLocalSettings('{"Values":{}}'));
    void settings.env['IDENTITY_ENDPOINT'];
    void settings.env['IDENTITY_HEADER'];
    void settings.env['SQL_ENGINE'];
    void settings.env['MANAGED_IDENTITY_CLIENT_ID'];
    assert.deepEqual(settingFacts(settings), [
      { name: 'IDENTITY_ENDPOINT', display: 'http://localhost:8081/msi/token', origin: 'environment', secret: false },
      { name: 'IDENTITY_HEADER', display: 'set (hidden)', origin: 'environment', secret: true },
      { name: 'SQL_ENGINE', display: 'unset (blank)', origin: 'environment', secret: false },
      { name: 'MANAGED_IDENTITY_CLIENT_ID', display: 'unset', origin: 'unset', secret: false },
    ]);
    assert.deepEqual(secretValues(settings).sort(), ['header-secret-value', 'p@ssw0rd!'], 'every secret present, read or not, is kept out of the output');
  });

  it('a local.settings.json that is not JSON, or has no Values, is a problem to report', () => {
    assert.match(loadSettings({}, withLocalSettings('{ "Values": ')).problem ?? '', /not valid JSON/);
    assert.match(loadSettings({}, withLocalSettings('{ "values": {} }')).problem ?? '', /no "Values" object/);
  });
});

describe('why a credential is chosen', () => {
  const choose = (values: Record<string, string>) => explainChoice((name) => values[name]);
  const rules: { rule: string; values: Record<string, string>; kind: string | undefined; reason: RegExp }[] = [
    { rule: 'the platform variables mean managed identity', values: { IDENTITY_ENDPOINT: 'e', IDENTITY_HEADER: 'h' }, kind: 'managed-identity', reason: /IDENTITY_ENDPOINT and IDENTITY_HEADER are set/ },
    { rule: 'one platform variable alone still means managed identity', values: { IDENTITY_ENDPOINT: 'e' }, kind: 'managed-identity', reason: /IDENTITY_ENDPOINT is set \(without IDENTITY_HEADER\)/ },
    { rule: 'DAEMON_CREDENTIAL=managed-identity without them means IMDS', values: { DAEMON_CREDENTIAL: 'Managed-Identity' }, kind: 'managed-identity', reason: /IMDS at http:\/\/169\.254\.169\.254/ },
    { rule: 'DAEMON_CREDENTIAL=certificate wins over the platform variables', values: { DAEMON_CREDENTIAL: 'certificate', IDENTITY_ENDPOINT: 'e', IDENTITY_HEADER: 'h' }, kind: 'certificate', reason: /DAEMON_CREDENTIAL is 'certificate'/ },
    { rule: 'certificate settings without the platform variables mean certificate', values: { AZURE_TENANT_ID: 't' }, kind: 'certificate', reason: /AZURE_TENANT_ID is set and no managed-identity endpoint is/ },
    { rule: 'an unknown DAEMON_CREDENTIAL names nothing', values: { DAEMON_CREDENTIAL: 'secret' }, kind: undefined, reason: /'secret', which names no credential/ },
    { rule: 'nothing set names nothing', values: {}, kind: undefined, reason: /all unset/ },
  ];
  for (const r of rules) {
    it(r.rule, () => {
      const choice = choose(r.values);
      assert.equal(choice.kind, r.kind);
      assert.match(choice.reason, r.reason);
    });
  }
});
