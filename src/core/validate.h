/*
 * validate.h - checks and normalisation of Chinese identifiers (DOMAIN.md §6):
 * resident ID numbers (GB 11643-1999), HK/Macau/Taiwan residence permits,
 * foreigners' permanent residence cards, unified social credit codes
 * (GB 32100-2015), mainland mobile numbers, passports; and their masks.
 *
 * Normalising functions write into out (size bytes) and return 0, or
 * APP_EINVAL with a Chinese message in err naming field.
 */
#ifndef VALIDATE_H
#define VALIDATE_H

#include <stddef.h>

#include <jansson.h>

#include "app.h"

/* 18-character resident ID (or a 15-digit legacy one, converted to 18):
 * layout, real birth date, check character; lower-case x accepted, stored
 * upper-case. Also accepts the residence-permit (810000/820000/830000) and
 * the 2023 permanent-residence (leading 9) numbers, which share the layout. */
int validate_id_card(
        char *out, size_t size, const char *in, const char *field, struct app_err *err);
/* The check character of the first 17 digits ('0'-'9' or 'X'). */
char validate_id_check_char(const char *first17);
/* Residence permit for HK/Macau/Taiwan residents: an ID-card number whose
 * address code is 810000, 820000 or 830000. */
int validate_hmt_permit(
        char *out, size_t size, const char *in, const char *field, struct app_err *err);
/* Unified social credit code: 18 chars of 0-9 A-H J-N P-R T U W-Y, check char. */
int validate_uscc(char *out, size_t size, const char *in, const char *field, struct app_err *err);
/* Mainland mobile: separators and +86/0086 stripped, 11 digits starting 1[3-9]. */
int validate_mobile(char *out, size_t size, const char *in, const char *field, struct app_err *err);
/* Passport and other documents: 5-20 letters and digits, upper-cased. */
int validate_document_no(
        char *out, size_t size, const char *in, const char *field, struct app_err *err);

/* An e-mail address: one '@', a dot in the domain, no spaces; lower-cased domain. */
int validate_email(char *out, size_t size, const char *in, const char *field, struct app_err *err);
/* A code (project code …): letters, digits, '-' and '_', stored upper-case. */
int validate_code(char *out, size_t size, const char *in, const char *field, struct app_err *err);

/* A date member k of a JSON request as YYYY-MM-DD (a real date). Absent or
 * null is fine unless VALIDATE_DATE_REQUIRED; with VALIDATE_DATE_NOT_FUTURE
 * it may not be after today (things that have happened: a loan stage
 * reached, money received). */
enum { VALIDATE_DATE_REQUIRED = 1, VALIDATE_DATE_NOT_FUTURE = 2 };
int validate_date_field(json_t *in, const char *k, int flags, struct app_err *err);

/* Masks for display: 110105********002X, 138****5678, ****1234. */
void mask_id(char *out, size_t size, const char *id);
void mask_phone(char *out, size_t size, const char *phone);
void mask_tail(char *out, size_t size, const char *s);

#endif
