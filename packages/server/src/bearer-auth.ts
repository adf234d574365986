import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/**
 * Checks `Authorization: Bearer <token>` against the accepted tokens, comparing digests so that
 * neither the tokens' content nor their length shows in the time taken.
 */
export function createBearerAuth(tokens: readonly string[]): (request: IncomingMessage) => boolean {
  const accepted = tokens.map(digest);
  return (request) => {
    const presented = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '')?.[1];
    if (presented === undefined) return false;
    const candidate = digest(presented);
    // Every token is compared, so the time does not tell which one matched.
    return accepted.reduce((matched, token) => timingSafeEqual(token, candidate) || matched, false);
  };
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}
