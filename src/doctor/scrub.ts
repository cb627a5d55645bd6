/**
 * The last line of defence before anything is printed: the report never holds a secret by
 * construction, and this removes any secret value that got into a message anyway (raw or
 * JSON-escaped), along with anything shaped like a JWT or a PEM body.
 */
export const SCRUBBED = '[hidden]';

export function scrub(text: string, secrets: readonly string[]): string {
  let clean = text;
  for (const secret of [...secrets].sort((a, b) => b.length - a.length)) {
    if (secret.length < 4) continue;
    clean = clean.split(secret).join(SCRUBBED);
    const escaped = JSON.stringify(secret).slice(1, -1);
    if (escaped !== secret) clean = clean.split(escaped).join(SCRUBBED);
  }
  return clean
    .replace(/eyJ[\w-]+\.[\w-]+\.[\w-]*/g, SCRUBBED)
    .replace(/-----BEGIN [A-Z ]+-----[\s\S]*?-----END [A-Z ]+-----/g, SCRUBBED);
}
