#include "crypto.h"

#include <errno.h>
#include <string.h>
#include <time.h>

#include <fcntl.h>
#include <semaphore.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

static sem_t hash_slots;
static int hash_slots_ready;
static unsigned char master_key[CRYPTO_KEY_BYTES];
static int master_key_loaded;

int crypto_init(int max_hashes)
{
    if (sodium_init() < 0)
        return APP_EINTERNAL;
    if (max_hashes < 1)
        max_hashes = 1;
    if (!hash_slots_ready) {
        sem_init(&hash_slots, 0, (unsigned)max_hashes);
        hash_slots_ready = 1;
    }
    return 0;
}

static int hex_nibble(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static int write_new_key(const char *path, struct app_err *err)
{
    unsigned char key[CRYPTO_KEY_BYTES];
    char hex[CRYPTO_KEY_BYTES * 2 + 2];
    randombytes_buf(key, sizeof(key));
    sodium_bin2hex(hex, sizeof(hex), key, sizeof(key));
    size_t n = strlen(hex);
    hex[n++] = '\n';
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0)
        return app_err_set(err, APP_EIO, NULL, "cannot create key file %s: %s", path,
                           strerror(errno));
    ssize_t w = write(fd, hex, n);
    int rc = (w == (ssize_t)n && fsync(fd) == 0) ? 0 : APP_EIO;
    close(fd);
    sodium_memzero(key, sizeof(key));
    if (rc)
        return app_err_set(err, APP_EIO, NULL, "cannot write key file %s", path);
    return 0;
}

int crypto_load_key(const char *path, int create, struct app_err *err)
{
    if (path == NULL || *path == '\0')
        return app_err_set(err, APP_EIO, NULL, "no key file configured");
    FILE *fp = fopen(path, "r");
    if (fp == NULL && errno == ENOENT && create) {
        int rc = write_new_key(path, err);
        if (rc < 0)
            return rc;
        fp = fopen(path, "r");
    }
    if (fp == NULL)
        return app_err_set(err, APP_EIO, NULL, "cannot read key file %s: %s", path,
                           strerror(errno));
    char line[128] = {0};
    char *got = fgets(line, sizeof(line), fp);
    fclose(fp);
    if (got == NULL)
        return app_err_set(err, APP_EIO, NULL, "key file %s is empty", path);
    for (size_t i = 0; i < CRYPTO_KEY_BYTES; i++) {
        int hi = hex_nibble(line[2 * i]), lo = hex_nibble(line[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return app_err_set(err, APP_EIO, NULL, "key file %s is not 64 hex digits", path);
        master_key[i] = (unsigned char)(hi << 4 | lo);
    }
    master_key_loaded = 1;
    return 0;
}

void crypto_get_master(unsigned char out[CRYPTO_KEY_BYTES])
{
    memcpy(out, master_key, CRYPTO_KEY_BYTES);
}

void crypto_set_master(const unsigned char key[CRYPTO_KEY_BYTES])
{
    memcpy(master_key, key, CRYPTO_KEY_BYTES);
    master_key_loaded = 1;
}

int crypto_has_key(void)
{
    return master_key_loaded;
}

void crypto_subkey(unsigned char out[CRYPTO_KEY_BYTES], enum crypto_subkey which)
{
    crypto_kdf_derive_from_key(out, CRYPTO_KEY_BYTES, (uint64_t)which, "anjiakey", master_key);
}

/* Take a hashing slot, waiting at most 10 s. */
static int slot_take(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += 10;
    while (sem_timedwait(&hash_slots, &ts) != 0) {
        if (errno != EINTR)
            return APP_EBUSY;
    }
    return 0;
}

int crypto_password_hash(char *out, size_t size, const char *password)
{
    if (size < crypto_pwhash_STRBYTES)
        return APP_EINTERNAL;
    int rc = slot_take();
    if (rc < 0)
        return rc;
    int r = crypto_pwhash_str(out, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                              crypto_pwhash_MEMLIMIT_INTERACTIVE);
    sem_post(&hash_slots);
    return r == 0 ? 0 : APP_EBUSY;
}

int crypto_password_verify(const char *hash, const char *password)
{
    int rc = slot_take();
    if (rc < 0)
        return rc;
    int r = crypto_pwhash_str_verify(hash, password, strlen(password));
    sem_post(&hash_slots);
    return r == 0 ? 0 : APP_EAUTH;
}

void crypto_token(char *out, size_t size)
{
    unsigned char raw[32];
    randombytes_buf(raw, sizeof(raw));
    sodium_bin2base64(out, size, raw, sizeof(raw), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

void crypto_hash_hex(char out[CRYPTO_HASH_HEX], const void *data, size_t len)
{
    unsigned char h[32];
    crypto_generichash(h, sizeof(h), data, len, NULL, 0);
    sodium_bin2hex(out, CRYPTO_HASH_HEX, h, sizeof(h));
}

void crypto_mac_hex(char out[CRYPTO_HASH_HEX],
                    enum crypto_subkey which,
                    const void *data,
                    size_t len)
{
    unsigned char key[CRYPTO_KEY_BYTES], h[32];
    crypto_subkey(key, which);
    crypto_generichash(h, sizeof(h), data, len, key, sizeof(key));
    sodium_memzero(key, sizeof(key));
    sodium_bin2hex(out, CRYPTO_HASH_HEX, h, sizeof(h));
}

int crypto_streq(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la != lb)
        return 0;
    return sodium_memcmp(a, b, la) == 0;
}

char *crypto_seal(const char *plaintext)
{
    unsigned char key[CRYPTO_KEY_BYTES];
    size_t mlen = strlen(plaintext);
    size_t blen = crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + mlen;
    unsigned char *box = xmalloc(blen);
    randombytes_buf(box, crypto_secretbox_NONCEBYTES);
    crypto_subkey(key, CRYPTO_KEY_PII_ENC);
    crypto_secretbox_easy(box + crypto_secretbox_NONCEBYTES, (const unsigned char *)plaintext, mlen,
                          box, key);
    sodium_memzero(key, sizeof(key));
    size_t b64 = sodium_base64_ENCODED_LEN(blen, sodium_base64_VARIANT_ORIGINAL_NO_PADDING);
    char *out = xmalloc(3 + b64);
    memcpy(out, "v1:", 3);
    sodium_bin2base64(out + 3, b64, box, blen, sodium_base64_VARIANT_ORIGINAL_NO_PADDING);
    free(box);
    return out;
}

char *crypto_open(const char *sealed)
{
    if (sealed == NULL || strncmp(sealed, "v1:", 3) != 0)
        return NULL;
    size_t slen = strlen(sealed + 3);
    unsigned char *box = xmalloc(slen + 1);
    size_t blen = 0;
    char *out = NULL;
    if (sodium_base642bin(box, slen + 1, sealed + 3, slen, NULL, &blen, NULL,
                          sodium_base64_VARIANT_ORIGINAL_NO_PADDING) != 0 ||
        blen < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES)
        goto done;
    size_t mlen = blen - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES;
    unsigned char key[CRYPTO_KEY_BYTES];
    crypto_subkey(key, CRYPTO_KEY_PII_ENC);
    out = xmalloc(mlen + 1);
    if (crypto_secretbox_open_easy((unsigned char *)out, box + crypto_secretbox_NONCEBYTES,
                                   blen - crypto_secretbox_NONCEBYTES, box, key) != 0) {
        free(out);
        out = NULL;
    } else {
        out[mlen] = '\0';
    }
    sodium_memzero(key, sizeof(key));
done:
    free(box);
    return out;
}

void crypto_blind_index(char out[CRYPTO_HASH_HEX], const char *purpose, const char *value)
{
    size_t pl = strlen(purpose), vl = strlen(value);
    char *buf = xmalloc(pl + vl + 2);
    memcpy(buf, purpose, pl);
    buf[pl] = ':';
    memcpy(buf + pl + 1, value, vl + 1);
    crypto_mac_hex(out, CRYPTO_KEY_PII_INDEX, buf, pl + vl + 1);
    free(buf);
}
