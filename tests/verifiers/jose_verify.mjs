// jose_verify: an outside service's check of a gatehouse token with the
// npm package jose (createRemoteJWKSet + jwtVerify), given only the JWKS
// URL.
//
// usage: node jose_verify.mjs JWKS_URL TOKEN ISSUER ALG
// (NODE_PATH-like lookup: JOSE_DIR names the directory holding
// node_modules/jose when it is not next to this file.)
//
// Promises: exit 0 only when jose verifies TOKEN with a key fetched from
// JWKS_URL, algorithm ALG and issuer ISSUER; exit 1 (a line on stderr)
// when it refuses; exit 2 on bad usage.  Nothing of the token is printed.
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import path from 'node:path';

const args = process.argv.slice(2);
if (args.length !== 4) {
	console.error('usage: jose_verify.mjs JWKS_URL TOKEN ISSUER ALG');
	process.exit(2);
}
const [url, token, issuer, alg] = args;
const base = process.env.JOSE_DIR ?? process.cwd();
const require = createRequire(path.join(base, 'package.json'));
const jose = await import(pathToFileURL(require.resolve('jose')).href);

const jwks = jose.createRemoteJWKSet(new URL(url));
try {
	await jose.jwtVerify(token, jwks, { issuer, algorithms: [alg] });
} catch (e) {
	console.error(`jose: refused: ${e.code ?? e.name}`);
	process.exit(1);
}
