/*
 * crypto.h - passwords, tokens and keyed hashes (libsodium).
 *
 * The master key lives in a file outside the database (ANJIA_KEY_FILE or
 * --key-file). Subkeys are derived from it per purpose, so the audit chain's
 * MAC key and later the personal-data keys never share bytes.
 */
#ifndef CRYPTO_H
#define CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#include "app.h"

#define CRYPTO_KEY_BYTES   32
#define CRYPTO_TOKEN_CHARS 43 /* 32 random bytes in unpadded base64url */
#define CRYPTO_HASH_HEX    65 /* 32-byte hash as hex + NUL */

enum crypto_subkey { CRYPTO_KEY_AUDIT = 1, CRYPTO_KEY_PII_ENC = 2, CRYPTO_KEY_PII_INDEX = 3 };

/* Initialise libsodium and cap concurrent password hashes at max_hashes. */
int crypto_init(int max_hashes);

/* Load the master key from path; when the file is missing and create is set,
 * make a new random key there (mode 0600). APP_EIO on failure with err set. */
int crypto_load_key(const char *path, int create, struct app_err *err);
/* Key rotation: the loaded master key, and replacing it in this process. */
void crypto_get_master(unsigned char out[CRYPTO_KEY_BYTES]);
void crypto_set_master(const unsigned char key[CRYPTO_KEY_BYTES]);
/* Is a master key loaded? */
int crypto_has_key(void);
/* Derive a purpose subkey from the loaded master key. */
void crypto_subkey(unsigned char out[CRYPTO_KEY_BYTES], enum crypto_subkey which);

/* argon2id hash of password into out (crypto_pwhash_STRBYTES).
 * APP_EBUSY when too many hashes are running for too long. */
int crypto_password_hash(char *out, size_t size, const char *password);
/* 0 when password matches hash, APP_EAUTH when not, APP_EBUSY as above. */
int crypto_password_verify(const char *hash, const char *password);

/* A fresh random token: 43 chars of base64url + NUL into out (>= 44 bytes). */
void crypto_token(char *out, size_t size);
/* Hex of the unkeyed 32-byte BLAKE2b hash of data (for storing token hashes). */
void crypto_hash_hex(char out[CRYPTO_HASH_HEX], const void *data, size_t len);
/* Hex of the 32-byte BLAKE2b MAC of data under a subkey. */
void crypto_mac_hex(char out[CRYPTO_HASH_HEX],
                    enum crypto_subkey which,
                    const void *data,
                    size_t len);
/* Encrypt text under the personal-data key (XChaCha20-Poly1305, random
 * nonce): "v1:" + base64(nonce | ciphertext). The caller frees the result. */
char *crypto_seal(const char *plaintext);
/* Decrypt what crypto_seal() made; NULL when altered or under another key.
 * The caller frees the result. */
char *crypto_open(const char *sealed);
/* Blind index of a normalised value: hex MAC under the index subkey, with a
 * purpose label so equal values of different kinds index differently. */
void crypto_blind_index(char out[CRYPTO_HASH_HEX], const char *purpose, const char *value);

/* Constant-time string equality; 1 when equal. */
int crypto_streq(const char *a, const char *b);

#endif
