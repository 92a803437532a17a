/* sig: what modinfo shows of a module's appended signature, as kmod 30 built with
 * OpenSSL shows it: for a PKCS#7 signature (every kernel since 4.3 signs so), the
 * first SignerInfo's issuer common name, serial number, digest algorithm and
 * signature, found by a bounds-checked walk over the DER; no cryptography. For the PGP
 * and X.509 key ids of kernels 3.7 to 4.2: the trailer's signer, key id, hash and
 * signature, as kmod shows them. */
#ifndef MODBOX_SIG_H
#define MODBOX_SIG_H

#include <stddef.h>

#include "elf.h"

/* Errors, returned negated. kmod shows no signature fields where these are returned. */
enum {
	SIG_ERANGE = 1, /* trailer: algorithm, hash or id type unknown, or no signature */
	SIG_ETAG, /* a DER element of the wrong type (or a multi-byte tag) */
	SIG_ELEN, /* a DER length that is indefinite, too long, or runs past its parent */
	SIG_ETYPE, /* the PKCS#7 content is not signedData */
	SIG_EINTEGER, /* an INTEGER that is empty or padded, or a negative serial too long */
	SIG_EOID, /* an OBJECT IDENTIFIER that is empty or not minimally encoded */
};

/* The fields, in the order modinfo shows them. */
enum {
	SIG_ID, /* "PKCS#7", "X509" or "PGP" */
	SIG_SIGNER, /* the issuer's common name, cut at a NUL as strlen cuts it */
	SIG_KEY, /* the serial number's magnitude, no leading zeros (shown in hex) */
	SIG_HASHALGO, /* OpenSSL's name ("sha256"); "unknown" for a digest the kernel
		       * does not take */
	SIG_SIGNATURE, /* shown in hex */
	SIG_FIELDS
};

struct sig_info {
	const unsigned char
		*val[SIG_FIELDS]; /* inside the file, or in the buffers below */
	size_t len[SIG_FIELDS];
	unsigned char key[32]; /* a negative serial's magnitude */
};

/* The signature of the file at data, whose trailer elf_signature() read into *es
 * (es->sig_offset and es->sig_len inside the file). Returns 0, or a negative SIG_E*. */
int sig_read(const void *data, const struct elf_sig *es, struct sig_info *si);

/* The PKCS#7 SignedData in der[0..len) (bytes after it are ignored, as OpenSSL's
 * d2i_PKCS7_bio ignores them). Returns 0, or a negative SIG_E*. */
int sig_pkcs7(const unsigned char *der, size_t len, struct sig_info *si);

#endif
