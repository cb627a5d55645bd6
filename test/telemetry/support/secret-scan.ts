/**
 * Leak scan: looks for every secret the tests handed out (tokens the emulator issued, the identity
 * header, certificate and key material, passwords) in everything that left the process under test
 * (every envelope the ingestion server captured, every line the child wrote).
 */
export interface Secret {
  label: string;
  value: string;
}

export interface Haystack {
  label: string;
  text: string;
}

/** PEM material is searched line by line: a leaked fragment is as bad as the whole block. */
export function pemSecrets(label: string, pem: string): Secret[] {
  return pem
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length >= 40 && !line.startsWith('-----'))
    .map((line, index) => ({ label: `${label} line ${index + 1}`, value: line }));
}

/** `secret label in haystack label` for each hit; empty when clean. */
export function findLeaks(haystacks: readonly Haystack[], secrets: readonly Secret[]): string[] {
  const hits: string[] = [];
  for (const secret of secrets) {
    if (secret.value.length < 4) throw new Error(`secret '${secret.label}' is too short to scan for meaningfully`);
    for (const haystack of haystacks) {
      if (haystack.text.includes(secret.value)) hits.push(`${secret.label} in ${haystack.label}`);
      // JSON escaping turns newlines and slashes into escapes; PEM lines contain '/' and '+'.
      else if (haystack.text.includes(JSON.stringify(secret.value).slice(1, -1))) hits.push(`${secret.label} (escaped) in ${haystack.label}`);
    }
  }
  return hits;
}
