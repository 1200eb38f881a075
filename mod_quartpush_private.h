/* SPDX-License-Identifier: Apache-2.0 */
/* mod_quartpush's private header: what the glue files (mod_quartpush*.c)
 * share. Glue names start with mqp_ / MQP_; the pure library in src/ keeps
 * qp_ / QP_, so a name tells which layer it belongs to.
 */
#ifndef MOD_QUARTPUSH_PRIVATE_H
#define MOD_QUARTPUSH_PRIVATE_H

#include <apr_atomic.h>
#include <apr_hash.h>
#include <apr_tables.h>

#include <httpd.h>
#include <http_config.h>
#include <http_log.h>
#include <util_filter.h>

#include "qp_digest.h"
#include "qp_link.h"
#include "qp_routes.h"

extern module AP_MODULE_DECLARE_DATA quartpush_module;

APLOG_USE_MODULE(quartpush);

/* A number on each error and warning message, the way httpd's APLOGNO
 * numbers its own, so that a message can be searched for and documented
 * (docs/observability.md lists them). */
#define MQP_LOGNO(n) "QP" #n ": "

#define MQP_UNSET          (-1)
#define MQP_DEFAULT_LIMIT  32
#define MQP_MAX_LIMIT      1000
#define MQP_NOTE           "quartpush"
#define MQP_NOTE_HINTS     "quartpush-hints"
#define MQP_ENV_OFF        "no-quartpush"
#define MQP_STATUS_HANDLER "quartpush-status"

/* Whether handler (r->handler, maybe NULL) is the status page's. Every
 * request asks, twice (fixups and the handler hook): the first byte
 * answers for almost all of them without a call to strcmp. */
static APR_INLINE int mqp_is_status_handler(const char *handler)
{
    return handler && handler[0] == MQP_STATUS_HANDLER[0]
        && !strcmp(handler, MQP_STATUS_HANDLER);
}
#define MQP_COOKIE_FILTER  "QUARTPUSH_COOKIE"
#define MQP_LINKS_FILTER   "QUARTPUSH_LINKS"
#define MQP_BACKEND_FILTER "QUARTPUSH_BACKEND_103"
#define MQP_USED_FILTER    "QUARTPUSH_USED"
#define MQP_USED_PUSH_FILTER "QUARTPUSH_USED_PUSH"
#define MQP_NOTE_HINT      "quartpush-hint"
#define MQP_NOTE_HINT_RULE "quartpush-hint-rule"
#define MQP_MAX_COOKIE_AGE (10 * 365 * 86400)
/* mod_http2 reads a 103 back line by line into an 8 KB buffer
 * (HUGE_STRING_LEN): one longer "Link: ..." line makes it drop the whole
 * 103, every link in it, and log an error. A route placeholder's value can
 * make a link that long (each byte may become %XX), so longer ones are
 * left out. */
#define MQP_MAX_LINK_HEADER 8000
/* The most one 103 carries, counting each Link header as RFC 7541 sizes a
 * header table entry: name + value + 32, which is more than HPACK or
 * HTTP/1.1 ever spend on it ("Link: " and CRLF are 8). nghttp2 refuses to
 * send a header block over 64 KB (its max_send_header_block_length, which
 * mod_http2 leaves at the default): the stream is reset, and the page with
 * it (seen with ~220 KB of links). 48 KB leaves 16 KB for the other
 * headers and for a client that asks for less (SETTINGS_MAX_HEADER_LIST_SIZE
 * of 64 KB is common), and is still some 200 links of 200 bytes, far more
 * than a page can use. Links beyond it are left out (skip reason "size").
 * The final response's Link headers (QuartPushLinkHeader) use it too. */
#define MQP_MAX_HINTS_BYTES (48 * 1024)
#define MQP_LINK_ENTRY_BYTES(value) (sizeof("link") - 1 + strlen(value) + 32)

/* ------------------------------------------------------------------------
 * configuration (mod_quartpush_config.c)
 */

/* QuartPushCookie: where a client keeps the digest of what it was sent.
 * name NULL is "off". */
typedef struct {
    const char *name;
    int max_age;                /* seconds, or -1 for a session cookie */
} mqp_cookie_conf;

/* QuartPushEarlyHints: who gets the links as 103 Early Hints when the
 * client does not accept push. A set of bits: 0 is off; on is
 * MQP_HINTS_ON, to which h1 and all add. */
enum {
    MQP_HINTS_OFF = 0,
    MQP_HINTS_ON = 1,           /* HTTP/2 navigations (the default) */
    MQP_HINTS_H1 = 2,           /* h1: HTTP/1.1 too */
    MQP_HINTS_ALL = 4           /* all: every request, not only navigations */
};

/* Per-directory configuration; also the server's defaults. Fields are
 * MQP_UNSET until a directive sets them, so that a child scope inherits. */
typedef struct {
    int enabled;                /* QuartPush on|off */
    int limit;                  /* QuartPushLimit */
    int link_header;            /* QuartPushLinkHeader on|off */
    int early_hints;            /* QuartPushEarlyHints: MQP_HINTS_* */
    int h2push;                 /* mod_http2's H2Push on|off in a section
                                 * or .htaccess (see mqp_cmd_h2push) */
    int backend_hints;          /* QuartPushBackendHints: 0 first,
                                 * 1 merge */
    const mqp_cookie_conf *cookie;  /* QuartPushCookie, NULL when unset */
    apr_array_header_t *links;  /* qp_link *, parent's first */
    const char *scope;          /* the section's path, for the log; NULL at
                                 * server level */
} mqp_dir_conf;

/* Per-server configuration: the route language. A virtual host's list is
 * the main server's routes followed by its own; the table is compiled from
 * it once the configuration is read. */
typedef struct {
    apr_array_header_t *routes;     /* qp_route *, in declaration order */
    qp_routes *table;               /* NULL when there are no routes */
    apr_array_header_t *rule_scopes;/* mqp_dir_conf * where rules are
                                     * declared, NULL for server level */
    int h2_early_hints;             /* mod_http2 forwards a 103 (H2EarlyHints
                                     * on), read from the configuration tree */
    int h2push;                     /* mod_http2's H2Push on|off at server
                                     * or virtual host level */
    apr_hash_t *manifests;          /* QuartPushManifest: name -> its
                                     * mqp_manifest *, NULL when none */
} mqp_srv_conf;

#define MQP_CONF_GET(dc, field, dflt) \
    ((dc)->field == MQP_UNSET ? (dflt) : (dc)->field)

extern const command_rec mqp_cmds[];
void *mqp_create_dir_conf(apr_pool_t *p, char *dir);
void *mqp_merge_dir_conf(apr_pool_t *p, void *basev, void *addv);
void *mqp_create_srv_conf(apr_pool_t *p, server_rec *s);
void *mqp_merge_srv_conf(apr_pool_t *p, void *basev, void *addv);

/* Compiles every server's route table: OK, or an error already logged. */
int mqp_compile_routes(apr_pool_t *pconf, server_rec *s);

/* ------------------------------------------------------------------------
 * one response (mod_quartpush_request.c)
 */

/* One response's state, kept on the first request of its internal
 * redirect chain (mqp_state_get), so that a redirect never announces a
 * URL twice nor counts the response twice. Created on demand. */
typedef struct {
    struct {                        /* the URL the client asked for, kept
                                     * before mod_dir or a front controller
                                     * rewrites it (mqp_header_parser) */
        const char *uri;            /* the path routes match */
        const char *args;           /* its query string, or NULL */
        const void *dir_conf;       /* its scope's mqp_dir_conf */
    } asked;
    struct {                        /* what the response announces */
        apr_array_header_t *announced;  /* const char * URLs, or NULL */
        apr_array_header_t *pushed;     /* ... of them pushed */
        apr_array_header_t *hinted;     /* ... of them hinted only */
        apr_table_t *first_103;     /* the Link headers of the first 103
                                     * the client got, NULL before one */
        apr_array_header_t *final;  /* QuartPushLinkHeader: the final
                                     * response's Link values, or NULL */
        unsigned int final_added:1; /* ... went into its headers */
        unsigned int final_vary:1;  /* ... depend on the cookie */
        unsigned int sent_103:1;    /* the rules' 103 went out: no later
                                     * pass of the chain sends one */
    } links;
    struct {                        /* what it left out (the debug line) */
        apr_hash_t *counted;        /* URLs counted as skipped, so that a
                                     * redirect's pass does not count them
                                     * again (mqp_newly_left_out) */
        apr_array_header_t *in_digest;  /* URLs the client has (cookie) */
        const char *own;            /* the URL asked for, among the links */
        int over_limit;             /* links over QuartPushLimit ... */
        int limit;                  /* ... which was */
        int over_size;              /* links over the 103's size cap */
    } left;
    struct {                        /* the counters it moved: once each */
        unsigned int request:1;     /* requests */
        unsigned int outcome:1;     /* a skip reason, or announced */
        unsigned int route:1;       /* routes_matched */
    } counted;
    struct {
        const qp_route *matched;    /* the route matched, for the log */
        unsigned int condition_false:1; /* ... whose when is false */
        unsigned int gave_up:1;     /* the matcher hit its bound (counted
                                     * once) */
    } route;
    struct {                        /* QuartPushCookie */
        qp_digest *digest;          /* what the client has */
        const mqp_cookie_conf *conf;/* the cookie it goes back in */
        unsigned int read:1;        /* the digest was looked for */
        unsigned int dirty:1;       /* the client needs a new cookie */
    } cookie;
    struct {                        /* the notes, joined once per change */
        const char *pushed;
        int pushed_n;               /* ... when links.pushed had this many */
        const char *hinted;
        int hinted_n;
    } notes;
    apr_array_header_t *manifests;  /* the manifests' generations it holds
                                     * (mod_quartpush_manifest.c) */
    struct {                        /* whether the client asks for what it
                                     * was announced (mod_quartpush_used.c) */
        apr_array_header_t *marks;  /* mqp_used_mark, one per URL */
        int written;                /* ... of them in the shared table */
        request_rec *filter_on;     /* whose filter chain has the stamp's
                                     * filter */
        unsigned int sent:1;        /* the final headers' time stamped */
        unsigned int claim_at_log:1;/* a pushed request of an announced URL,
                                     * not decided yet: refused or not is
                                     * known as its response leaves */
    } used;
    struct {                        /* a handler's own 103
                                     * (mod_quartpush_backend.c) */
        apr_table_t *held;          /* QuartPushBackendHints merge: the
                                     * 103's Link headers, held back */
        void *filter;               /* the ap_filter_t * watching the
                                     * handler's interim responses */
        unsigned int held_sent:1;   /* the held links went out */
        unsigned int first_was_hints:1; /* the first 103 was hints (the
                                     * client refuses push) */
        unsigned int sending_own:1; /* the module's own 103 is leaving */
    } backend;
} mqp_response_state;

/* How the links reach this client, if at all. */
typedef enum {
    MQP_SEND_NONE = 0,
    MQP_SEND_PUSH,      /* one 103; mod_http2 promises its preload links */
    MQP_SEND_HINTS      /* one 103 the client reads as Early Hints only */
} mqp_send_e;

/* Why links were not announced: for the whole request (the first ones),
 * or for one resource (limit, cookie). Counted in shared memory, named in
 * the status page and the debug log by mqp_skip_keys. */
typedef enum {
    MQP_SKIP_NOT_GET = 0,       /* not a GET */
    MQP_SKIP_OFF,               /* QuartPush off, no-quartpush */
    MQP_SKIP_ERROR,             /* the response will be an error */
    MQP_SKIP_HTTP1,             /* HTTP/1.x without QuartPushEarlyHints h1 */
    MQP_SKIP_CLIENT_REFUSES_PUSH,   /* and no hints can reach it */
    MQP_SKIP_PUSHED_REQUEST,    /* a pushed request */
    MQP_SKIP_H2PUSH_OFF,        /* H2Push off, and no hints can reach it */
    MQP_SKIP_NOT_NAVIGATION,    /* hints, but not a top-level navigation */
    MQP_SKIP_LIMIT,             /* per resource: QuartPushLimit */
    MQP_SKIP_COOKIE,            /* per resource: in the client's digest */
    MQP_SKIP_SIZE,              /* per resource: over MQP_MAX_HINTS_BYTES */
    MQP_SKIP_MISSING,           /* per resource: a manifest's file that is
                                 * not on disk */
    MQP_SKIP_COUNT,
    MQP_SKIP_NONE = MQP_SKIP_COUNT
} mqp_skip_e;

extern const char *const mqp_skip_keys[MQP_SKIP_COUNT];

int mqp_header_parser(request_rec *r);
int mqp_fixups(request_rec *r);
/* QuartPushLinkHeader: the final Link headers are added as the response
 * headers leave, after a handler such as mod_proxy_http has replaced
 * r->headers_out with its own */
void mqp_links_insert_filter(request_rec *r, const mqp_response_state *st);
apr_status_t mqp_links_out_filter(ap_filter_t *f, apr_bucket_brigade *bb);

/* The state of r's response (of the first request of its redirect
 * chain); created when asked to, else NULL until something is announced. */
mqp_response_state *mqp_state_get(request_rec *r, int create);

/* What mqp_decide found for a request. */
typedef struct {
    mqp_send_e how;             /* push, hints, or nothing */
    mqp_skip_e code;            /* with nothing: the counter ... */
    const char *reason;         /* ... and the reason, for the debug log */
    int for_response;           /* a response links are for, whatever the
                                 * client accepts (QuartPushLinkHeader) */
    int nopush;                 /* hints where H2Push is off: the 103's
                                 * links say nopush, so that mod_http2
                                 * never pushes from them */
} mqp_decision;

/* Whether and how r's response announces links; the configured rules ask
 * with predict (they go out before the handler), the API without. */
void mqp_decide(request_rec *r, const mqp_dir_conf *dc,
                const mqp_srv_conf *sc, int predict, mqp_decision *d);

/* One 103 being built: begin, announce each link, send. A link is left
 * out when this response announced its URL already, the client's digest
 * says it has it, it is too long for mod_http2, or the limit is reached;
 * mqp_announce says whether it went in. */
typedef struct {
    request_rec *r;
    mqp_response_state *st;
    mqp_send_e how;
    int limit;                  /* QuartPushLimit */
    int over;                   /* links left out by it */
    apr_size_t bytes;           /* the 103's Link headers so far, counted
                                 * with MQP_LINK_ENTRY_BYTES */
    int over_size;              /* links left out by MQP_MAX_HINTS_BYTES */
    int nopush;                 /* mark every preload nopush (H2Push off) */
    int hold;                   /* QuartPushBackendHints merge: keep the
                                 * links for the handler's 103 */
    apr_table_t *links;         /* the 103's Link headers, NULL while none */
    unsigned int rule;          /* the rule of the links announced now
                                 * (mqp_used_rule), 0 for none */
} mqp_announcement;

void mqp_announce_begin(mqp_announcement *a, request_rec *r,
                        const mqp_dir_conf *dc, mqp_send_e how);
int mqp_announce(mqp_announcement *a, const char *url, const char *header,
                 const qp_link *link);
/* sends the 103 (or holds its links) if any link went in (then 1), and
 * sets the notes */
int mqp_announce_send(mqp_announcement *a);
int mqp_was_announced(const mqp_response_state *st, const char *url);
/* Counts url as left out for reason, once per response (an internal
 * redirect runs fixups again on the same URLs); true the first time. */
int mqp_skip_once(request_rec *r, mqp_response_state *st, const char *url,
                  mqp_skip_e reason);
/* url is the one the client asked for: never announced on its own request */
int mqp_is_own_url(request_rec *r, const mqp_response_state *st,
                   const char *url);
void mqp_set_notes(request_rec *r, mqp_response_state *st);
/* Whether a Link header of t carries value, alone or in a list */
int mqp_has_link(apr_table_t *t, const char *value);

/* ------------------------------------------------------------------------
 * a handler's own 103, such as a proxied backend's
 * (mod_quartpush_backend.c)
 */

void mqp_backend_child_init(apr_pool_t *pchild);
/* r's response announced (or holds) links: watch the handler's 103s */
void mqp_backend_watch(request_rec *r, mqp_response_state *st,
                       const mqp_dir_conf *dc);
void mqp_backend_follow(request_rec *r, mqp_response_state *st);
apr_status_t mqp_backend_out_filter(ap_filter_t *f, apr_bucket_brigade *bb);
/* merge without a 103 from the handler: the held links go into the final
 * response's Link headers */
void mqp_backend_final_links(request_rec *r, mqp_response_state *st);

/* ------------------------------------------------------------------------
 * QuartPushCookie (mod_quartpush_cookie.c)
 */

/* The digest of what this client was sent before, read once per response
 * from its cookie; NULL when the scope has no cookie. Reading it arranges
 * for the new cookie to go out with the response headers. */
qp_digest *mqp_cookie_digest(request_rec *r, mqp_response_state *st,
                             const mqp_dir_conf *dc);
apr_status_t mqp_cookie_out_filter(ap_filter_t *f, apr_bucket_brigade *bb);
/* insert_error_filter: the filter that sets it; insert_filter: that one
 * and QuartPushLinkHeader's (mqp_links_insert_filter) */
void mqp_insert_error_filters(request_rec *r);
void mqp_insert_filters(request_rec *r);

/* ------------------------------------------------------------------------
 * mod_http2 (mod_quartpush_h2.c)
 */

void mqp_h2_retrieve_optional_fns(void);
/* mod_http2 is there: at request time (looked up once), and while the
 * configuration is checked (before optional functions are retrieved) */
int mqp_h2_loaded(void);
int mqp_h2_configured(void);
/* the stream may push: the client's SETTINGS_ENABLE_PUSH and H2Push */
int mqp_h2_pre_connection(conn_rec *c, void *csd);
/* the hash of r's client address for used, late, unused: its primary
 * connection's, computed once per connection when it is the same */
apr_uint64_t mqp_h2_client_hash(const request_rec *r);
int mqp_h2_protocol_propose(conn_rec *c, request_rec *r, server_rec *s,
                            const apr_array_header_t *offers,
                            apr_array_header_t *proposals);
/* H2EarlyHints where mod_http2 decides: its session's server */
int mqp_h2_early_hints(request_rec *r, const mqp_srv_conf *sc);
int mqp_h2_client_accepts_push(request_rec *r);
int mqp_h2_is_pushed_request(request_rec *r);
/* one 103 carrying only these Link headers; mod_http2 promises the
 * preload ones right away and forwards the 103 where H2EarlyHints is on */
void mqp_h2_send_early_hints(request_rec *r, apr_table_t *links);
/* links' Link headers joined into as few lines as mod_http2 reads whole */
apr_table_t *mqp_h2_join_links(apr_pool_t *p, const apr_table_t *links);
/* each server's H2EarlyHints, read from httpd's configuration tree */
void mqp_h2_scan_early_hints(apr_pool_t *ptemp, server_rec *s);
/* warns for each server whose rules would give browsers nothing */
void mqp_h2_check_early_hints(server_rec *s);

/* ------------------------------------------------------------------------
 * the API for other modules (mod_quartpush_api.c, mod_quartpush.h)
 */

void mqp_api_register(void);

/* ------------------------------------------------------------------------
 * asset manifests (mod_quartpush_manifest.c)
 */

typedef struct mqp_manifest mqp_manifest;

/* One file of an entry, ready for a 103. */
typedef struct {
    const char *url;
    const char *path;           /* the file on disk, NULL when not looked
                                 * for (files=off) */
    const char *push_header;    /* rel=preload: mod_http2 pushes these */
    const char *hint_header;    /* what a browser's own tag would load:
                                 * rel=modulepreload for module scripts */
    const qp_link *link;
} mqp_mf_item;

/* QuartPushManifest NAME FORMAT FILE [base=URL-PREFIX] [files=DIR|off]
 *                   [required] [PARAM...] */
const char *mqp_cmd_manifest(cmd_parms *cmd, void *dconf, const char *args);
apr_status_t mqp_manifest_cleanup(void *data);
/* the main server's configuration, for virtual hosts' lookups */
void mqp_manifest_note_main(mqp_srv_conf *sc);
/* Finds ref's manifest from sc's server and expands it there: NULL, or a
 * message naming origin (the FILE:LINE that wrote it). */
const char *mqp_manifest_resolve(apr_pool_t *p, const mqp_srv_conf *sc,
                                 qp_link_ref *ref, const char *origin);
void mqp_manifest_child_init(apr_pool_t *pchild, server_rec *s);
/* Once the configuration is read: each manifest's warnings (a file that
 * cannot be read, keys and files it lacks), logged when say is true. */
void mqp_manifest_config_done(apr_pool_t *ptemp, server_rec *s, int say);
/* Announces the files of an "@NAME:KEY" link, as the response's
 * generation of its manifest has them. */
void mqp_manifest_announce(mqp_announcement *a, const qp_link *link);
/* The files of an "@NAME:KEY" link (mqp_mf_item) for r's response. */
const apr_array_header_t *mqp_manifest_items(request_rec *r,
                                             const qp_link *link);

/* What the status page and DUMP_QUARTPUSH show of one manifest. */
typedef struct {
    const char *ref;            /* "@NAME:KEY" */
    const char *origin;         /* where it is written */
    const char *error;          /* why it announces nothing, or NULL */
    apr_array_header_t *headers;/* const char *: a browser's Link values */
    apr_array_header_t *missing;/* const char *: the URLs of its files
                                 * left out, not on disk */
} mqp_manifest_resource;

typedef struct {
    const char *name, *format, *path, *origin;
    int index;                  /* in the shared table of builds */
    const char *settings;       /* "css-crossorigin=none scripts=module",
                                 * as given, or NULL */
    const char *files_dir;      /* where its files are looked for, or NULL
                                 * (files=off) */
    int required;
    apr_time_t loaded_at;       /* when the version in use was read, or 0 */
    apr_time_t mtime;           /* ... its mtime: which build it is */
    int entries;
    int missing;                /* its files left out, not on disk */
    const char *last_error;     /* NULL when the last reading worked */
    apr_time_t failed_at;
    apr_array_header_t *resources;  /* mqp_manifest_resource */
} mqp_manifest_info;

typedef void mqp_manifest_visit_fn(void *baton, const mqp_manifest_info *info);

/* Which build one child announces (shared memory). */
typedef struct {
    pid_t pid;
    apr_time_t mtime;           /* the file's mtime; 0: none read */
    apr_time_t loaded_at;
} mqp_manifest_child;

/* Every child's build of info's manifest, in *pchildren. */
void mqp_manifest_children(apr_pool_t *p, const mqp_manifest_info *info,
                           apr_array_header_t **pchildren);
/* Each manifest's index, and the shared table of the builds the children
 * announce (post_config). */
int mqp_manifest_post_config(apr_pool_t *pconf, server_rec *s);
/* Each manifest of sc's server, by name; with r, as r's response holds it
 * (a status page), without, as configured (apachectl -t). */
void mqp_manifest_each(request_rec *r, const mqp_srv_conf *sc, apr_pool_t *p,
                       mqp_manifest_visit_fn *visit, void *baton);

/* ------------------------------------------------------------------------
 * used, late, unused: what became of each rule's announcements
 * (mod_quartpush_used.c)
 */

/* The number of the rule declared at origin ("FILE:LINE") as resource (the
 * text a user fixes): dense, from 1, the same in every child; 0 is every
 * announcement without one (.htaccess, quartpush_make_push_promise()).
 * Configuration time only. */
unsigned int mqp_used_rule(apr_pool_t *pconf, const char *origin,
                           const char *resource);
int mqp_used_pre_config(apr_pool_t *pconf, apr_pool_t *plog,
                        apr_pool_t *ptemp);
/* the shared table and counters, made in the parent */
int mqp_used_post_config(apr_pool_t *pconf, server_rec *s);
/* a's response announces url (the rule is a->rule) */
void mqp_used_mark(mqp_announcement *a, const char *url);
/* the response's new marks go into the table: before the 103 leaves */
void mqp_used_write(request_rec *r, mqp_response_state *st);
void mqp_used_insert_filter(request_rec *r, mqp_response_state *st);
apr_status_t mqp_used_out_filter(ap_filter_t *f, apr_bucket_brigade *bb);
apr_status_t mqp_used_push_filter(ap_filter_t *f, apr_bucket_brigade *bb);
extern ap_filter_rec_t *mqp_used_filter;   /* registered once, added by
                                            * its handle: no name lookup */
extern ap_filter_rec_t *mqp_used_push_filter_rec;
/* the hash of a client address (0 before the table exists) */
apr_uint64_t mqp_used_client_hash(const char *ip);
/* post_read_request: a request for a URL announced to this client */
int mqp_used_post_read_request(request_rec *r);

/* One rule's line of the status page. */
typedef struct {
    unsigned int rule;
    const char *origin;
    const char *resource;
    apr_uint64_t announced, early, late, unused, refused, evicted;
    apr_uint64_t waiting;       /* announced, not decided yet */
} mqp_used_row;

typedef struct {
    int available;              /* the shared table exists */
    apr_uint32_t slots;
    apr_uint32_t waiting;       /* slots in use */
    apr_uint64_t dropped;       /* not written: a bucket all busy */
    apr_interval_time_t grace;
} mqp_used_summary;

/* Every rule's counts, those with the most unused first, once the
 * announcements whose time is up are counted unused (a sweep); rules
 * never announced are left out. */
void mqp_used_rows(apr_pool_t *p, apr_array_header_t **rows,
                   mqp_used_summary *sum);

/* ------------------------------------------------------------------------
 * counters, quartpush-status, mod_status, DUMP_QUARTPUSH
 * (mod_quartpush_status.c)
 */

/* Counters since the server started, shared by all children and kept
 * across graceful restarts. The names are those of the status page. */
typedef struct {
    apr_uint32_t magic;                 /* MQP_COUNTERS_MAGIC */
    apr_uint32_t size;                  /* sizeof(mqp_counters) */
#ifdef MQP_COUNTERS_LAYOUT_TEST
    apr_uint64_t layout_test[3];        /* another layout: see status.c */
#endif
    apr_time_t started;
    volatile apr_uint64_t requests;     /* evaluated in a scope with rules */
    volatile apr_uint64_t routes_matched;   /* ... whose route applied */
    volatile apr_uint64_t routes_gave_up;   /* ... whose route matcher
                                             * stopped at QP_MAX_VISITS */
    volatile apr_uint64_t early_hints_responses;    /* 103s sent */
    volatile apr_uint64_t pushes;       /* links pushed (fixups and API) */
    volatile apr_uint64_t hints;        /* links sent as hints only */
    volatile apr_uint64_t api_calls;    /* quartpush_make_push_promise */
    volatile apr_uint64_t backend_hints_ignored;    /* links of a handler's
                                         * 103 that came after the first
                                         * one, which browsers ignore */
    volatile apr_uint64_t skipped[MQP_SKIP_COUNT];
} mqp_counters;

extern mqp_counters *mqp_ctr;           /* NULL without shared memory */

#define MQP_COUNT(field) \
    do { if (mqp_ctr) apr_atomic_inc64(&mqp_ctr->field); } while (0)

int mqp_counters_init(apr_pool_t *pconf, server_rec *s);
int mqp_status_handler(request_rec *r);
int mqp_status_hook(request_rec *r, int flags);
void mqp_dump_routes(apr_pool_t *pconf, server_rec *s);

#endif /* MOD_QUARTPUSH_PRIVATE_H */
