/* SPDX-License-Identifier: ISC */
/*
 * hash.c: digests for manifests, content-addressed media, Content-MD5,
 * webhook signatures and token hashes.
 */
#include "common/compat.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/crypto.h>

#include "common/buf.h"
#include "common/hash.h"

void
hex_encode(const unsigned char *in, size_t len, char *out)
{
	static const char hex[] = "0123456789abcdef";

	for (size_t i = 0; i < len; i++) {
		out[2 * i] = hex[in[i] >> 4];
		out[2 * i + 1] = hex[in[i] & 15];
	}
	out[2 * len] = '\0';
}

/*
 * Without a branch per character: the output records check two digests
 * per line when a build loads them (110,000 lines for a 50,000-page
 * site), and the early exit of a plain loop cost ~9% of an edit build.
 */
bool
hex_valid(const char *s, size_t len)
{
	unsigned bad = 0;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		bad |= (unsigned)((unsigned char)(c - '0') > 9) &
		    (unsigned)((unsigned char)(c - 'a') > 5);
	}
	return bad == 0;
}

/*
 * SHA-256 fetched from the provider once: EVP_sha256() makes OpenSSL 3
 * look the algorithm up again on every digest, which costs more than
 * hashing a page key.
 */
static EVP_MD *sha256_md;
static pthread_key_t sha256_ctx_key;	/* one digest context per thread */
static pthread_once_t sha256_once = PTHREAD_ONCE_INIT;

static void
sha256_ctx_free(void *ctx)
{
	EVP_MD_CTX_free(ctx);
}

static void
sha256_fetch(void)
{
	sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
	pthread_key_create(&sha256_ctx_key, sha256_ctx_free);
}

static const EVP_MD *
sha256_alg(void)
{
	pthread_once(&sha256_once, sha256_fetch);
	return sha256_md ? sha256_md : EVP_sha256();
}

void
sha256_raw(const void *data, size_t len, unsigned char out[32])
{
	const EVP_MD *md = sha256_alg();
	EVP_MD_CTX *ctx = pthread_getspecific(sha256_ctx_key);
	unsigned int n = 32;

	if (!ctx && (ctx = EVP_MD_CTX_new()) != NULL)
		pthread_setspecific(sha256_ctx_key, ctx);
	if (!ctx || !EVP_DigestInit_ex2(ctx, md, NULL) ||
	    !EVP_DigestUpdate(ctx, data, len) ||
	    !EVP_DigestFinal_ex(ctx, out, &n))
		EVP_Digest(data, len, out, &n, md, NULL);
}

void
sha256_hex(const void *data, size_t len, char out[65])
{
	unsigned char md[32];

	sha256_raw(data, len, md);
	hex_encode(md, 32, out);
}

int
sha256_file_hex(const char *path, char out[65], struct buf *err)
{
	EVP_MD_CTX *ctx;
	unsigned char md[32], chunk[65536];
	unsigned int n = 32;
	ssize_t r;
	int fd, rc = -1;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		buf_setf(err, "cannot open '%s': %s", path, strerror(errno));
		return -1;
	}
	ctx = EVP_MD_CTX_new();
	EVP_DigestInit_ex(ctx, sha256_alg(), NULL);
	while ((r = read(fd, chunk, sizeof(chunk))) > 0)
		EVP_DigestUpdate(ctx, chunk, (size_t)r);
	if (r == -1) {
		buf_setf(err, "cannot read '%s': %s", path, strerror(errno));
		goto out;
	}
	EVP_DigestFinal_ex(ctx, md, &n);
	hex_encode(md, 32, out);
	rc = 0;
out:
	EVP_MD_CTX_free(ctx);
	close(fd);
	return rc;
}

void
md5_base64(const void *data, size_t len, char out[25])
{
	unsigned char md[16];
	unsigned int n = 16;

	EVP_Digest(data, len, md, &n, EVP_md5(), NULL);
	EVP_EncodeBlock((unsigned char *)out, md, 16);
}

void
hmac_sha256(const void *key, size_t keylen, const void *data, size_t len,
    unsigned char out[32])
{
	unsigned int n = 32;

	HMAC(EVP_sha256(), key, (int)keylen, data, len, out, &n);
}

bool
str_ct_equal(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	if (la != lb)
		return false;
	return CRYPTO_memcmp(a, b, la) == 0;
}

uint32_t
fnv1a32(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}
