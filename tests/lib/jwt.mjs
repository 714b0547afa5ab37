// JSON Web Tokens signed as an identity provider signs them (RFC 7515, 7518), with node:crypto:
// HS256/384/512 with a secret, RS*/PS* with an RSA private key, ES256/384/512 (R || S), EdDSA,
// or "none". `claims` is an object, or raw text for a payload that is not JSON; `header` replaces
// the whole header when given.

import { createHmac, sign } from "node:crypto";

export const b64url = (input) => Buffer.from(input).toString("base64url");

export function signJwt(claims, alg, key, { header } = {}) {
  const h = b64url(JSON.stringify(header ?? { alg, typ: "JWT" }));
  const input = `${h}.${b64url(typeof claims === "string" ? claims : JSON.stringify(claims))}`;
  if (alg === "none") return `${input}.`;
  const bits = alg.slice(2);
  let sig;
  if (alg.startsWith("HS")) sig = createHmac(`sha${bits}`, key).update(input).digest();
  else if (alg === "EdDSA") sig = sign(null, Buffer.from(input), key);
  else if (alg.startsWith("ES")) sig = sign(`sha${bits}`, Buffer.from(input), { key, dsaEncoding: "ieee-p1363" });
  else if (alg.startsWith("PS")) sig = sign(`sha${bits}`, Buffer.from(input), { key, padding: 6, saltLength: Number(bits) / 8 });
  else sig = sign(`sha${bits}`, Buffer.from(input), key);
  return `${input}.${b64url(sig)}`;
}
