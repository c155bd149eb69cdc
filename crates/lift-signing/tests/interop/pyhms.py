"""Signs and verifies requests with PyPI's http-message-signatures, an implementation of
RFC 9421 independent of Lift's, for Lift's interoperability tests.

  pyhms.py sign <alg> <key-hex> <keyid> <method> <url> [body]
      prints the request (method, url, headers, body) as JSON, signed over @method,
      @authority, @path, @query (and content-digest, with a body) with created, nonce, keyid
      and alg
  pyhms.py verify <alg> <key-hex> <keyid>   < request JSON
      exits 0 if the request's signature verifies, else prints why and exits 1

<alg> is hmac-sha256 (key: the secret), ed25519 (key: the 32-byte seed to sign, the
32-byte public key to verify) or ecdsa-p256-sha256 (key: the 32-byte private scalar to sign,
the SEC1 public point to verify).
"""

import base64
import datetime
import hashlib
import json
import secrets
import sys

import requests
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from http_message_signatures import HTTPMessageSigner, HTTPMessageVerifier, HTTPSignatureKeyResolver, algorithms


class Keys(HTTPSignatureKeyResolver):
    def __init__(self, alg, key, keyid):
        self.alg, self.key, self.keyid = alg, key, keyid

    def resolve_private_key(self, key_id):
        assert key_id == self.keyid
        if self.alg == "ed25519":
            return Ed25519PrivateKey.from_private_bytes(self.key)
        if self.alg == "ecdsa-p256-sha256":
            return ec.derive_private_key(int.from_bytes(self.key, "big"), ec.SECP256R1())
        return self.key

    def resolve_public_key(self, key_id):
        if key_id != self.keyid:
            raise KeyError(key_id)
        if self.alg == "ed25519":
            return Ed25519PublicKey.from_public_bytes(self.key)
        if self.alg == "ecdsa-p256-sha256":
            return ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), self.key)
        return self.key


ALGORITHMS = {
    "hmac-sha256": algorithms.HMAC_SHA256,
    "ed25519": algorithms.ED25519,
    "ecdsa-p256-sha256": algorithms.ECDSA_P256_SHA256,
}


def main():
    mode, alg, key, keyid = sys.argv[1], sys.argv[2], bytes.fromhex(sys.argv[3]), sys.argv[4]
    resolver = Keys(alg, key, keyid)
    if mode == "sign":
        method, url = sys.argv[5], sys.argv[6]
        body = sys.argv[7].encode() if len(sys.argv) > 7 else None
        request = requests.Request(method, url, data=body).prepare()
        covered = ["@method", "@authority", "@path", "@query"]
        if body is not None:
            digest = base64.b64encode(hashlib.sha256(body).digest()).decode()
            request.headers["Content-Digest"] = f"sha-256=:{digest}:"
            covered.append("content-digest")
        HTTPMessageSigner(signature_algorithm=ALGORITHMS[alg], key_resolver=resolver).sign(
            request,
            key_id=keyid,
            created=datetime.datetime.now(),
            nonce=secrets.token_hex(16),
            label="sig1",
            covered_component_ids=covered,
        )
        out = {
            "method": request.method,
            "url": request.url,
            "headers": dict(request.headers),
            "body": body.decode() if body is not None else None,
        }
        print(json.dumps(out))
        return 0
    given = json.load(sys.stdin)
    request = requests.Request(given["method"], given["url"], headers=given["headers"], data=given.get("body")).prepare()
    try:
        HTTPMessageVerifier(signature_algorithm=ALGORITHMS[alg], key_resolver=resolver).verify(request)
    except Exception as e:  # noqa: BLE001 - any refusal is reported
        print(f"refused: {e!r}")
        return 1
    print("verified")
    return 0


if __name__ == "__main__":
    sys.exit(main())
