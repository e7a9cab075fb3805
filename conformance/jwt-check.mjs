// Checks provider JWTs made by the Rust core against the reference implementations:
// the official SDK's JwtValidator (the AEP-64 JSON schema plus its extra rules) for the claims,
// cosmjs for the ES256K signature (secp256k1 over SHA-256 of `header.payload`, low-S), and
// cosmjs's address derivation for `iss`.
//
// Usage: node jwt-check.mjs INPUT.json
//   INPUT: {"now": UNIX, "addresses_for": ["<33-byte compressed pubkey hex>", ...]?,
//           "cases": [{"name": "...", "token": "...", "pubkey": "<hex>"}]}
// Prints: {"addresses": {hex: "akash1..."}, "results": [{"name", "valid", "checks": {...}, "errors": [...]}]}

import { readFileSync } from "node:fs";
import { JwtValidator } from "@akashnetwork/chain-sdk";
import { Secp256k1, Secp256k1Signature, sha256 } from "@cosmjs/crypto";
import { pubkeyToAddress } from "@cosmjs/amino";
import stableStringify from "json-stable-stringify";

const input = JSON.parse(readFileSync(process.argv[2], "utf8"));
const now = input.now ?? Math.floor(Date.now() / 1000);

// secp256k1 group order; a signature is low-S when s <= n/2.
const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

function address(pubkeyHex) {
  const value = Buffer.from(pubkeyHex, "hex").toString("base64");
  return pubkeyToAddress({ type: "tendermint/PubKeySecp256k1", value }, "akash");
}

function b64urlStrict(part) {
  // Unpadded base64url that re-encodes to itself (no padding, no stray characters).
  if (!/^[A-Za-z0-9_-]*$/.test(part)) throw new Error("not base64url");
  const bytes = Buffer.from(part, "base64url");
  if (bytes.toString("base64url") !== part) throw new Error("not canonical base64url");
  return bytes;
}

async function check(c) {
  const checks = {};
  const errors = [];
  const parts = c.token.split(".");
  if (parts.length !== 3) {
    return { name: c.name, valid: false, checks: { format: false }, errors: ["not three parts"] };
  }
  checks.format = true;
  const [h, p, s] = parts;
  let header, payload, headerText, payloadText;
  try {
    headerText = b64urlStrict(h).toString("utf8");
    payloadText = b64urlStrict(p).toString("utf8");
    header = JSON.parse(headerText);
    payload = JSON.parse(payloadText);
    checks.decode = true;
  } catch (e) {
    checks.decode = false;
    return { name: c.name, valid: false, checks, errors: [`decode: ${e.message}`] };
  }

  checks.header = header.alg === "ES256K" && header.typ === "JWT" && Object.keys(header).length === 2;
  if (!checks.header) errors.push(`header ${headerText}`);
  // The bytes signed must be the sorted-key JSON the SDK would produce.
  checks.canonical = stableStringify(header) === headerText && stableStringify(payload) === payloadText;
  if (!checks.canonical) errors.push("header or payload is not sorted-key JSON");

  // The SDK's validator on the decoded payload (its own string path decodes with atob, which
  // refuses base64url's '-' and '_', so it is only reported, not required).
  const validator = new JwtValidator();
  const res = validator.validateToken(payload);
  checks.schema = res.isValid;
  if (!res.isValid) errors.push(...res.errors.map((e) => `schema: ${e}`));
  const resString = validator.validateToken(c.token);
  checks.sdk_string_path = resString.isValid;

  // Time, as JwtTokenManager.validatePayload checks it.
  checks.time = typeof payload.exp === "number" && typeof payload.nbf === "number" && payload.exp > now && payload.nbf <= now;
  if (!checks.time) errors.push(`time: nbf ${payload.nbf} exp ${payload.exp} now ${now}`);

  // Signature.
  try {
    const sigBytes = b64urlStrict(s);
    if (sigBytes.length !== 64) throw new Error(`signature is ${sigBytes.length} bytes`);
    const sig = Secp256k1Signature.fromFixedLength(sigBytes);
    const sVal = BigInt("0x" + Buffer.from(sig.s()).toString("hex"));
    checks.low_s = sVal <= N / 2n;
    if (!checks.low_s) errors.push("signature is high-S");
    const digest = sha256(new TextEncoder().encode(`${h}.${p}`));
    checks.signature = await Secp256k1.verifySignature(sig, digest, Buffer.from(c.pubkey, "hex"));
    if (!checks.signature) errors.push("signature does not verify");
  } catch (e) {
    checks.low_s = false;
    checks.signature = false;
    errors.push(`signature: ${e.message}`);
  }

  // iss must be the signing key's account.
  try {
    checks.iss = payload.iss === address(c.pubkey);
  } catch (e) {
    checks.iss = false;
  }
  if (!checks.iss) errors.push(`iss ${payload.iss} is not the key's address`);

  const required = ["format", "decode", "header", "canonical", "schema", "time", "low_s", "signature", "iss"];
  return { name: c.name, valid: required.every((k) => checks[k] === true), checks, errors };
}

const addresses = {};
for (const k of input.addresses_for ?? []) addresses[k] = address(k);
const results = [];
for (const c of input.cases ?? []) results.push(await check(c));
process.stdout.write(JSON.stringify({ addresses, results }));
