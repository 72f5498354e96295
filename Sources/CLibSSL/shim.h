// Swift-callable wrappers over OpenSSL (Debian's libssl-dev), for HTTPS to container registries
// and streaming SHA-256 of blobs. OpenSSL exposes some of what we need as function-like macros
// (SSL_set_tlsext_host_name), which Swift cannot call: they are wrapped here.
#ifndef RIGCHECK_CLIBSSL_SHIM_H
#define RIGCHECK_CLIBSSL_SHIM_H

#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509v3.h>

/// Sends `name` as the TLS server name (SNI). Returns 1 on success.
static inline int cssl_set_server_name(SSL *ssl, const char *name) {
  return (int)SSL_set_tlsext_host_name(ssl, name);
}

/// A client context that verifies the peer against the system's trust store (or the file and
/// directory named by SSL_CERT_FILE / SSL_CERT_DIR, as OpenSSL's default paths honour), TLS 1.2+.
static inline SSL_CTX *cssl_client_context(void) {
  SSL_CTX *context = SSL_CTX_new(TLS_client_method());
  if (!context) return NULL;
  SSL_CTX_set_min_proto_version(context, TLS1_2_VERSION);
  SSL_CTX_set_verify(context, SSL_VERIFY_PEER, NULL);
  if (SSL_CTX_set_default_verify_paths(context) != 1) {
    SSL_CTX_free(context);
    return NULL;
  }
  return context;
}

/// Checks the certificate names `host`: a DNS name, or an IP address literal (IP SAN).
static inline int cssl_expect_host(SSL *ssl, const char *host, int isIPAddress) {
  if (isIPAddress) {
    X509_VERIFY_PARAM *param = SSL_get0_param(ssl);
    return X509_VERIFY_PARAM_set1_ip_asc(param, host);
  }
  return SSL_set1_host(ssl, host);
}

#endif
