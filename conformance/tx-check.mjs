// Checks signed transactions built by the Rust core against the references: the official Akash SDK
// (@akashnetwork/chain-sdk) for every protobuf message, cosmjs for the sign doc, the auth info, the
// address and the signature. Usage: node tx-check.mjs INPUT.json; prints JSON results on stdout.
//
// Input: {"txs": [{name, tx_base64, chain_id, account_number, pubkey_hex, sequence, address?,
//                  private_key_hex?, timeout_timestamp_secs? | timeout_timestamp_window_secs?,
//                  memo?, messages: [{type_url, json}]}],
//         "simulations": [{name, tx_base64, signed_tx_base64}]}
// where each `json` is the expected message in the SDK's JSON form (what `Msg.fromJSON` reads),
// except that an `Any` may be written as {"@type": URL, ...fields}: it is encoded here with the
// SDK's type for URL. Every `Any` inside a decoded message (an allowance, an authorization) is
// decoded too and must re-encode to the same bytes; the message type URLs an allowance lists
// (`allowed_messages`) must be message types the SDK knows.
//
// Transactions produced elsewhere (the orchestrator's pipeline, signed by threshold ECDSA) come
// without `private_key_hex`: their signature is verified over cosmjs's sign doc, but cannot be
// compared with a wallet's. Their `timeout_timestamp` depends on when they were signed, so
// `timeout_timestamp_window_secs: [earliest, latest]` (inclusive) may stand for the exact value;
// `memo`, when given, must be the body's memo.
// Output: {"results": [{name, ok, checks: {name: bool}, errors: [..], details: {..}}],
//          "sim_results": [same shape]}

import { readFileSync } from "node:fs";
import * as v1beta4 from "@akashnetwork/chain-sdk/private-types/akash.v1beta4";
import * as v1beta5 from "@akashnetwork/chain-sdk/private-types/akash.v1beta5";
import * as v1 from "@akashnetwork/chain-sdk/private-types/akash.v1";
import * as cosmos from "@akashnetwork/chain-sdk/private-types/cosmos.v1beta1";
import * as secp from "@akashnetwork/chain-sdk/private-types/cosmos.secp256k1";
import {
  makeSignBytes, makeSignDoc, makeAuthInfoBytes, encodePubkey, DirectSecp256k1Wallet, Registry, decodeTxRaw,
} from "@cosmjs/proto-signing";
import { defaultRegistryTypes } from "@cosmjs/stargate";
import { BasicAllowance as CjBasicAllowance, AllowedMsgAllowance as CjAllowedMsgAllowance } from "cosmjs-types/cosmos/feegrant/v1beta1/feegrant.js";
import { Tx as CjTx, TxBody as CjTxBody, AuthInfo as CjAuthInfo } from "cosmjs-types/cosmos/tx/v1beta1/tx.js";
import { Secp256k1, Secp256k1Signature, sha256 } from "@cosmjs/crypto";
import { encodeSecp256k1Pubkey, pubkeyToAddress } from "@cosmjs/amino";
import { fromBase64, toBase64, fromHex, toHex } from "@cosmjs/encoding";

// Message types by type URL, taken from the SDK's own `$type` so a wrong URL on our side shows up.
const MESSAGE_TYPES = [
  v1beta4.MsgCreateDeployment,
  v1beta4.MsgUpdateDeployment,
  v1beta4.MsgCloseDeployment,
  v1.MsgAccountDeposit,
  v1beta5.MsgCreateLease,
  v1beta5.MsgCloseLease,
  v1.MsgMintACT,
  cosmos.MsgSend,
  cosmos.MsgGrantAllowance,
  cosmos.MsgRevokeAllowance,
  cosmos.MsgGrant,
  cosmos.MsgRevoke,
];
const REGISTRY = new Map(MESSAGE_TYPES.map((t) => ["/" + t.$type, t]));
// Types that travel inside a message's `Any` fields.
const NESTED = new Map([cosmos.BasicAllowance, cosmos.AllowedMsgAllowance, v1.DepositAuthorization].map((t) => ["/" + t.$type, t]));
// cosmjs's own registry (cosmjs-types), as a wallet built on cosmjs would decode the messages.
const COSMJS = new Registry(defaultRegistryTypes);
const COSMJS_NESTED = new Map([
  ["/cosmos.feegrant.v1beta1.BasicAllowance", CjBasicAllowance],
  ["/cosmos.feegrant.v1beta1.AllowedMsgAllowance", CjAllowedMsgAllowance],
]);

// {"@type": URL, ...fields} anywhere in expected JSON becomes the SDK's Any JSON {type_url, value}.
function expandAnys(json) {
  if (Array.isArray(json)) return json.map(expandAnys);
  if (json === null || typeof json !== "object") return json;
  const out = Object.fromEntries(Object.entries(json).map(([k, v]) => [k, expandAnys(v)]));
  if (!("@type" in out)) return out;
  const { "@type": url, ...fields } = out;
  const T = NESTED.get(url) || REGISTRY.get(url);
  if (!T) throw new Error(`no SDK type for ${url} in expected JSON`);
  return { type_url: url, value: toBase64(T.encode(T.fromJSON(fields)).finish()) };
}

// Decodes every Any ({typeUrl, value}) inside a decoded message with `types`, recursively, and
// reports the URLs seen, the ones `types` does not know and whether all re-encode byte-identically.
// Also collects the message type URLs of any `allowedMessages` list (AllowedMsgAllowance).
function nestedAnys(decoded, types, acc = { urls: [], unknown: [], reencode: true, allowedMessages: [] }) {
  if (decoded === null || typeof decoded !== "object" || decoded instanceof Uint8Array || decoded instanceof Date) return acc;
  if (Array.isArray(decoded.allowedMessages)) acc.allowedMessages.push(...decoded.allowedMessages);
  for (const v of Array.isArray(decoded) ? decoded : Object.values(decoded)) {
    if (v && typeof v === "object" && typeof v.typeUrl === "string" && v.value instanceof Uint8Array) {
      const T = types.get(v.typeUrl);
      acc.urls.push(v.typeUrl);
      if (!T) {
        acc.unknown.push(v.typeUrl);
        continue;
      }
      const inner = T.decode(v.value);
      if (!bytesEqual(T.encode(inner).finish(), v.value)) acc.reencode = false;
      nestedAnys(inner, types, acc);
    } else {
      nestedAnys(v, types, acc);
    }
  }
  return acc;
}

const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const bytesEqual = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);
const bigFromBytes = (b) => BigInt("0x" + (toHex(b) || "0"));

// A result record and the function that adds a named check to it.
function checker(name) {
  const result = { name, ok: true, checks: {}, errors: [], details: {} };
  const check = (c, ok, why) => {
    result.checks[c] = Boolean(ok);
    if (!ok) {
      result.ok = false;
      result.errors.push(why ? `${c}: ${why}` : c);
    }
  };
  return [result, check];
}

async function checkTx(input) {
  const [result, check] = checker(input.name);
  const { details } = result;
  const txBytes = fromBase64(input.tx_base64);

  // Envelope, body and auth info: decoded by the SDK and re-encoded to the very same bytes.
  const raw = cosmos.TxRaw.decode(txBytes);
  check("txraw_reencodes", bytesEqual(cosmos.TxRaw.encode(raw).finish(), txBytes));
  const body = cosmos.TxBody.decode(raw.bodyBytes);
  check("body_reencodes", bytesEqual(cosmos.TxBody.encode(body).finish(), raw.bodyBytes));
  const auth = cosmos.AuthInfo.decode(raw.authInfoBytes);
  check("auth_info_reencodes", bytesEqual(cosmos.AuthInfo.encode(auth).finish(), raw.authInfoBytes));
  details.memo = body.memo;
  if (input.memo !== undefined) check("memo", body.memo === input.memo, JSON.stringify(body.memo));
  // Cosmos SDK 0.53 timeout_timestamp (TxBody field 5): whole seconds, or absent.
  const ts = body.timeoutTimestamp;
  details.timeout_timestamp_ms = ts ? ts.getTime() : null;
  if (input.timeout_timestamp_secs !== undefined) {
    check("timeout_timestamp", ts && ts.getTime() === Number(input.timeout_timestamp_secs) * 1000, String(ts && ts.getTime()));
  } else if (input.timeout_timestamp_window_secs !== undefined) {
    const [earliest, latest] = input.timeout_timestamp_window_secs.map((x) => Number(x) * 1000);
    const ms = ts ? ts.getTime() : NaN;
    check("timeout_timestamp", ms % 1000 === 0 && ms >= earliest && ms <= latest, `${ms} not whole seconds in [${earliest}, ${latest}]`);
  } else {
    check("timeout_timestamp", ts === undefined, String(ts && ts.getTime()));
  }
  // cosmjs-types 0.10 has no field 5: only a body without it re-encodes unchanged there.
  if (!ts) check("body_reencodes_cosmjs", bytesEqual(CjTxBody.encode(CjTxBody.decode(raw.bodyBytes)).finish(), raw.bodyBytes));

  // Messages: known to the SDK, canonical, and equal to the SDK's encoding of the expected JSON.
  const expected = input.messages || [];
  check("message_count", body.messages.length === expected.length, `${body.messages.length} != ${expected.length}`);
  details.messages = [];
  body.messages.forEach((any, i) => {
    const exp = expected[i] || {};
    const T = REGISTRY.get(any.typeUrl);
    check(`msg${i}_type_url`, T && any.typeUrl === exp.type_url, `${any.typeUrl} (expected ${exp.type_url})`);
    if (!T) return;
    const decoded = T.decode(any.value);
    check(`msg${i}_reencodes`, bytesEqual(T.encode(decoded).finish(), any.value));
    const fromExpected = T.encode(T.fromJSON(expandAnys(exp.json || {}))).finish();
    check(
      `msg${i}_matches_expected`,
      bytesEqual(fromExpected, any.value),
      `ours ${toHex(any.value)} sdk ${toHex(fromExpected)}`,
    );
    const nested = nestedAnys(decoded, NESTED);
    check(`msg${i}_nested_known`, nested.unknown.length === 0, nested.unknown.join(","));
    check(`msg${i}_nested_reencodes`, nested.reencode);
    const unknownAllowed = nested.allowedMessages.filter((u) => !REGISTRY.has(u));
    if (nested.allowedMessages.length) check(`msg${i}_allowed_messages_known`, unknownAllowed.length === 0, unknownAllowed.join(","));
    // cosmjs's registry, where it knows the type (the Cosmos messages), and its nested types.
    const cj = COSMJS.lookupType(any.typeUrl);
    let cjNested = null;
    if (cj) {
      const cjDecoded = cj.decode(any.value);
      check(`msg${i}_cosmjs_reencodes`, bytesEqual(cj.encode(cjDecoded).finish(), any.value));
      cjNested = nestedAnys(cjDecoded, COSMJS_NESTED);
      check(`msg${i}_cosmjs_nested_reencodes`, cjNested.reencode);
    }
    details.messages.push({
      type_url: any.typeUrl,
      json: T.toJSON(decoded),
      nested: nested.urls,
      allowed_messages: nested.allowedMessages,
      cosmjs_known: Boolean(cj),
      cosmjs_nested: cjNested ? cjNested.urls.filter((u) => !cjNested.unknown.includes(u)) : [],
    });
  });

  // Signer: one secp256k1 key, SIGN_MODE_DIRECT, the expected sequence.
  check("one_signer", auth.signerInfos.length === 1 && raw.signatures.length === 1);
  const si = auth.signerInfos[0];
  const pkAny = si?.publicKey;
  check("pubkey_type_url", pkAny?.typeUrl === "/" + secp.PubKey.$type, pkAny?.typeUrl);
  const pubkey = pkAny ? secp.PubKey.decode(pkAny.value).key : new Uint8Array();
  check("pubkey_matches", toHex(pubkey) === input.pubkey_hex, toHex(pubkey));
  check("sign_mode_direct", si?.modeInfo?.single?.mode === cosmos.SignMode.SIGN_MODE_DIRECT);
  check("sequence", String(si?.sequence) === String(input.sequence), String(si?.sequence));
  if (input.address) {
    const addr = pubkeyToAddress(encodeSecp256k1Pubkey(pubkey), "akash");
    check("address_matches_cosmjs", addr === input.address, addr);
  }

  // cosmjs rebuilds the same auth info from the decoded values.
  const fee = auth.fee;
  details.fee = fee ? cosmos.Fee.toJSON(fee) : null;
  const cosmjsAuth = makeAuthInfoBytes(
    [{ pubkey: encodePubkey(encodeSecp256k1Pubkey(pubkey)), sequence: BigInt(String(si?.sequence ?? 0)) }],
    (fee?.amount || []).map((c) => ({ denom: c.denom, amount: c.amount })),
    Number(String(fee?.gasLimit ?? 0)),
    fee?.granter || undefined,
    fee?.payer || undefined,
  );
  check("auth_info_matches_cosmjs", bytesEqual(cosmjsAuth, raw.authInfoBytes));

  // Signature over cosmjs's sign doc, with the chain id and account number the caller expects.
  const signDoc = makeSignDoc(raw.bodyBytes, raw.authInfoBytes, input.chain_id, Number(input.account_number));
  const digest = sha256(makeSignBytes(signDoc));
  const sigBytes = raw.signatures[0] || new Uint8Array();
  check("signature_length", sigBytes.length === 64, String(sigBytes.length));
  if (sigBytes.length === 64) {
    const s = bigFromBytes(sigBytes.slice(32));
    check("signature_low_s", s <= SECP256K1_N / 2n, "high-S signature, a Cosmos node rejects it");
    const valid = await Secp256k1.verifySignature(Secp256k1Signature.fromFixedLength(sigBytes), digest, pubkey);
    check("signature_valid", valid, "does not verify over cosmjs's sign doc");
  }

  // Same key in cosmjs's wallet: RFC 6979 on both sides gives byte-identical signatures.
  if (input.private_key_hex) {
    const wallet = await DirectSecp256k1Wallet.fromKey(fromHex(input.private_key_hex), "akash");
    const [account] = await wallet.getAccounts();
    check("wallet_pubkey_matches", toHex(account.pubkey) === toHex(pubkey));
    const { signature } = await wallet.signDirect(account.address, signDoc);
    check("signature_matches_cosmjs_wallet", signature.signature === toBase64(sigBytes), signature.signature);
    details.wallet_address = account.address;
  }

  return result;
}

// A simulation request's tx: what `POST /cosmos/tx/v1beta1/simulate` reads. cosmjs's `simulate`
// encodes a `Tx` with the body, the auth info and one empty signature; a `TxRaw` holding the
// encoded body and auth info is the same bytes.
function checkSimulation(input) {
  const [result, check] = checker(input.name);
  const bytes = fromBase64(input.tx_base64);
  const raw = cosmos.TxRaw.decode(bytes);
  check("txraw_reencodes", bytesEqual(cosmos.TxRaw.encode(raw).finish(), bytes));
  const cj = decodeTxRaw(bytes);
  check("one_empty_signature", cj.signatures.length === 1 && cj.signatures[0].length === 0, `${cj.signatures.length} signature(s)`);
  const signed = cosmos.TxRaw.decode(fromBase64(input.signed_tx_base64));
  check("same_body_as_signed", bytesEqual(raw.bodyBytes, signed.bodyBytes));
  check("same_auth_info_as_signed", bytesEqual(raw.authInfoBytes, signed.authInfoBytes));
  const sdkTx = cosmos.Tx.encode(
    cosmos.Tx.fromPartial({ body: cosmos.TxBody.decode(raw.bodyBytes), authInfo: cosmos.AuthInfo.decode(raw.authInfoBytes), signatures: [new Uint8Array()] }),
  ).finish();
  check("equals_sdk_tx_encoding", bytesEqual(sdkTx, bytes));
  const cjTx = CjTx.encode(
    CjTx.fromPartial({ body: CjTxBody.decode(raw.bodyBytes), authInfo: CjAuthInfo.decode(raw.authInfoBytes), signatures: [new Uint8Array()] }),
  ).finish();
  // cosmjs-types has no TxBody field 5, so only a tx without timeout_timestamp can match here.
  result.checks.equals_cosmjs_tx_encoding = bytesEqual(cjTx, bytes);
  result.details.signatures = cj.signatures.length;
  return result;
}

const input = JSON.parse(readFileSync(process.argv[2], "utf8"));
const failure = (name, e) => ({ name, ok: false, checks: { decodes: false }, errors: [`exception: ${e?.message || e}`], details: {} });
const results = [];
for (const tx of input.txs) {
  try {
    results.push(await checkTx(tx));
  } catch (e) {
    results.push(failure(tx.name, e));
  }
}
const sim_results = (input.simulations || []).map((s) => {
  try {
    return checkSimulation(s);
  } catch (e) {
    return failure(s.name, e);
  }
});
process.stdout.write(JSON.stringify({ results, sim_results }, null, 1) + "\n");
