/* SPDX-License-Identifier: ISC */
/*
 * hash.h: SHA-256, MD5 and HMAC-SHA256 through OpenSSL's EVP API;
 * FNV-1a for hash tables.
 * Thread-safe.
 */
#ifndef KILN_HASH_H
#define KILN_HASH_H

#define SHA256_HEX_LEN 64

/* out: 65 bytes, lowercase hex, NUL-terminated */
void sha256_hex(const void *data, size_t len, char out[65]);
void sha256_raw(const void *data, size_t len, unsigned char out[32]);
/* SHA-256 of a file's contents; -1 with err on I/O error */
int sha256_file_hex(const char *path, char out[65], struct buf *err);
/* base64 of the MD5 digest, for Content-MD5; out: 25 bytes */
void md5_base64(const void *data, size_t len, char out[25]);
void hmac_sha256(const void *key, size_t keylen, const void *data,
    size_t len, unsigned char out[32]);
void hex_encode(const unsigned char *in, size_t len, char *out);
/* S[0..LEN) is lowercase hex (a SHA-256 in hex: LEN 64); all LEN bytes
   are read, so S must hold them (check its length first) */
bool hex_valid(const char *s, size_t len);
/* FNV-1a of the string S: for hash tables, not for security */
uint32_t fnv1a32(const char *s);
/* constant-time comparison of two equal-length strings */
bool str_ct_equal(const char *a, const char *b);

struct buf;

#endif
