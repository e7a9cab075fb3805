// Checks signed transactions built by the Rust core against the references: the official Akash SDK
// (@akashnetwork/chain-sdk) for every protobuf message, cosmjs for the sign doc, the auth info, the
// address and the signature. Usage: node tx-check.mjs INPUT.json; prints JSON results on stdout.
//
// Input: {"txs": [{name, tx_base64, chain_id, account_number, pubkey_hex, sequence, address?,
//                  private_key_hex?, messages: [{type_url, json}]}]}
// where each `json` is the expected message in the SDK's JSON form (what `Msg.fromJSON` reads).
// Output: {"results": [{name, ok, checks: {name: bool}, errors: [..], details: {..}}]}

import { readFileSync } from "node:fs";
import * as v1beta4 from "@akashnetwork/chain-sdk/private-types/akash.v1beta4";
import * as v1beta5 from "@akashnetwork/chain-sdk/private-types/akash.v1beta5";
import * as v1 from "@akashnetwork/chain-sdk/private-types/akash.v1";
import * as cosmos from "@akashnetwork/chain-sdk/private-types/cosmos.v1beta1";
import * as secp from "@akashnetwork/chain-sdk/private-types/cosmos.secp256k1";
import { makeSignBytes, makeSignDoc, makeAuthInfoBytes, encodePubkey, DirectSecp256k1Wallet } from "@cosmjs/proto-signing";
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
];
const REGISTRY = new Map(MESSAGE_TYPES.map((t) => ["/" + t.$type, t]));

const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const bytesEqual = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);
const bigFromBytes = (b) => BigInt("0x" + (toHex(b) || "0"));

async function checkTx(input) {
  const checks = {};
  const errors = [];
  const details = {};
  const check = (name, ok, why) => {
    checks[name] = Boolean(ok);
    if (!ok) errors.push(why ? `${name}: ${why}` : name);
  };
  const txBytes = fromBase64(input.tx_base64);

  // Envelope, body and auth info: decoded by the SDK and re-encoded to the very same bytes.
  const raw = cosmos.TxRaw.decode(txBytes);
  check("txraw_reencodes", bytesEqual(cosmos.TxRaw.encode(raw).finish(), txBytes));
  const body = cosmos.TxBody.decode(raw.bodyBytes);
  check("body_reencodes", bytesEqual(cosmos.TxBody.encode(body).finish(), raw.bodyBytes));
  const auth = cosmos.AuthInfo.decode(raw.authInfoBytes);
  check("auth_info_reencodes", bytesEqual(cosmos.AuthInfo.encode(auth).finish(), raw.authInfoBytes));
  details.memo = body.memo;

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
    const fromExpected = T.encode(T.fromJSON(exp.json || {})).finish();
    check(
      `msg${i}_matches_expected`,
      bytesEqual(fromExpected, any.value),
      `ours ${toHex(any.value)} sdk ${toHex(fromExpected)}`,
    );
    details.messages.push({ type_url: any.typeUrl, json: T.toJSON(decoded) });
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

  return { name: input.name, ok: errors.length === 0, checks, errors, details };
}

const input = JSON.parse(readFileSync(process.argv[2], "utf8"));
const results = [];
for (const tx of input.txs) {
  try {
    results.push(await checkTx(tx));
  } catch (e) {
    results.push({ name: tx.name, ok: false, checks: { decodes: false }, errors: [`exception: ${e?.message || e}`], details: {} });
  }
}
process.stdout.write(JSON.stringify({ results }, null, 1) + "\n");
