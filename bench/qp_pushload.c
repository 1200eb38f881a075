/* SPDX-License-Identifier: Apache-2.0 */
/* qp_pushload: a small, fast HTTP/2 load client that ACCEPTS server push,
 * to measure pushes delivered per second against a live httpd.
 *
 * Build (from the top of the checkout):
 *   cc -O2 -Wall -Wextra -o bench/qp_pushload bench/qp_pushload.c $(pkg-config --cflags --libs libnghttp2 openssl)
 *
 * Why it exists: h2load sends SETTINGS_ENABLE_PUSH=0 and reuses
 * connections, and starting one nghttp process per page costs more than the
 * page itself. A push is only sent on a connection whose push diary has not
 * seen the resource yet, so the realistic case is a first visit: every page
 * load here uses a NEW connection (TCP connect, TLS handshake with ALPN h2 or
 * h2c prior knowledge, preface), sends one GET, accepts every PUSH_PROMISE
 * and reads the main and all pushed responses to the end.
 *
 * Design: one thread, one level-triggered epoll loop, -c connection slots.
 * A slot runs one page load at a time as a small state machine (connecting,
 * TLS handshake, HTTP/2) on a non-blocking socket; libnghttp2 is driven
 * through its memory interface so that plain TCP and TLS share one path.
 * One thread keeps it simple and leaves the other CPUs to the server
 * being measured. It is not free: with OpenSSL 3.0 the client spends about
 * 0.7 ms of CPU per TLS page load (a third of it decoding the server's
 * certificate), so one process tops out near 1,400 TLS page loads/s; h2c
 * costs a tenth of that.
 */
#define _GNU_SOURCE

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>

#include <nghttp2/nghttp2.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

/* libnghttp2 1.60 deprecated the ssize_t memory interface; use the
 * replacement where it exists so that newer systems build without
 * warnings too. */
#if defined(NGHTTP2_VERSION_NUM) && NGHTTP2_VERSION_NUM >= 0x013c00
#define qp_h2_mem_recv nghttp2_session_mem_recv2
#define qp_h2_mem_send nghttp2_session_mem_send2
typedef nghttp2_ssize qp_h2_ssize;
#else
#define qp_h2_mem_recv nghttp2_session_mem_recv
#define qp_h2_mem_send nghttp2_session_mem_send
typedef ssize_t qp_h2_ssize;
#endif

#if defined(__GNUC__)
#define QP_PRINTF(f, a)   __attribute__((format(printf, f, a)))
#define QP_NORETURN       __attribute__((noreturn))
#else
#define QP_PRINTF(f, a)
#define QP_NORETURN
#endif

#define QP_NAME           "qp_pushload"
#define QP_READ_BUF       16384
#define QP_OUT_CHUNK      16384     /* coalesce frames into one write */
#define QP_MAX_HEADERS    64
#define QP_ERR_SHOWN      5         /* errors printed; the rest only counted */
/* Browser-like flow control windows, so that a few KB of pushed responses
 * never wait for a WINDOW_UPDATE round trip (which would distort the
 * page completion time over a delaying proxy). */
#define QP_STREAM_WINDOW  (1 << 20)
#define QP_CONN_WINDOW    (1 << 24)
#define QP_MAX_STREAMS    100

static const char qp_usage_text[] =
"Usage: " QP_NAME " [options] URL\n"
"Load a page over HTTP/2 accepting server push, one new connection per\n"
"page load, and report page loads and pushes per second.\n"
"  -n N              page loads in total (default 1)\n"
"  -c C              concurrent connections (default 1)\n"
"  -t SECONDS        start loads for this long instead of -n loads\n"
"                    (with -n too, whichever limit comes first)\n"
"  -H 'name: value'  extra request header, repeatable ('host: x' sets\n"
"                    :authority)\n"
"  --h2c             cleartext HTTP/2 with prior knowledge (implied by\n"
"                    http:// URLs; https:// means TLS with ALPN h2)\n"
"  --no-push         send SETTINGS_ENABLE_PUSH=0, for comparison\n"
"  --timeout MS      limit for one page load, connect to last stream\n"
"                    closed (default 10000)\n"
"  -v                print a frame timeline of each load (use -n 1)\n"
"  -h, --help        this text\n"
"Prints on stdout a detail line (promised= push_reset= push_non2xx=\n"
"main_bytes= interim= err_*=) and last the result line:\n"
"  pages= failed= seconds= pages_per_s= pushes= pushes_per_s=\n"
"  pushed_bytes= push_per_page= p50_ms= p90_ms= p99_ms=\n"
"Exit status 0 if no page load failed, 1 if any did, 2 for usage or\n"
"setup errors.\n";

/* ------------------------------------------------------------------------
 * configuration and results
 */

typedef enum {
    QP_ERR_CONNECT,
    QP_ERR_TLS,
    QP_ERR_H2,
    QP_ERR_RST,
    QP_ERR_STATUS,
    QP_ERR_TIMEOUT,
    QP_ERR_CLOSED,
    QP_ERR_COUNT
} qp_err;

static const char *const qp_err_key[QP_ERR_COUNT] = {
    "connect", "tls", "h2", "rst", "status", "timeout", "closed"
};

typedef struct {
    int tls;
    char *host;                 /* without IPv6 brackets, to connect */
    char *sni;                  /* server name to send, NULL for none */
    char *port;
    char *authority;            /* as written in the URL */
    char *path;                 /* with query, without fragment */
    unsigned long n;
    int n_given;
    int c;
    double t_limit;             /* seconds, 0 for none */
    int push;
    int timeout_ms;
    int verbose;
    int verbose_prefix;         /* tag timeline lines with the load number */
    nghttp2_nv nva[QP_MAX_HEADERS];
    size_t nvlen;
    struct sockaddr_storage addr;
    socklen_t addrlen;
    int family;
    char addr_text[300];        /* "host:port (address)" for messages */
    SSL_CTX *ssl_ctx;
    nghttp2_session_callbacks *cbs;
    int epfd;
} qp_config;

typedef struct {
    unsigned long started;
    unsigned long pages;        /* completed successfully */
    unsigned long failed;
    /* the counters below cover successful page loads only, so that the
     * ratios in the result line describe complete pages */
    unsigned long promised;
    unsigned long pushes;       /* pushed responses read to END_STREAM */
    unsigned long push_reset;   /* promised streams closed otherwise */
    unsigned long push_non2xx;
    unsigned long interim;      /* 1xx responses on the main stream */
    uint64_t pushed_bytes;
    uint64_t main_bytes;
    unsigned long err[QP_ERR_COUNT];
    unsigned long errors_printed;
    unsigned long errors_hidden;
    double *lat;                /* ms, successful loads */
    size_t lat_len;
    size_t lat_cap;
} qp_stats;

static qp_config cfg;
static qp_stats stats;
static volatile sig_atomic_t qp_interrupted;

/* ------------------------------------------------------------------------
 * one connection slot
 */

typedef enum {
    QP_IDLE,
    QP_CONNECTING,
    QP_HANDSHAKE,
    QP_H2
} qp_state;

typedef struct {
    qp_state state;
    unsigned long load_no;
    int fd;
    SSL *ssl;
    int ssl_dead;               /* fatal TLS error: no SSL_shutdown */
    int ssl_ready;              /* handshake done */
    uint32_t hs_events;         /* what the handshake waits for */
    int ssl_read_wants_write;
    nghttp2_session *h2;
    uint32_t events;            /* registered with epoll */
    double t_start;
    double deadline;
    int32_t main_id;
    int main_ended;             /* END_STREAM seen on the main stream */
    int main_closed;
    uint32_t main_error;
    int main_status;
    int push_open;              /* promised and not yet closed */
    int goaway;
    uint32_t goaway_error;
    unsigned long promised;
    unsigned long pushes;
    unsigned long push_reset;
    unsigned long push_non2xx;
    unsigned long interim;
    uint64_t pushed_bytes;
    uint64_t main_bytes;
    int last_status;            /* for the timeline */
    char promise_path[256];     /* for the timeline */
    unsigned char *out;         /* frames not yet written to the socket */
    size_t out_len;
    size_t out_off;
    size_t out_cap;
} qp_conn;

/* Stream user data on promised streams. Marking them in on_frame_recv
 * (rather than counting in on_begin_headers) means a promise that nghttp2
 * refuses itself is neither counted nor waited for. */
static char qp_push_mark;
static char qp_push_ended_mark;

static double qp_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void qp_die(const char *fmt, ...) QP_PRINTF(1, 2) QP_NORETURN;
static void qp_die(const char *fmt, ...)
{
    va_list ap;

    fputs(QP_NAME ": ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(2);
}

static void *qp_xrealloc(void *p, size_t size)
{
    void *np = realloc(p, size);

    if (np == NULL) {
        qp_die("out of memory");
    }
    return np;
}

static char *qp_xstrndup(const char *s, size_t len)
{
    char *d = qp_xrealloc(NULL, len + 1);

    memcpy(d, s, len);
    d[len] = '\0';
    return d;
}

static void qp_vlog(const qp_conn *c, const char *fmt, ...) QP_PRINTF(2, 3);
static void qp_vlog(const qp_conn *c, const char *fmt, ...)
{
    va_list ap;

    if (cfg.verbose_prefix) {
        printf("[%lu] ", c->load_no);
    }
    printf("%9.3f ms  ", (qp_now() - c->t_start) * 1000.0);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
}

static const char *qp_frame_name(uint8_t type)
{
    switch (type) {
    case NGHTTP2_DATA:
        return "DATA";
    case NGHTTP2_HEADERS:
        return "HEADERS";
    case NGHTTP2_PRIORITY:
        return "PRIORITY";
    case NGHTTP2_RST_STREAM:
        return "RST_STREAM";
    case NGHTTP2_SETTINGS:
        return "SETTINGS";
    case NGHTTP2_PUSH_PROMISE:
        return "PUSH_PROMISE";
    case NGHTTP2_PING:
        return "PING";
    case NGHTTP2_GOAWAY:
        return "GOAWAY";
    case NGHTTP2_WINDOW_UPDATE:
        return "WINDOW_UPDATE";
    case NGHTTP2_CONTINUATION:
        return "CONTINUATION";
    default:
        return "UNKNOWN";
    }
}

static const char *qp_settings_name(int32_t id)
{
    switch (id) {
    case NGHTTP2_SETTINGS_HEADER_TABLE_SIZE:
        return "HEADER_TABLE_SIZE";
    case NGHTTP2_SETTINGS_ENABLE_PUSH:
        return "ENABLE_PUSH";
    case NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS:
        return "MAX_CONCURRENT_STREAMS";
    case NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE:
        return "INITIAL_WINDOW_SIZE";
    case NGHTTP2_SETTINGS_MAX_FRAME_SIZE:
        return "MAX_FRAME_SIZE";
    case NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE:
        return "MAX_HEADER_LIST_SIZE";
    default:
        return NULL;
    }
}

static void qp_log_frame(qp_conn *c, const char *dir, const nghttp2_frame *f)
{
    char extra[512];
    size_t i, off;
    int recv = dir[0] == 'r';

    extra[0] = '\0';
    switch (f->hd.type) {
    case NGHTTP2_DATA:
        snprintf(extra, sizeof(extra), " len=%zu", f->hd.length);
        break;
    case NGHTTP2_HEADERS:
        if (recv) {
            snprintf(extra, sizeof(extra), " :status=%d%s", c->last_status,
                     f->hd.stream_id == c->main_id ? "" : " (pushed)");
        }
        else {
            snprintf(extra, sizeof(extra), " GET %s", cfg.path);
        }
        break;
    case NGHTTP2_PUSH_PROMISE:
        snprintf(extra, sizeof(extra), " promised=%d :path=%s",
                 f->push_promise.promised_stream_id, c->promise_path);
        break;
    case NGHTTP2_RST_STREAM:
        snprintf(extra, sizeof(extra), " error=%s",
                 nghttp2_http2_strerror(f->rst_stream.error_code));
        break;
    case NGHTTP2_SETTINGS:
        if (f->hd.flags & NGHTTP2_FLAG_ACK) {
            snprintf(extra, sizeof(extra), " ACK");
            break;
        }
        for (i = 0, off = 0; i < f->settings.niv && off < sizeof(extra); i++) {
            const char *name = qp_settings_name(f->settings.iv[i].settings_id);
            int n = name ? snprintf(extra + off, sizeof(extra) - off,
                                    " %s=%u", name, f->settings.iv[i].value)
                         : snprintf(extra + off, sizeof(extra) - off,
                                    " 0x%x=%u",
                                    (unsigned)f->settings.iv[i].settings_id,
                                    f->settings.iv[i].value);
            if (n < 0) {
                break;
            }
            off += (size_t)n;
        }
        break;
    case NGHTTP2_WINDOW_UPDATE:
        snprintf(extra, sizeof(extra), " increment=%d",
                 f->window_update.window_size_increment);
        break;
    case NGHTTP2_GOAWAY:
        snprintf(extra, sizeof(extra), " last_stream=%d error=%s",
                 f->goaway.last_stream_id,
                 nghttp2_http2_strerror(f->goaway.error_code));
        break;
    case NGHTTP2_PING:
        if (f->hd.flags & NGHTTP2_FLAG_ACK) {
            snprintf(extra, sizeof(extra), " ACK");
        }
        break;
    default:
        break;
    }
    qp_vlog(c, "%s %-13s stream=%d%s%s", dir, qp_frame_name(f->hd.type),
            f->hd.stream_id, extra,
            (f->hd.type == NGHTTP2_DATA || f->hd.type == NGHTTP2_HEADERS)
            && (f->hd.flags & NGHTTP2_FLAG_END_STREAM) ? " END_STREAM" : "");
}

/* ------------------------------------------------------------------------
 * nghttp2 callbacks; user_data is the qp_conn
 */

static int qp_on_begin_headers(nghttp2_session *s, const nghttp2_frame *f,
                               void *ud)
{
    qp_conn *c = ud;

    (void)s;
    if (f->hd.type == NGHTTP2_HEADERS) {
        c->last_status = 0;
    }
    else if (f->hd.type == NGHTTP2_PUSH_PROMISE) {
        c->promise_path[0] = '\0';
    }
    return 0;
}

static int qp_on_header(nghttp2_session *s, const nghttp2_frame *f,
                        const uint8_t *name, size_t namelen,
                        const uint8_t *value, size_t valuelen,
                        uint8_t flags, void *ud)
{
    qp_conn *c = ud;

    (void)s;
    (void)flags;
    if (f->hd.type == NGHTTP2_HEADERS) {
        int st;

        if (namelen != 7 || memcmp(name, ":status", 7) != 0) {
            return 0;
        }
        /* nghttp2's HTTP messaging checks already require 3 digits */
        st = valuelen == 3 ? (value[0] - '0') * 100 + (value[1] - '0') * 10
                             + (value[2] - '0') : 0;
        c->last_status = st;
        if (f->hd.stream_id == c->main_id) {
            if (st >= 200) {
                c->main_status = st;
            }
            else {
                /* 103 Early Hints and friends come before the final one */
                c->interim++;
            }
        }
        else if (st >= 300 || (st < 200 && st != 0)) {
            c->push_non2xx++;
        }
    }
    else if (f->hd.type == NGHTTP2_PUSH_PROMISE && cfg.verbose
             && namelen == 5 && memcmp(name, ":path", 5) == 0) {
        size_t n = valuelen < sizeof(c->promise_path) - 1 ?
                   valuelen : sizeof(c->promise_path) - 1;

        memcpy(c->promise_path, value, n);
        c->promise_path[n] = '\0';
    }
    return 0;
}

static int qp_on_frame_recv(nghttp2_session *s, const nghttp2_frame *f,
                            void *ud)
{
    qp_conn *c = ud;
    int32_t id = f->hd.stream_id;

    switch (f->hd.type) {
    case NGHTTP2_PUSH_PROMISE:
        c->promised++;
        c->push_open++;
        nghttp2_session_set_stream_user_data(s,
            f->push_promise.promised_stream_id, &qp_push_mark);
        break;
    case NGHTTP2_HEADERS:
    case NGHTTP2_DATA:
        /* "completed" means the server finished the response, not merely
         * that the stream went away */
        if (f->hd.flags & NGHTTP2_FLAG_END_STREAM) {
            if (id == c->main_id) {
                c->main_ended = 1;
            }
            else if (nghttp2_session_get_stream_user_data(s, id)
                     == &qp_push_mark) {
                nghttp2_session_set_stream_user_data(s, id,
                                                     &qp_push_ended_mark);
            }
        }
        break;
    case NGHTTP2_GOAWAY:
        c->goaway = 1;
        c->goaway_error = f->goaway.error_code;
        break;
    default:
        break;
    }
    if (cfg.verbose) {
        qp_log_frame(c, "recv", f);
    }
    return 0;
}

static int qp_on_frame_send(nghttp2_session *s, const nghttp2_frame *f,
                            void *ud)
{
    (void)s;
    if (cfg.verbose) {
        qp_log_frame(ud, "send", f);
    }
    return 0;
}

static int qp_on_data_chunk(nghttp2_session *s, uint8_t flags,
                            int32_t stream_id, const uint8_t *data,
                            size_t len, void *ud)
{
    qp_conn *c = ud;

    (void)s;
    (void)flags;
    (void)data;
    /* the client opens only the main stream; all others are pushed */
    if (stream_id == c->main_id) {
        c->main_bytes += len;
    }
    else {
        c->pushed_bytes += len;
    }
    return 0;
}

static int qp_on_stream_close(nghttp2_session *s, int32_t stream_id,
                              uint32_t error_code, void *ud)
{
    qp_conn *c = ud;
    void *mark = nghttp2_session_get_stream_user_data(s, stream_id);

    if (stream_id == c->main_id) {
        c->main_closed = 1;
        c->main_error = error_code;
    }
    else if (mark == &qp_push_mark || mark == &qp_push_ended_mark) {
        c->push_open--;
        if (mark == &qp_push_ended_mark && error_code == NGHTTP2_NO_ERROR) {
            c->pushes++;
        }
        else {
            c->push_reset++;
        }
    }
    if (cfg.verbose) {
        qp_vlog(c, "close stream=%d %s", stream_id,
                nghttp2_http2_strerror(error_code));
    }
    return 0;
}

static int qp_on_error(nghttp2_session *s, int code, const char *msg,
                       size_t len, void *ud)
{
    (void)s;
    if (cfg.verbose) {
        qp_vlog(ud, "nghttp2 error %d: %.*s", code, (int)len, msg);
    }
    return 0;
}

/* ------------------------------------------------------------------------
 * connection life cycle
 */

static void qp_conn_close(qp_conn *c, int graceful);

static void qp_conn_fail(qp_conn *c, qp_err kind, const char *fmt, ...)
    QP_PRINTF(3, 4);
static void qp_conn_fail(qp_conn *c, qp_err kind, const char *fmt, ...)
{
    char msg[300];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    stats.failed++;
    stats.err[kind]++;
    if (cfg.verbose) {
        qp_vlog(c, "FAILED (%s): %s", qp_err_key[kind], msg);
    }
    if (stats.errors_printed < QP_ERR_SHOWN) {
        fprintf(stderr, QP_NAME ": load %lu: %s\n", c->load_no, msg);
        stats.errors_printed++;
    }
    else {
        stats.errors_hidden++;
    }
    qp_conn_close(c, 0);
}

static void qp_conn_succeed(qp_conn *c)
{
    double ms = (qp_now() - c->t_start) * 1000.0;

    if (cfg.verbose) {
        qp_vlog(c, "page complete: %lu promised, %lu pushed (%" PRIu64
                " bytes), main %" PRIu64 " bytes, %.3f ms", c->promised,
                c->pushes, c->pushed_bytes, c->main_bytes, ms);
    }
    stats.pages++;
    stats.promised += c->promised;
    stats.pushes += c->pushes;
    stats.push_reset += c->push_reset;
    stats.push_non2xx += c->push_non2xx;
    stats.interim += c->interim;
    stats.pushed_bytes += c->pushed_bytes;
    stats.main_bytes += c->main_bytes;
    if (stats.lat_len == stats.lat_cap) {
        stats.lat_cap = stats.lat_cap ? stats.lat_cap * 2 : 1024;
        stats.lat = qp_xrealloc(stats.lat, stats.lat_cap * sizeof(double));
    }
    stats.lat[stats.lat_len++] = ms;
    qp_conn_close(c, 1);
}

/* Format the reason of a failed SSL call; takes errno as it was right
 * after the call because the ERR functions may change it. */
static void qp_ssl_reason(int e, int saved_errno, char *buf, size_t len)
{
    unsigned long code = ERR_get_error();

    if (code != 0) {
        ERR_error_string_n(code, buf, len);
    }
    else if (e == SSL_ERROR_SYSCALL) {
        snprintf(buf, len, "%s", saved_errno ? strerror(saved_errno)
                                             : "unexpected EOF");
    }
    else if (e == SSL_ERROR_ZERO_RETURN) {
        snprintf(buf, len, "connection closed by server");
    }
    else {
        snprintf(buf, len, "SSL_get_error %d", e);
    }
    ERR_clear_error();
}

/* Results of qp_io_recv/qp_io_send besides a byte count. */
#define QP_IO_EOF         0
#define QP_IO_WANT_READ   (-1)
#define QP_IO_WANT_WRITE  (-2)
#define QP_IO_ERROR       (-3)

static ssize_t qp_io_recv(qp_conn *c, void *buf, size_t len,
                          char *why, size_t whylen)
{
    if (c->ssl) {
        int r, e, saved;

        ERR_clear_error();
        r = SSL_read(c->ssl, buf, (int)len);
        if (r > 0) {
            return r;
        }
        saved = errno;
        e = SSL_get_error(c->ssl, r);
        if (e == SSL_ERROR_WANT_READ) {
            return QP_IO_WANT_READ;
        }
        if (e == SSL_ERROR_WANT_WRITE) {
            return QP_IO_WANT_WRITE;
        }
        if (e == SSL_ERROR_ZERO_RETURN) {
            return QP_IO_EOF;
        }
        c->ssl_dead = 1;
        qp_ssl_reason(e, saved, why, whylen);
        return QP_IO_ERROR;
    }
    for (;;) {
        ssize_t n = recv(c->fd, buf, len, 0);

        if (n >= 0) {
            return n;
        }
        if (errno == EINTR) {
            continue;
        }
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            return QP_IO_WANT_READ;
        }
        snprintf(why, whylen, "%s", strerror(errno));
        return QP_IO_ERROR;
    }
}

static ssize_t qp_io_send(qp_conn *c, const void *buf, size_t len,
                          char *why, size_t whylen)
{
    if (c->ssl) {
        int r, e, saved;

        ERR_clear_error();
        r = SSL_write(c->ssl, buf, (int)len);
        if (r > 0) {
            return r;
        }
        saved = errno;
        e = SSL_get_error(c->ssl, r);
        if (e == SSL_ERROR_WANT_WRITE) {
            return QP_IO_WANT_WRITE;
        }
        if (e == SSL_ERROR_WANT_READ) {
            return QP_IO_WANT_READ;
        }
        c->ssl_dead = 1;
        qp_ssl_reason(e, saved, why, whylen);
        return QP_IO_ERROR;
    }
    for (;;) {
        ssize_t n = send(c->fd, buf, len, MSG_NOSIGNAL);

        if (n >= 0) {
            return n;
        }
        if (errno == EINTR) {
            continue;
        }
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            return QP_IO_WANT_WRITE;
        }
        snprintf(why, whylen, "%s", strerror(errno));
        return QP_IO_ERROR;
    }
}

/* Move what nghttp2 wants to send into c->out and write it. New frames are
 * only taken once the previous batch is fully written, so a TLS write that
 * would block is always retried with the same buffer, as OpenSSL requires.
 * Returns 0 when everything is written or the socket is full, -1 on a
 * socket or TLS error and -2 on an nghttp2 error, with the reason in why. */
static int qp_conn_write_out(qp_conn *c, char *why, size_t whylen)
{
    for (;;) {
        ssize_t n;

        if (c->out_off == c->out_len) {
            c->out_off = c->out_len = 0;
            while (c->out_len < QP_OUT_CHUNK) {
                const uint8_t *data;
                qp_h2_ssize dn = qp_h2_mem_send(c->h2, &data);

                if (dn < 0) {
                    snprintf(why, whylen, "nghttp2: %s",
                             nghttp2_strerror((int)dn));
                    return -2;
                }
                if (dn == 0) {
                    break;
                }
                if (c->out_len + (size_t)dn > c->out_cap) {
                    c->out_cap = c->out_len + (size_t)dn + QP_OUT_CHUNK;
                    c->out = qp_xrealloc(c->out, c->out_cap);
                }
                memcpy(c->out + c->out_len, data, (size_t)dn);
                c->out_len += (size_t)dn;
            }
            if (c->out_len == 0) {
                return 0;
            }
        }
        n = qp_io_send(c, c->out + c->out_off, c->out_len - c->out_off,
                       why, whylen);
        if (n > 0) {
            c->out_off += (size_t)n;
            continue;
        }
        if (n == QP_IO_WANT_WRITE || n == QP_IO_WANT_READ) {
            return 0;
        }
        if (n == 0) {
            snprintf(why, whylen, "write returned 0");
        }
        return -1;
    }
}

static void qp_conn_close(qp_conn *c, int graceful)
{
    if (c->h2) {
        if (graceful && !c->ssl_dead) {
            char why[128];

            /* a GOAWAY tells mod_http2 to end the session now rather than
             * treat the EOF as an aborted connection; one attempt only */
            nghttp2_session_terminate_session(c->h2, NGHTTP2_NO_ERROR);
            (void)qp_conn_write_out(c, why, sizeof(why));
        }
        nghttp2_session_del(c->h2);
        c->h2 = NULL;
    }
    if (c->ssl) {
        if (graceful && c->ssl_ready && !c->ssl_dead) {
            ERR_clear_error();
            (void)SSL_shutdown(c->ssl);
        }
        SSL_free(c->ssl);
        c->ssl = NULL;
    }
    ERR_clear_error();
    if (c->fd >= 0) {
        /* closing also removes the fd from the epoll set */
        close(c->fd);
        c->fd = -1;
        if (cfg.verbose) {
            qp_vlog(c, "connection closed");
        }
    }
    c->events = 0;
    c->state = QP_IDLE;
}

/* After input was processed: ends the load when the main stream and every
 * promised stream are closed, or when the session can make no progress.
 * Returns -1 when the load has ended. */
static int qp_conn_check(qp_conn *c)
{
    if (c->main_closed && c->main_error != NGHTTP2_NO_ERROR) {
        qp_conn_fail(c, QP_ERR_RST, "main stream reset by server: %s",
                     nghttp2_http2_strerror(c->main_error));
        return -1;
    }
    if (c->main_closed && c->push_open <= 0) {
        if (!c->main_ended) {
            qp_conn_fail(c, QP_ERR_RST, "main stream closed before its end");
        }
        else if (c->main_status < 200 || c->main_status > 299) {
            qp_conn_fail(c, QP_ERR_STATUS, "main response status %d",
                         c->main_status);
        }
        else {
            qp_conn_succeed(c);
        }
        return -1;
    }
    if (!nghttp2_session_want_read(c->h2)
        && !nghttp2_session_want_write(c->h2)) {
        if (c->goaway) {
            qp_conn_fail(c, QP_ERR_H2, "server sent GOAWAY (%s) before the "
                         "page was complete",
                         nghttp2_http2_strerror(c->goaway_error));
        }
        else {
            qp_conn_fail(c, QP_ERR_H2, "HTTP/2 session ended before the "
                         "page was complete");
        }
        return -1;
    }
    return 0;
}

/* Read until the socket is empty, feeding nghttp2. Returns -1 when the
 * load has ended. */
static int qp_conn_read(qp_conn *c)
{
    unsigned char buf[QP_READ_BUF];
    char why[256];

    c->ssl_read_wants_write = 0;
    for (;;) {
        ssize_t n = qp_io_recv(c, buf, sizeof(buf), why, sizeof(why));
        qp_h2_ssize rv;

        if (n == QP_IO_WANT_READ) {
            return 0;
        }
        if (n == QP_IO_WANT_WRITE) {
            c->ssl_read_wants_write = 1;
            return 0;
        }
        if (n == QP_IO_EOF) {
            if (c->goaway) {
                qp_conn_fail(c, QP_ERR_CLOSED, "server sent GOAWAY (%s) and "
                             "closed before the page was complete",
                             nghttp2_http2_strerror(c->goaway_error));
            }
            else {
                qp_conn_fail(c, QP_ERR_CLOSED, "server closed the connection "
                             "before the page was complete");
            }
            return -1;
        }
        if (n < 0) {
            qp_conn_fail(c, QP_ERR_CLOSED, "read: %s", why);
            return -1;
        }
        rv = qp_h2_mem_recv(c->h2, buf, (size_t)n);
        if (rv < 0) {
            qp_conn_fail(c, QP_ERR_H2, "nghttp2: %s",
                         nghttp2_strerror((int)rv));
            return -1;
        }
        if (qp_conn_check(c) < 0) {
            return -1;
        }
    }
}

static int qp_conn_flush(qp_conn *c)
{
    char why[256];
    int rv = qp_conn_write_out(c, why, sizeof(why));

    if (rv < 0) {
        qp_conn_fail(c, rv == -2 ? QP_ERR_H2 : QP_ERR_CLOSED, "write: %s",
                     why);
        return -1;
    }
    return 0;
}

static int qp_conn_h2_start(qp_conn *c)
{
    nghttp2_settings_entry iv[3];
    int rv;

    c->state = QP_H2;
    if (nghttp2_session_client_new(&c->h2, cfg.cbs, c) != 0) {
        qp_die("nghttp2_session_client_new failed");
    }
    iv[0].settings_id = NGHTTP2_SETTINGS_ENABLE_PUSH;
    iv[0].value = (uint32_t)cfg.push;
    iv[1].settings_id = NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS;
    iv[1].value = QP_MAX_STREAMS;
    iv[2].settings_id = NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE;
    iv[2].value = QP_STREAM_WINDOW;
    rv = nghttp2_submit_settings(c->h2, NGHTTP2_FLAG_NONE, iv, 3);
    if (rv == 0) {
        rv = nghttp2_session_set_local_window_size(c->h2, NGHTTP2_FLAG_NONE,
                                                   0, QP_CONN_WINDOW);
    }
    if (rv != 0) {
        qp_conn_fail(c, QP_ERR_H2, "nghttp2: %s", nghttp2_strerror(rv));
        return -1;
    }
    c->main_id = nghttp2_submit_request(c->h2, NULL, cfg.nva, cfg.nvlen,
                                        NULL, NULL);
    if (c->main_id < 0) {
        qp_conn_fail(c, QP_ERR_H2, "nghttp2_submit_request: %s",
                     nghttp2_strerror(c->main_id));
        return -1;
    }
    /* preface, SETTINGS, WINDOW_UPDATE and HEADERS go out in one write
     * from qp_conn_io */
    return 0;
}

static int qp_conn_handshake(qp_conn *c)
{
    const unsigned char *alpn = NULL;
    unsigned int alpnlen = 0;
    int r, e, saved;
    char why[256];

    ERR_clear_error();
    r = SSL_do_handshake(c->ssl);
    if (r != 1) {
        saved = errno;
        e = SSL_get_error(c->ssl, r);
        if (e == SSL_ERROR_WANT_READ) {
            c->hs_events = EPOLLIN;
            return 0;
        }
        if (e == SSL_ERROR_WANT_WRITE) {
            c->hs_events = EPOLLOUT;
            return 0;
        }
        c->ssl_dead = 1;
        qp_ssl_reason(e, saved, why, sizeof(why));
        qp_conn_fail(c, QP_ERR_TLS, "TLS handshake with %s: %s",
                     cfg.addr_text, why);
        return -1;
    }
    c->ssl_ready = 1;
    SSL_get0_alpn_selected(c->ssl, &alpn, &alpnlen);
    if (cfg.verbose) {
        qp_vlog(c, "TLS done: %s %s, ALPN %.*s", SSL_get_version(c->ssl),
                SSL_get_cipher_name(c->ssl), (int)alpnlen,
                alpnlen ? (const char *)alpn : "(none)");
    }
    if (alpnlen != 2 || memcmp(alpn, "h2", 2) != 0) {
        qp_conn_fail(c, QP_ERR_TLS, "server did not select ALPN h2 (got "
                     "%s%.*s); is mod_http2 loaded with 'Protocols h2 "
                     "http/1.1'?",
                     alpnlen ? "" : "none", (int)alpnlen,
                     alpnlen ? (const char *)alpn : "");
        return -1;
    }
    return qp_conn_h2_start(c);
}

static int qp_conn_connected(qp_conn *c)
{
    int err = 0;
    socklen_t len = sizeof(err);

    if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0) {
        err = errno;
    }
    if (err != 0) {
        qp_conn_fail(c, QP_ERR_CONNECT, "connect to %s: %s", cfg.addr_text,
                     strerror(err));
        return -1;
    }
    if (cfg.verbose) {
        qp_vlog(c, "TCP connected");
    }
    if (!cfg.tls) {
        return qp_conn_h2_start(c);
    }
    c->ssl = SSL_new(cfg.ssl_ctx);
    if (c->ssl == NULL || !SSL_set_fd(c->ssl, c->fd)) {
        qp_die("SSL_new/SSL_set_fd failed");
    }
    if (cfg.sni) {
        SSL_set_tlsext_host_name(c->ssl, cfg.sni);
    }
    SSL_set_connect_state(c->ssl);
    c->state = QP_HANDSHAKE;
    return qp_conn_handshake(c);
}

static void qp_conn_update_events(qp_conn *c)
{
    uint32_t ev = 0;
    struct epoll_event ee;

    switch (c->state) {
    case QP_CONNECTING:
        ev = EPOLLOUT;
        break;
    case QP_HANDSHAKE:
        ev = c->hs_events;
        break;
    case QP_H2:
        ev = EPOLLIN;
        if (c->out_off < c->out_len || c->ssl_read_wants_write) {
            ev |= EPOLLOUT;
        }
        break;
    case QP_IDLE:
        return;
    }
    if (ev == c->events) {
        return;
    }
    memset(&ee, 0, sizeof(ee));
    ee.events = ev;
    ee.data.ptr = c;
    if (epoll_ctl(cfg.epfd, c->events ? EPOLL_CTL_MOD : EPOLL_CTL_ADD,
                  c->fd, &ee) < 0) {
        qp_die("epoll_ctl: %s", strerror(errno));
    }
    c->events = ev;
}

/* Drive one slot after an epoll event (or right after connect()). */
static void qp_conn_io(qp_conn *c)
{
    switch (c->state) {
    case QP_CONNECTING:
        if (qp_conn_connected(c) < 0) {
            return;
        }
        break;
    case QP_HANDSHAKE:
        if (qp_conn_handshake(c) < 0) {
            return;
        }
        break;
    case QP_H2:
        /* reading when nothing is there costs one EAGAIN; it also covers
         * a TLS read that was waiting for the socket to become writable */
        if (qp_conn_read(c) < 0) {
            return;
        }
        break;
    case QP_IDLE:
        return;
    }
    if (c->state == QP_H2) {
        if (qp_conn_flush(c) < 0 || qp_conn_check(c) < 0) {
            return;
        }
    }
    qp_conn_update_events(c);
}

static void qp_conn_start(qp_conn *c)
{
    int one = 1;
    int r;

    c->load_no = ++stats.started;
    c->t_start = qp_now();
    c->deadline = c->t_start + cfg.timeout_ms / 1000.0;
    c->ssl_dead = c->ssl_ready = c->ssl_read_wants_write = 0;
    c->hs_events = EPOLLIN;
    c->events = 0;
    c->main_id = -1;
    c->main_ended = c->main_closed = c->main_status = 0;
    c->main_error = 0;
    c->push_open = c->goaway = 0;
    c->goaway_error = 0;
    c->promised = c->pushes = c->push_reset = c->push_non2xx = 0;
    c->interim = 0;
    c->pushed_bytes = c->main_bytes = 0;
    c->out_len = c->out_off = 0;
    c->state = QP_CONNECTING;
    if (cfg.verbose) {
        qp_vlog(c, "connect to %s (%s)", cfg.addr_text,
                cfg.tls ? "TLS" : "h2c");
    }
    c->fd = socket(cfg.family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c->fd < 0) {
        qp_conn_fail(c, QP_ERR_CONNECT, "socket: %s", strerror(errno));
        return;
    }
    /* requests and the small frames of a page must not wait for acks */
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    do {
        r = connect(c->fd, (struct sockaddr *)&cfg.addr, cfg.addrlen);
    } while (r < 0 && errno == EINTR);
    if (r < 0 && errno != EINPROGRESS) {
        qp_conn_fail(c, QP_ERR_CONNECT, "connect to %s: %s", cfg.addr_text,
                     strerror(errno));
        return;
    }
    if (r == 0) {
        qp_conn_io(c);
    }
    else {
        qp_conn_update_events(c);
    }
}

/* ------------------------------------------------------------------------
 * setup
 */

static void qp_parse_url(const char *url)
{
    const char *p, *end, *rest, *frag;
    char *colon;

    if (strncasecmp(url, "https://", 8) == 0) {
        cfg.tls = 1;
        p = url + 8;
    }
    else if (strncasecmp(url, "http://", 7) == 0) {
        cfg.tls = 0;
        p = url + 7;
    }
    else {
        qp_die("URL must start with https:// or http://: %s", url);
    }
    end = p + strcspn(p, "/?#");
    if (end == p) {
        qp_die("no host in URL: %s", url);
    }
    cfg.authority = qp_xstrndup(p, (size_t)(end - p));
    if (strchr(cfg.authority, '@')) {
        qp_die("user info in URLs is not supported: %s", url);
    }
    if (cfg.authority[0] == '[') {
        char *rb = strchr(cfg.authority, ']');

        if (rb == NULL || (rb[1] != '\0' && rb[1] != ':')) {
            qp_die("bad IPv6 address in URL: %s", url);
        }
        cfg.host = qp_xstrndup(cfg.authority + 1,
                               (size_t)(rb - cfg.authority - 1));
        colon = rb[1] == ':' ? rb + 1 : NULL;
    }
    else {
        colon = strchr(cfg.authority, ':');
        cfg.host = qp_xstrndup(cfg.authority,
                               colon ? (size_t)(colon - cfg.authority)
                                     : strlen(cfg.authority));
    }
    if (colon && colon[1] != '\0') {
        cfg.port = qp_xstrndup(colon + 1, strlen(colon + 1));
    }
    else {
        cfg.port = qp_xstrndup(cfg.tls ? "443" : "80", cfg.tls ? 3 : 2);
    }
    rest = end;
    frag = strchr(rest, '#');
    if (*rest == '/') {
        cfg.path = qp_xstrndup(rest, frag ? (size_t)(frag - rest)
                                          : strlen(rest));
    }
    else {
        /* "http://host?q" has the path "/?q" */
        size_t len = frag ? (size_t)(frag - rest) : strlen(rest);

        cfg.path = qp_xrealloc(NULL, len + 2);
        cfg.path[0] = '/';
        memcpy(cfg.path + 1, rest, len);
        cfg.path[len + 1] = '\0';
    }
}

/* Set a request header, replacing one of the same name; user headers may
 * replace pseudo headers but not add new ones, which would have to precede
 * the regular headers. */
static void qp_set_header(const char *name, size_t namelen,
                          const char *value, size_t valuelen, int user)
{
    size_t i;
    nghttp2_nv *nv = NULL;

    for (i = 0; i < cfg.nvlen; i++) {
        if (cfg.nva[i].namelen == namelen
            && memcmp(cfg.nva[i].name, name, namelen) == 0) {
            nv = &cfg.nva[i];
            break;
        }
    }
    if (nv == NULL) {
        if (user && name[0] == ':') {
            qp_die("unknown pseudo header %.*s", (int)namelen, name);
        }
        if (cfg.nvlen == QP_MAX_HEADERS) {
            qp_die("too many headers");
        }
        nv = &cfg.nva[cfg.nvlen++];
    }
    else {
        free(nv->name);
        free(nv->value);
    }
    /* the request is the same for every load: nghttp2 need not copy it */
    nv->name = (uint8_t *)qp_xstrndup(name, namelen);
    nv->namelen = namelen;
    nv->value = (uint8_t *)qp_xstrndup(value, valuelen);
    nv->valuelen = valuelen;
    nv->flags = NGHTTP2_NV_FLAG_NO_COPY_NAME | NGHTTP2_NV_FLAG_NO_COPY_VALUE;
}

static void qp_add_user_header(const char *arg)
{
    /* a pseudo header such as ":authority: x" has its colon after the
     * leading one */
    const char *colon = strchr(arg + (arg[0] == ':'), ':');
    const char *value;
    char name[256];
    size_t namelen, i;

    if (colon == NULL || colon == arg) {
        qp_die("-H wants 'name: value', got '%s'", arg);
    }
    namelen = (size_t)(colon - arg);
    while (namelen > 0
           && (arg[namelen - 1] == ' ' || arg[namelen - 1] == '\t')) {
        namelen--;
    }
    if (namelen == 0 || namelen >= sizeof(name)) {
        qp_die("bad header name in '%s'", arg);
    }
    /* HTTP/2 header names are lowercase; servers reset streams otherwise */
    for (i = 0; i < namelen; i++) {
        char ch = arg[i];

        name[i] = (ch >= 'A' && ch <= 'Z') ? (char)(ch - 'A' + 'a') : ch;
    }
    name[namelen] = '\0';
    if (strcmp(name, "host") == 0) {
        strcpy(name, ":authority");
        namelen = 10;
    }
    value = colon + 1;
    while (*value == ' ' || *value == '\t') {
        value++;
    }
    qp_set_header(name, namelen, value, strlen(value), 1);
}

/* SNI names the host of the final :authority, so that -H 'host: name'
 * reaches a name-based vhost on an address URL. RFC 6066 forbids IP
 * literals as server names: none is sent for those (httpd then uses the
 * first vhost of the address). */
static void qp_setup_sni(void)
{
    const nghttp2_nv *nv = NULL;
    const char *a, *end;
    struct in6_addr a6;
    size_t i;

    for (i = 0; i < cfg.nvlen; i++) {
        if (cfg.nva[i].namelen == 10
            && memcmp(cfg.nva[i].name, ":authority", 10) == 0) {
            nv = &cfg.nva[i];
        }
    }
    a = (const char *)nv->value;
    if (a[0] == '[') {
        return;
    }
    end = strchr(a, ':');
    cfg.sni = qp_xstrndup(a, end ? (size_t)(end - a) : strlen(a));
    if (cfg.sni[0] == '\0' || inet_pton(AF_INET, cfg.sni, &a6) == 1) {
        free(cfg.sni);
        cfg.sni = NULL;
    }
}

static void qp_setup_request(char **user_headers, size_t nuser)
{
    size_t i;

    qp_set_header(":method", 7, "GET", 3, 0);
    qp_set_header(":scheme", 7, cfg.tls ? "https" : "http",
                  cfg.tls ? 5 : 4, 0);
    qp_set_header(":authority", 10, cfg.authority, strlen(cfg.authority), 0);
    qp_set_header(":path", 5, cfg.path, strlen(cfg.path), 0);
    qp_set_header("user-agent", 10, QP_NAME, strlen(QP_NAME), 0);
    for (i = 0; i < nuser; i++) {
        qp_add_user_header(user_headers[i]);
    }
    qp_setup_sni();
}

static void qp_setup_address(void)
{
    struct addrinfo hints, *res;
    char numeric[64];           /* an IPv6 address with scope fits */
    int rv;

    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    /* resolved once: name lookups are not what is being measured */
    rv = getaddrinfo(cfg.host, cfg.port, &hints, &res);
    if (rv != 0) {
        qp_die("cannot resolve %s:%s: %s", cfg.host, cfg.port,
               gai_strerror(rv));
    }
    memcpy(&cfg.addr, res->ai_addr, res->ai_addrlen);
    cfg.addrlen = res->ai_addrlen;
    cfg.family = res->ai_family;
    freeaddrinfo(res);
    /* only the first address is used: show it when it is not the URL's,
     * e.g. ::1 for "localhost" with a server on 127.0.0.1 only */
    if (getnameinfo((struct sockaddr *)&cfg.addr, cfg.addrlen, numeric,
                    sizeof(numeric), NULL, 0, NI_NUMERICHOST) != 0
        || strcmp(numeric, cfg.host) == 0) {
        int v6 = strchr(cfg.host, ':') != NULL;

        snprintf(cfg.addr_text, sizeof(cfg.addr_text), "%s%s%s:%s",
                 v6 ? "[" : "", cfg.host, v6 ? "]" : "", cfg.port);
    }
    else {
        snprintf(cfg.addr_text, sizeof(cfg.addr_text), "%s:%s (%s)",
                 cfg.host, cfg.port, numeric);
    }
}

static void qp_setup_tls(void)
{
    static const unsigned char alpn[] = { 2, 'h', '2' };

    cfg.ssl_ctx = SSL_CTX_new(TLS_client_method());
    if (cfg.ssl_ctx == NULL) {
        qp_die("SSL_CTX_new failed");
    }
    /* HTTP/2 needs TLS 1.2 or later (RFC 9113, 9.2) */
    SSL_CTX_set_min_proto_version(cfg.ssl_ctx, TLS1_2_VERSION);
    /* test servers use self-signed certificates */
    SSL_CTX_set_verify(cfg.ssl_ctx, SSL_VERIFY_NONE, NULL);
    SSL_CTX_set_mode(cfg.ssl_ctx, SSL_MODE_ENABLE_PARTIAL_WRITE
                                  | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
#ifdef SSL_OP_IGNORE_UNEXPECTED_EOF
    /* a missing close_notify is not an error here: HTTP/2 framing already
     * tells whether the page was complete */
    SSL_CTX_set_options(cfg.ssl_ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
#endif
    /* every load is a first visit: never resume a session */
    SSL_CTX_set_session_cache_mode(cfg.ssl_ctx, SSL_SESS_CACHE_OFF);
    if (SSL_CTX_set_alpn_protos(cfg.ssl_ctx, alpn, sizeof(alpn)) != 0) {
        qp_die("SSL_CTX_set_alpn_protos failed");
    }
}

static void qp_setup_callbacks(void)
{
    nghttp2_session_callbacks *cbs;

    if (nghttp2_session_callbacks_new(&cbs) != 0) {
        qp_die("out of memory");
    }
    nghttp2_session_callbacks_set_on_begin_headers_callback(cbs,
                                                    qp_on_begin_headers);
    nghttp2_session_callbacks_set_on_header_callback(cbs, qp_on_header);
    nghttp2_session_callbacks_set_on_frame_recv_callback(cbs,
                                                         qp_on_frame_recv);
    nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cbs,
                                                        qp_on_data_chunk);
    nghttp2_session_callbacks_set_on_stream_close_callback(cbs,
                                                        qp_on_stream_close);
    if (cfg.verbose) {
        nghttp2_session_callbacks_set_on_frame_send_callback(cbs,
                                                        qp_on_frame_send);
        nghttp2_session_callbacks_set_error_callback2(cbs, qp_on_error);
    }
    cfg.cbs = cbs;
}

static void qp_on_signal(int sig)
{
    (void)sig;
    qp_interrupted++;
}

/* ------------------------------------------------------------------------
 * main loop and report
 */

static int qp_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

/* nearest-rank percentile of the sorted latencies */
static double qp_percentile(unsigned int pct)
{
    size_t rank;

    if (stats.lat_len == 0) {
        return 0.0;
    }
    rank = (pct * stats.lat_len + 99) / 100;
    return stats.lat[rank > 0 ? rank - 1 : 0];
}

static int qp_may_launch(double now, double t_end)
{
    if (qp_interrupted) {
        return 0;
    }
    if (cfg.t_limit > 0) {
        return now < t_end && (!cfg.n_given || stats.started < cfg.n);
    }
    return stats.started < cfg.n;
}

static long qp_parse_long(const char *arg, const char *opt, long min, long max)
{
    char *end;
    long v;

    errno = 0;
    v = strtol(arg, &end, 10);
    if (errno || end == arg || *end != '\0' || v < min || v > max) {
        qp_die("%s wants a number from %ld to %ld, got '%s'", opt, min, max,
               arg);
    }
    return v;
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "h2c",     no_argument,       NULL, 'C' },
        { "no-push", no_argument,       NULL, 'P' },
        { "timeout", required_argument, NULL, 'T' },
        { "help",    no_argument,       NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    char **user_headers = NULL;
    size_t nuser = 0, i;
    int opt, h2c = 0;
    qp_conn *conns;
    struct epoll_event *evs;
    struct sigaction sa;
    double t0, t_end, now, secs;

    cfg.n = 1;
    cfg.c = 1;
    cfg.push = 1;
    cfg.timeout_ms = 10000;
    while ((opt = getopt_long(argc, argv, "n:c:t:H:vh", longopts, NULL))
           != -1) {
        switch (opt) {
        case 'n':
            cfg.n = (unsigned long)qp_parse_long(optarg, "-n", 1, LONG_MAX);
            cfg.n_given = 1;
            break;
        case 'c':
            cfg.c = (int)qp_parse_long(optarg, "-c", 1, 10000);
            break;
        case 't': {
            char *end;

            cfg.t_limit = strtod(optarg, &end);
            if (end == optarg || *end != '\0' || !(cfg.t_limit > 0)) {
                qp_die("-t wants a positive number of seconds, got '%s'",
                       optarg);
            }
            break;
        }
        case 'H':
            user_headers = qp_xrealloc(user_headers,
                                       (nuser + 1) * sizeof(char *));
            user_headers[nuser++] = optarg;
            break;
        case 'v':
            cfg.verbose = 1;
            break;
        case 'C':
            h2c = 1;
            break;
        case 'P':
            cfg.push = 0;
            break;
        case 'T':
            /* a day at most keeps the epoll_wait timeout within an int */
            cfg.timeout_ms = (int)qp_parse_long(optarg, "--timeout", 1,
                                                 86400000);
            break;
        case 'h':
            fputs(qp_usage_text, stdout);
            return 0;
        default:
            fputs(qp_usage_text, stderr);
            return 2;
        }
    }
    if (optind != argc - 1) {
        fputs(qp_usage_text, stderr);
        return 2;
    }
    qp_parse_url(argv[optind]);
    if (h2c && cfg.tls) {
        qp_die("--h2c is for http:// URLs; https:// always uses TLS");
    }
    qp_setup_request(user_headers, nuser);
    free(user_headers);
    qp_setup_address();
    if (cfg.tls) {
        qp_setup_tls();
    }
    qp_setup_callbacks();
    cfg.verbose_prefix = cfg.verbose && (cfg.c > 1 || cfg.n > 1
                                         || cfg.t_limit > 0);
    if (cfg.verbose) {
        /* keep the timeline in order with anything on stderr */
        setvbuf(stdout, NULL, _IOLBF, 0);
    }

    /* a server that closes mid-write must not kill the client */
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &sa, NULL);
    /* ^C: start no more loads, finish or time out those under way, and
     * still report; a second ^C ends at once */
    sa.sa_handler = qp_on_signal;
    sa.sa_flags = SA_RESETHAND;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    cfg.epfd = epoll_create1(EPOLL_CLOEXEC);
    if (cfg.epfd < 0) {
        qp_die("epoll_create1: %s", strerror(errno));
    }
    conns = calloc((size_t)cfg.c, sizeof(*conns));
    evs = calloc((size_t)cfg.c, sizeof(*evs));
    if (conns == NULL || evs == NULL) {
        qp_die("out of memory");
    }
    for (i = 0; i < (size_t)cfg.c; i++) {
        conns[i].fd = -1;
    }

    t0 = qp_now();
    t_end = t0 + cfg.t_limit;
    for (;;) {
        double next = 0;
        int active = 0, nev, timeout_ms, k;

        now = qp_now();
        /* fill idle slots; a load that fails at once (connection refused)
         * leaves its slot idle again, hence the inner loop */
        for (i = 0; i < (size_t)cfg.c; i++) {
            while (conns[i].state == QP_IDLE && qp_may_launch(now, t_end)) {
                qp_conn_start(&conns[i]);
                now = qp_now();
            }
            if (conns[i].state != QP_IDLE) {
                if (active == 0 || conns[i].deadline < next) {
                    next = conns[i].deadline;
                }
                active++;
            }
        }
        if (active == 0) {
            break;
        }
        timeout_ms = next > now ? (int)((next - now) * 1000.0) + 1 : 0;
        nev = epoll_wait(cfg.epfd, evs, cfg.c, timeout_ms);
        if (nev < 0 && errno != EINTR) {
            qp_die("epoll_wait: %s", strerror(errno));
        }
        for (k = 0; k < nev; k++) {
            qp_conn_io(evs[k].data.ptr);
        }
        now = qp_now();
        for (i = 0; i < (size_t)cfg.c; i++) {
            if (conns[i].state != QP_IDLE && now >= conns[i].deadline) {
                qp_conn_fail(&conns[i], QP_ERR_TIMEOUT,
                             "no complete page after %d ms (%s, %lu of %lu "
                             "promised pushes done)", cfg.timeout_ms,
                             conns[i].state == QP_CONNECTING ? "connecting"
                             : conns[i].state == QP_HANDSHAKE ? "in TLS "
                             "handshake" : conns[i].main_closed ?
                             "main response done" : "main response open",
                             conns[i].pushes + conns[i].push_reset,
                             conns[i].promised);
            }
        }
    }
    secs = qp_now() - t0;

    if (stats.lat_len > 1) {
        qsort(stats.lat, stats.lat_len, sizeof(double), qp_cmp_double);
    }
    if (stats.errors_hidden) {
        fprintf(stderr, QP_NAME ": %lu more failed loads not shown\n",
                stats.errors_hidden);
    }
    /* the result line comes last so that scripts can take tail -n 1 */
    printf("promised=%lu push_reset=%lu push_non2xx=%lu main_bytes=%" PRIu64
           " interim=%lu", stats.promised, stats.push_reset,
           stats.push_non2xx, stats.main_bytes, stats.interim);
    for (i = 0; i < QP_ERR_COUNT; i++) {
        printf(" err_%s=%lu", qp_err_key[i], stats.err[i]);
    }
    putchar('\n');
    printf("pages=%lu failed=%lu seconds=%.3f pages_per_s=%.1f pushes=%lu "
           "pushes_per_s=%.1f pushed_bytes=%" PRIu64 " push_per_page=%.2f "
           "p50_ms=%.1f p90_ms=%.1f p99_ms=%.1f\n",
           stats.pages, stats.failed, secs,
           secs > 0 ? stats.pages / secs : 0.0, stats.pushes,
           secs > 0 ? stats.pushes / secs : 0.0, stats.pushed_bytes,
           stats.pages ? (double)stats.pushes / stats.pages : 0.0,
           qp_percentile(50), qp_percentile(90), qp_percentile(99));

    for (i = 0; i < (size_t)cfg.c; i++) {
        free(conns[i].out);
    }
    free(conns);
    free(evs);
    free(stats.lat);
    for (i = 0; i < cfg.nvlen; i++) {
        free(cfg.nva[i].name);
        free(cfg.nva[i].value);
    }
    free(cfg.host);
    free(cfg.sni);
    free(cfg.port);
    free(cfg.authority);
    free(cfg.path);
    nghttp2_session_callbacks_del(cfg.cbs);
    if (cfg.ssl_ctx) {
        SSL_CTX_free(cfg.ssl_ctx);
    }
    close(cfg.epfd);
    return stats.failed ? 1 : 0;
}
