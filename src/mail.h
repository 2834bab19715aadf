/*
 * mail.h - completion and failure mails (SPEC §7): message building (pure)
 * and sending through libcurl SMTP.
 *
 * Building is split from sending so that unit tests need no server:
 * xq_mail_compose() turns a job's facts into a subject and a plain-text and
 * an HTML body; xq_mail_format() turns those into one RFC 5322 message with
 * a MIME multipart/alternative body (UTF-8, quoted-printable, lines well
 * under 998 bytes).  Header injection is impossible: CR and LF are removed
 * from every header value, and an address containing anything but a plain
 * addr-spec is refused.  HTML bodies escape every value they show.
 *
 * xq_mail_send() talks to SMTP_URL (STARTTLS when the server offers it,
 * SMTP_USER/SMTP_PASSWORD when set) with bounded connect and total times.
 * It is safe to call in a forked worker (curl_global_init is done lazily
 * once per process).
 */
#ifndef XQ_MAIL_H
#define XQ_MAIL_H

#include <time.h>

#include "buf.h"
#include "config.h"
#include "error.h"

/* Largest formatted message accepted (the bodies are short by design). */
#define XQ_MAIL_MAX (256 * 1024)
#define XQ_MAIL_ADDR_MAX 254

/* What a mail says about a job; every pointer borrowed, may be NULL/"". */
typedef struct xq_mail_job {
    const char *job_id;
    const char *export_type;  /* "model-breakdown", ... */
    const char *format;       /* "csv", "json", "excel" */
    const char *start_date;   /* YYYY-MM-DD */
    const char *end_date;
    const char *file_name;    /* completed only */
    const char *download_url; /* completed only: absolute or relative signed link */
    long long rows;
    long long bytes;
    long long expires_at_ms;  /* completed only */
    const char *error;        /* failed only: the user-facing reason */
} xq_mail_job;

/* A message ready to format; every pointer borrowed. */
typedef struct xq_mail_message {
    const char *from;        /* addr-spec */
    const char *to;          /* addr-spec */
    const char *subject;     /* UTF-8; RFC 2047-encoded when not ASCII */
    const char *text;        /* UTF-8 plain-text body */
    const char *html;        /* UTF-8 HTML body */
    time_t date;             /* Date: header */
    const char *message_id;  /* left part of Message-ID (hex/uuid); CR/LF stripped */
} xq_mail_message;

/*
 * 1 when addr is a plain addr-spec we are willing to put in a header and an
 * SMTP command: 3..254 bytes of printable ASCII, exactly one '@' with text on
 * both sides, none of space, '<', '>', '(', ')', ',', ';', ':', '"', '\\'.
 */
int xq_mail_addr_valid(const char *addr);

/*
 * Subject and bodies for a job: failed = 0 for the completion mail (link,
 * rows, size, expiry), 1 for the final-failure mail (reason).  Appends to
 * subject, text and html (caller-owned buffers).  Pure.
 */
xq_status xq_mail_compose(const xq_mail_job *job, int failed, xq_buf *subject, xq_buf *text,
                          xq_buf *html);

/* "1.5 MB", "812 bytes": a size for people (out at least 32 bytes). */
void xq_mail_human_size(long long bytes, char *out, size_t outsz);

/*
 * The whole RFC 5322 message (headers, CRLF line ends) appended to out.
 * XQ_ERR_INVALID when from/to is not a valid address.  Pure.
 */
xq_status xq_mail_format(const xq_mail_message *m, xq_buf *out, xq_err *err);

/*
 * Send a formatted message to `to` from cfg->smtp_from over cfg->smtp_url.
 * XQ_ERR_INVALID: bad address or no SMTP_URL; XQ_ERR_IO: the SMTP exchange
 * failed (err->msg says how, never with the password).
 */
xq_status xq_mail_send(const xq_config *cfg, const char *to, const char *msg, size_t len,
                       xq_err *err);

#endif
