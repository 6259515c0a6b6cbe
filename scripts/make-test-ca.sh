#!/usr/bin/env bash
# Makes a throwaway test CA and a server certificate for 127.0.0.1/localhost (for TLS-verification tests of the Comet emulator).
#
# Usage: scripts/make-test-ca.sh DIR
# Writes into DIR:
#   ca.pem, ca.key          the CA certificate (trust this one) and its key
#   server.pem, server.key  a leaf certificate signed by the CA, SAN IP:127.0.0.1, IP:::1, DNS:localhost
#   other-ca.pem            an unrelated CA, for negative tests ("signed by someone else")
# Everything is valid for 2 days and uses ECDSA P-256 (fast to generate). Never use these outside tests.
set -euo pipefail

if [ $# -ne 1 ] || [ -z "$1" ]; then
  echo "usage: $0 DIR" >&2
  exit 2
fi
command -v openssl >/dev/null || { echo "$0: openssl is required" >&2; exit 1; }

dir=$1
mkdir -p "$dir"
cd "$dir"
umask 077

cat > ca.cnf <<'CNF'
[req]
distinguished_name = dn
prompt = no
[dn]
CN = Comet Emulator Throwaway Test CA
[ext]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
CNF

cat > server.cnf <<'CNF'
[req]
distinguished_name = dn
prompt = no
[dn]
CN = 127.0.0.1
[ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1, IP:::1, DNS:localhost
authorityKeyIdentifier = keyid
CNF

ec_key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

ec_key ca.key
openssl req -new -x509 -key ca.key -out ca.pem -days 2 -config ca.cnf -extensions ext

ec_key server.key
openssl req -new -key server.key -out server.csr -config server.cnf
openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 2 \
  -extfile server.cnf -extensions ext 2>/dev/null

ec_key other-ca.key
openssl req -new -x509 -key other-ca.key -out other-ca.pem -days 2 -config ca.cnf -extensions ext

rm -f server.csr ca.srl ca.cnf server.cnf other-ca.key
chmod 644 ca.pem server.pem other-ca.pem
openssl verify -CAfile ca.pem server.pem >/dev/null
echo "$dir"
