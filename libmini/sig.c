/* sig: module signatures for modinfo: the trailer's fields, and a minimal DER walker
 * over PKCS#7 SignedData (RFC 2315). Every length is checked against the end of the
 * element holding it before anything inside is read. */
#include "sig.h"

#include <string.h>

struct der {
	const unsigned char *p, *end;
};

/* The element at d->p, inside d: its contents in *c, d->p moved past it. Returns its
 * tag, or -SIG_ELEN or -SIG_ETAG. */
static int tlv(struct der *d, struct der *c)
{
	const unsigned char *p = d->p;
	size_t len, n;
	int tag;

	if (d->end - p < 2)
		return -SIG_ELEN;
	tag = *p++;
	len = *p++;
	if (len & 0x80) {
		/* long form; an indefinite length (BER) is no DER */
		n = len & 0x7f;
		if (!n || n > 4 || n > (size_t)(d->end - p))
			return -SIG_ELEN;
		for (len = 0; n--;)
			len = len << 8 | *p++;
	}
	if (len > (size_t)(d->end - p))
		return -SIG_ELEN;
	c->p = p;
	d->p = c->end = p + len;
	return (tag & 0x1f) == 0x1f ? -SIG_ETAG : tag;
}

/* The element at d->p, which must have tag: 0 or a negative SIG_E*. INTEGERs and
 * OBJECT IDENTIFIERs as OpenSSL takes them: an INTEGER not empty and without a padding
 * byte (0x00 before a byte below 0x80, 0xff before one above); an OID not empty, its
 * last byte ending a subidentifier, no subidentifier starting with 0x80. */
static int expect(struct der *d, struct der *c, int tag)
{
	int t = tlv(d, c);
	const unsigned char *p = c->p;
	size_t n = c->end - p;

	if (t != tag)
		return t < 0 ? t : -SIG_ETAG;
	if (tag == 0x02 && (!n || (n > 1 && ((!p[0] && !(p[1] & 0x80)) ||
					     (p[0] == 0xff && p[1] & 0x80)))))
		return -SIG_EINTEGER;
	if (tag == 0x06) {
		if (!n || p[n - 1] & 0x80)
			return -SIG_EOID;
		for (; p < c->end; p++)
			if (*p == 0x80 && (p == c->p || !(p[-1] & 0x80)))
				return -SIG_EOID;
	}
	return 0;
}

static int is(struct der d, const char *bytes, size_t n)
{
	return (size_t)(d.end - d.p) == n && !memcmp(d.p, bytes, n);
}

static const char *nth(const char *list, unsigned n)
{
	for (; n; n--)
		list += strlen(list) + 1;
	return list;
}

static void set(struct sig_info *si, int f, const void *p, size_t n)
{
	si->val[f] = p;
	si->len[f] = n;
}

/* OpenSSL's name for the digest algorithm o (OBJ_obj2txt gives the long name), for the
 * algorithms the kernel accepts in a module signature (and a few older ones); kmod's
 * "unknown" for others, which OpenSSL would name or write as digits. */
static const char *hash_name(struct der o)
{
	/* 2.16.840.1.101.3.4.2.N, N = 1..10 */
	static const char nist[] =
		"sha256\0sha384\0sha512\0sha224\0sha512-224\0sha512-256\0"
		"sha3-224\0sha3-256\0sha3-384\0sha3-512";
	/* length, OID, name */
	static const char others[] = "\5\x2b\x0e\x03\x02\x1a"
				     "sha1\0"
				     "\10\x2a\x86\x48\x86\xf7\x0d\x02\x05"
				     "md5\0"
				     "\10\x2a\x86\x48\x86\xf7\x0d\x02\x04"
				     "md4\0"
				     "\10\x2a\x81\x1c\xcf\x55\x01\x83\x11"
				     "sm3\0";
	const char *t;

	if (o.end - o.p == 9 && !memcmp(o.p, "\x60\x86\x48\x01\x65\x03\x04\x02", 8) &&
	    o.p[8] - 1u < 10)
		return nth(nist, o.p[8] - 1);
	for (t = others; *t; t += *t + 1, t += strlen(t) + 1)
		if (is(o, t + 1, *t))
			return t + 1 + *t;
	return "unknown";
}

int sig_pkcs7(const unsigned char *der, size_t len, struct sig_info *si)
{
	/* An action and a tag a step: i(nto) the element, s(kip) it, k(eep) it, skip it
	 * if it is there (?). ContentInfo: contentType, [0] SignedData: version,
	 * digestAlgorithms, contentInfo, [0] certificates, [1] crls, signerInfos: the first
	 * SignerInfo: version, issuerAndSerialNumber, digestAlgorithm,
	 * [0] authenticatedAttributes, digestEncryptionAlgorithm, encryptedDigest. */
	static const char walk[] = "i\x30k\x06i\xa0i\x30s\x02s\x31s\x30?\xa0?\xa1i\x31"
				   "i\x30s\x02k\x30k\x30?\xa0s\x30k\x04";
	struct der d = {der, der + len}, c, keep[4], name, serial, rdn, atv, o,
		   v = {0, 0};
	const unsigned char *p;
	const char *w;
	size_t n;
	int k = 0, t, carry = 1, cn = 0;

	memset(si, 0, sizeof(*si));
	for (w = walk; *w; w += 2) {
		p = d.p;
		if (*w == '?') {
			if (tlv(&d, &c) != (unsigned char)w[1])
				d.p = p;
			continue;
		}
		if ((t = expect(&d, &c, (unsigned char)w[1])))
			return t;
		if (*w == 'i')
			d = c;
		if (*w == 'k')
			keep[k++] = c;
	}
	/* keep: contentType, issuerAndSerialNumber, digestAlgorithm, encryptedDigest */
	if (!is(keep[0], "\x2a\x86\x48\x86\xf7\x0d\x01\x07\x02", 9))
		return -SIG_ETYPE;
	if ((t = expect(&keep[1], &name, 0x30)) ||
	    (t = expect(&keep[1], &serial, 0x02)) || (t = expect(&keep[2], &o, 0x06)))
		return t;
	set(si, SIG_ID, "PKCS#7", 6);
	set(si, SIG_SIGNATURE, keep[3].p, keep[3].end - keep[3].p);
	p = (const unsigned char *)hash_name(o);
	set(si, SIG_HASHALGO, p, strlen((const char *)p));
	/* signer: the issuer's first commonName (2.5.4.3), else its last attribute, as
	 * kmod's x509_name_to_str */
	while (!cn && name.p < name.end) {
		if ((t = expect(&name, &rdn, 0x31)))
			return t;
		while (!cn && rdn.p < rdn.end) {
			if ((t = expect(&rdn, &atv, 0x30)) ||
			    (t = expect(&atv, &o, 0x06)) || (t = tlv(&atv, &v)) < 0)
				return t;
			cn = is(o, "\x55\x04\x03", 3);
		}
	}
	set(si, SIG_SIGNER, v.p, v.p ? strnlen((const char *)v.p, v.end - v.p) : 0);
	/* key: the serial's magnitude without leading zeros, as BN_bn2bin gives it */
	p = serial.p;
	n = serial.end - p;
	if (*p & 0x80) {
		if (n > sizeof(si->key))
			return -SIG_EINTEGER;
		while (n--) {
			carry += (unsigned char)~p[n];
			si->key[n] = carry;
			carry >>= 8;
		}
		n = serial.end - p;
		p = si->key;
	}
	while (n && !*p) {
		p++;
		n--;
	}
	set(si, SIG_KEY, p, n);
	return 0;
}

int sig_read(const void *data, const struct elf_sig *es, struct sig_info *si)
{
	static const char hashes[] = "md4\0md5\0sha1\0rmd160\0sha256\0sha384\0sha512\0"
				     "sha224\0sm3";
	const unsigned char *d = data;
	const char *h = hashes;
	unsigned k;

	/* kmod's checks of the trailer */
	if (es->algo > 1 || es->hash > 8 || es->id_type > 2 || !es->sig_len)
		return -SIG_ERANGE;
	if (es->id_type == 2)
		return sig_pkcs7(d + es->sig_offset, es->sig_len, si);
	/* the PGP and X.509 key ids of kernels 3.7 to 4.2: the trailer's own fields */
	set(si, SIG_ID, es->id_type ? "X509" : "PGP", 4 - !es->id_type);
	set(si, SIG_SIGNER, d + es->elf_size, es->signer_len);
	set(si, SIG_KEY, d + es->elf_size + es->signer_len, es->key_id_len);
	for (k = es->hash; k--;)
		h += strlen(h) + 1;
	set(si, SIG_HASHALGO, h, strlen(h));
	set(si, SIG_SIGNATURE, d + es->sig_offset, es->sig_len);
	return 0;
}
