/* SPDX-License-Identifier: Apache-2.0 */
/* Asset manifests: QuartPushManifest, and the "@NAME:KEY" resources that
 * name an entry of one (QuartPushResource, routes). A build tool writes
 * the manifest (Vite, webpack, Propshaft, Encore); src/qp_manifest.c reads
 * it and expands an entry into the files its page loads.
 *
 * What is read when:
 * - at configuration time (apachectl -t too), the manifest is read and
 *   every "@" resource expanded, so that a missing file, bad JSON or an
 *   unknown key stops the server from starting, with the line at fault;
 * - while serving, each process looks at the file at most once a second
 *   (the request's time decides; no system call on the other requests).
 *   When it changed, one thread reads it into a new generation, with every
 *   "@" resource expanded, and swaps it in. A request takes the generation
 *   current when it first needs it and keeps it to its end, so that it
 *   sees the old manifest or the new one, never a mix. A generation lives
 *   in a pool of its own, destroyed when the last request holding it ends,
 *   so that memory does not grow with the number of deploys. A manifest
 *   that cannot be read or parsed keeps the last good one, and is logged
 *   once at level error and shown on the status page.
 */
#include <stdlib.h>

#include <apr_lib.h>
#include <apr_strings.h>
#include <apr_thread_mutex.h>

#include <httpd.h>
#include <http_config.h>
#include <http_log.h>
#include <http_request.h>
#include <util_time.h>

#include "mod_quartpush_private.h"
#include "qp_manifest.h"

/* One reading of the manifest, with every "@" resource expanded. */
typedef struct mqp_mf_gen {
    apr_pool_t *pool;           /* its own */
    const qp_manifest_t *m;
    apr_array_header_t *items;  /* per resource (mqp_mf_ref.index):
                                 * apr_array_header_t * of mqp_mf_item */
    apr_time_t mtime;           /* of the file read */
    apr_off_t size;
    apr_ino_t inode;
    apr_time_t loaded_at;
    int entries;
    apr_uint32_t users;         /* requests holding it (under lock) */
    int retired;                /* replaced: destroyed by its last user */
} mqp_mf_gen;

struct mqp_manifest {
    const char *name;
    qp_manifest_format_e fmt;
    const char *path;           /* absolute */
    const char *base;
    qp_manifest_options opts;   /* css-crossorigin=, scripts= */
    int nparams;                /* for every file of this manifest */
    const char *const *params;
    int ncss_params;            /* for its stylesheets, when css-crossorigin=
                                 * is given: params without crossorigin,
                                 * which it overrides (else css_params is
                                 * NULL) */
    const char *const *css_params;
    const char *origin;         /* FILE:LINE of its directive */
    apr_array_header_t *refs;   /* mqp_mf_ref *, in the order declared */
    mqp_mf_gen *gen;            /* the current one */
    apr_thread_mutex_t *lock;   /* guards gen and users (children only) */
    apr_thread_mutex_t *reload_lock;
    volatile apr_time_t next_check;
    apr_time_t failed_mtime;    /* the file that failed last, logged once */
    apr_off_t failed_size;
    apr_ino_t failed_inode;
    apr_time_t failed_at;
    char last_error[512];
};

/* An "@NAME:KEY" resource, resolved: qp_link_ref.data */
typedef struct {
    mqp_manifest *m;
    int index;                  /* into every generation's items */
    const qp_link_ref *ref;
    const char *origin;
} mqp_mf_ref;

/* The generations a response holds, one per manifest. */
typedef struct {
    mqp_manifest *m;
    mqp_mf_gen *gen;
} mqp_mf_held;

static apr_status_t mqp_gen_destroy(void *data)
{
    mqp_mf_gen *g = data;

    apr_pool_destroy(g->pool);
    return APR_SUCCESS;
}

/* The manifest's parameters mparams, then the resource's: one list, in
 * which a parameter may appear once (qp_link_make refuses it twice), so
 * neither side overrides the other; only css-crossorigin= wins over a
 * manifest's crossorigin, on stylesheets (see mqp_gen_expand). */
static const char **mqp_params_join(apr_pool_t *p, int nm,
                                    const char *const *mparams,
                                    const qp_link_ref *ref)
{
    const char **params = apr_palloc(p, sizeof(*params)
                                        * (apr_size_t)(nm + ref->nparams + 1));
    int i;

    for (i = 0; i < nm; ++i) {
        params[i] = mparams[i];
    }
    for (i = 0; i < ref->nparams; ++i) {
        params[nm + i] = ref->params[i];
    }
    return params;
}

/* The files of ref in generation g, or an error. */
static const char *mqp_gen_expand(mqp_mf_gen *g, mqp_manifest *m,
                                  const mqp_mf_ref *mr)
{
    const apr_array_header_t *files;
    apr_array_header_t *items;
    const char **params, **css_params = NULL;
    const char *err;
    int i;

    err = qp_manifest_expand(&files, g->m, mr->ref->key, g->pool);
    if (err) {
        return err;
    }
    params = mqp_params_join(g->pool, m->nparams, m->params, mr->ref);
    if (m->css_params) {
        css_params = mqp_params_join(g->pool, m->ncss_params, m->css_params,
                                     mr->ref);
    }
    items = apr_array_make(g->pool, files->nelts, sizeof(mqp_mf_item));
    for (i = 0; i < files->nelts; ++i) {
        const qp_manifest_file *f = APR_ARRAY_IDX(files, i,
                                                  const qp_manifest_file *);
        mqp_mf_item *it = apr_array_push(items);
        qp_link *link;

        if (css_params && f->kind == QP_MANIFEST_STYLESHEET) {
            err = qp_manifest_file_link(&link, g->pool, f,
                                        m->ncss_params + mr->ref->nparams,
                                        css_params);
        }
        else {
            err = qp_manifest_file_link(&link, g->pool, f,
                                        m->nparams + mr->ref->nparams, params);
        }
        if (err) {
            return err;
        }
        it->url = link->url;
        it->link = link;
        it->push_header = link->header;
        it->hint_header = qp_manifest_hint_header(g->pool, f, link);
    }
    while (g->items->nelts <= mr->index) {
        APR_ARRAY_PUSH(g->items, apr_array_header_t *) = NULL;
    }
    APR_ARRAY_IDX(g->items, mr->index, apr_array_header_t *) = items;
    return NULL;
}

/* Reads m's file into a new generation with every resource expanded.
 * NULL and *pg on success; otherwise why not, and nothing is left. */
static const char *mqp_gen_load(mqp_mf_gen **pg, mqp_manifest *m,
                                apr_pool_t *ptemp)
{
    apr_pool_t *pool;
    mqp_mf_gen *g;
    apr_finfo_t fi;
    char *data;
    apr_size_t len;
    qp_manifest_t *qm;
    const char *err;
    int i;

    *pg = NULL;
    /* a pool of its own, with its own allocator: destroying it gives all
     * of a generation back, whichever thread made it */
    if (apr_pool_create_unmanaged_ex(&pool, NULL, NULL) != APR_SUCCESS) {
        return "out of memory";
    }
    g = apr_pcalloc(pool, sizeof(*g));
    g->pool = pool;
    err = qp_manifest_read_file(&data, &len, &fi, pool, m->path);
    if (!err) {
        err = qp_manifest_parse(&qm, pool, m->fmt, data, len, m->base,
                                &m->opts);
    }
    if (!err) {
        g->m = qm;
        g->entries = qp_manifest_count(qm);
        g->mtime = fi.mtime;
        g->size = fi.size;
        g->inode = fi.inode;
        g->loaded_at = apr_time_now();
        g->items = apr_array_make(pool, m->refs->nelts ? m->refs->nelts : 1,
                                  sizeof(apr_array_header_t *));
        for (i = 0; !err && i < m->refs->nelts; ++i) {
            const mqp_mf_ref *mr = APR_ARRAY_IDX(m->refs, i, const mqp_mf_ref *);
            if ((err = mqp_gen_expand(g, m, mr)) != NULL) {
                err = apr_psprintf(ptemp, "@%s:%s (%s): %s", m->name,
                                   mr->ref->key, mr->origin, err);
            }
        }
    }
    else {
        err = apr_pstrdup(ptemp, err);
    }
    if (err) {
        apr_pool_destroy(pool);
        return err;
    }
    *pg = g;
    return NULL;
}

/* ------------------------------------------------------------------------
 * configuration
 */

/* The main server's configuration, where a virtual host's directives find
 * the manifests declared outside it (they merge only later). */
static mqp_srv_conf *mqp_main_srv_conf;

void mqp_manifest_note_main(mqp_srv_conf *sc)
{
    mqp_main_srv_conf = sc;
}

static mqp_manifest *mqp_manifest_find(const mqp_srv_conf *sc,
                                       const char *name)
{
    mqp_manifest *m = NULL;

    if (sc->manifests) {
        m = apr_hash_get(sc->manifests, name, APR_HASH_KEY_STRING);
    }
    if (!m && mqp_main_srv_conf && mqp_main_srv_conf->manifests) {
        m = apr_hash_get(mqp_main_srv_conf->manifests, name,
                         APR_HASH_KEY_STRING);
    }
    return m;
}

/* A crossorigin link parameter (crossorigin, crossorigin=MODE). */
static int mqp_is_crossorigin_param(const char *w)
{
    return !ap_cstr_casecmpn(w, "crossorigin", 11) && (w[11] == '\0'
                                                       || w[11] == '=');
}

/* QuartPushManifest NAME FORMAT FILE [base=URL-PREFIX]
 *                   [css-crossorigin=MODE] [scripts=module|classic] [PARAM...] */
const char *mqp_cmd_manifest(cmd_parms *cmd, void *dconf, const char *args)
{
    mqp_srv_conf *sc = ap_get_module_config(cmd->server->module_config,
                                            &quartpush_module);
    apr_array_header_t *words, *params;
    mqp_manifest *m;
    mqp_mf_gen *g;
    const char *err, *name, *file, *w;
    int i;

    err = ap_check_cmd_context(cmd, NOT_IN_DIR_CONTEXT);
    if (err) {
        return err;
    }
    if ((err = qp_words_split(&words, cmd->temp_pool, args)) != NULL) {
        return apr_pstrcat(cmd->pool, cmd->cmd->name, ": ", err, NULL);
    }
    if (words->nelts < 3) {
        return apr_pstrcat(cmd->pool, cmd->cmd->name, ": '", args,
                           "': expected NAME FORMAT FILE [base=URL-PREFIX] "
                           "[PARAM...], e.g. app vite "
                           "/srv/www/public/build/.vite/manifest.json "
                           "base=/build/", NULL);
    }
    m = apr_pcalloc(cmd->pool, sizeof(*m));
    name = APR_ARRAY_IDX(words, 0, const char *);
    if (!qp_manifest_name_ok(name, NULL)) {
        return apr_psprintf(cmd->pool, "%s: '%s' is not a name (letters, "
                            "digits, '_' and '-')", cmd->cmd->name, name);
    }
    if (sc->manifests && apr_hash_get(sc->manifests, name,
                                      APR_HASH_KEY_STRING)) {
        mqp_manifest *other = apr_hash_get(sc->manifests, name,
                                           APR_HASH_KEY_STRING);
        return apr_psprintf(cmd->pool, "%s: '%s' is declared twice in this "
                            "server (first at %s)", cmd->cmd->name, name,
                            other->origin);
    }
    m->name = apr_pstrdup(cmd->pool, name);
    err = qp_manifest_format_parse(&m->fmt, cmd->temp_pool,
                                   APR_ARRAY_IDX(words, 1, const char *));
    if (err) {
        return apr_pstrcat(cmd->pool, cmd->cmd->name, ": ", err, NULL);
    }
    file = APR_ARRAY_IDX(words, 2, const char *);
    m->path = ap_server_root_relative(cmd->pool, file);
    if (!m->path) {
        return apr_psprintf(cmd->pool, "%s: '%s' is not a valid path",
                            cmd->cmd->name, file);
    }
    qp_manifest_options_init(&m->opts);
    params = apr_array_make(cmd->pool, 2, sizeof(const char *));
    for (i = 3; i < words->nelts; ++i) {
        w = APR_ARRAY_IDX(words, i, const char *);
        /* settings of the manifest, apart from the link parameters */
        if (qp_manifest_option_parse(&m->opts, &err, cmd->temp_pool, m->fmt,
                                     w)) {
            if (err) {
                return apr_psprintf(cmd->pool, "%s %s: %s", cmd->cmd->name,
                                    m->name, err);
            }
        }
        else if (!strncmp(w, "base=", 5)) {
            if (m->base) {
                return apr_psprintf(cmd->pool, "%s: base= is given twice",
                                    cmd->cmd->name);
            }
            m->base = apr_pstrdup(cmd->pool, w + 5);
        }
        else {
            APR_ARRAY_PUSH(params, const char *) = apr_pstrdup(cmd->pool, w);
        }
    }
    /* the parameters for every file, checked where they are written */
    if (params->nelts) {
        qp_link *check;
        err = qp_link_make_ref(&check, cmd->temp_pool, "@x:x", params->nelts,
                               (const char *const *)params->elts);
        if (err) {
            return apr_pstrcat(cmd->pool, cmd->cmd->name, ": ", err, NULL);
        }
    }
    m->nparams = params->nelts;
    m->params = (const char *const *)params->elts;
    /* css-crossorigin= is the more specific: it wins over a crossorigin
     * parameter for every file, on the stylesheets */
    if (m->opts.css_crossorigin >= 0) {
        apr_array_header_t *css = apr_array_make(cmd->pool, params->nelts + 1,
                                                 sizeof(const char *));
        for (i = 0; i < params->nelts; ++i) {
            w = APR_ARRAY_IDX(params, i, const char *);
            if (!mqp_is_crossorigin_param(w)) {
                APR_ARRAY_PUSH(css, const char *) = w;
            }
        }
        if (css->nelts != params->nelts) {
            m->ncss_params = css->nelts;
            m->css_params = (const char *const *)css->elts;
        }
    }
    m->origin = apr_psprintf(cmd->pool, "%s:%d", cmd->directive->filename,
                             cmd->directive->line_num);
    m->refs = apr_array_make(cmd->pool, 4, sizeof(mqp_mf_ref *));
    err = mqp_gen_load(&g, m, cmd->temp_pool);
    if (err) {
        return apr_psprintf(cmd->pool, "%s %s: %s", cmd->cmd->name, m->name,
                            err);
    }
    m->gen = g;
    apr_pool_cleanup_register(cmd->pool, m, mqp_manifest_cleanup,
                              apr_pool_cleanup_null);
    if (!sc->manifests) {
        sc->manifests = apr_hash_make(cmd->pool);
    }
    apr_hash_set(sc->manifests, m->name, APR_HASH_KEY_STRING, m);
    return NULL;
}

apr_status_t mqp_manifest_cleanup(void *data)
{
    mqp_manifest *m = data;

    if (m->gen) {
        mqp_gen_destroy(m->gen);
        m->gen = NULL;
    }
    return APR_SUCCESS;
}

const char *mqp_manifest_resolve(apr_pool_t *p, const mqp_srv_conf *sc,
                                 qp_link_ref *ref, const char *origin)
{
    mqp_manifest *m;
    mqp_mf_ref *mr;
    const char *err;

    if (ref->data) {
        return NULL;        /* resolved already (a route of the main
                             * server, seen again from a virtual host) */
    }
    m = mqp_manifest_find(sc, ref->name);
    if (!m) {
        return apr_psprintf(p, "@%s:%s: no QuartPushManifest %s (declare it "
                            "in the server configuration, before its first "
                            "use)", ref->name, ref->key, ref->name);
    }
    mr = apr_pcalloc(p, sizeof(*mr));
    mr->m = m;
    mr->index = m->refs->nelts;
    mr->ref = ref;
    mr->origin = apr_pstrdup(p, origin);
    if ((err = mqp_gen_expand(m->gen, m, mr)) != NULL) {
        return apr_psprintf(p, "@%s:%s: %s (QuartPushManifest %s at %s)",
                            ref->name, ref->key, err, m->name, m->origin);
    }
    APR_ARRAY_PUSH(m->refs, mqp_mf_ref *) = mr;
    ref->data = mr;
    return NULL;
}

/* every manifest of every server gets its locks in each child */
void mqp_manifest_child_init(apr_pool_t *pchild, server_rec *s)
{
    server_rec *sv;

    for (sv = s; sv; sv = sv->next) {
        mqp_srv_conf *sc = ap_get_module_config(sv->module_config,
                                                &quartpush_module);
        apr_hash_index_t *hi;

        if (!sc->manifests) {
            continue;
        }
        for (hi = apr_hash_first(pchild, sc->manifests); hi;
             hi = apr_hash_next(hi)) {
            mqp_manifest *m = apr_hash_this_val(hi);
            if (m->lock) {
                continue;   /* a virtual host sees the main server's too */
            }
            apr_thread_mutex_create(&m->lock, APR_THREAD_MUTEX_DEFAULT, pchild);
            apr_thread_mutex_create(&m->reload_lock, APR_THREAD_MUTEX_DEFAULT,
                                    pchild);
            /* a child started after a deploy holds what the parent read
             * at startup: its first request looks at the file */
            m->next_check = 0;
        }
    }
}

/* ------------------------------------------------------------------------
 * serving
 */

/* Looks at m's file when a second has passed since the last look, and
 * swaps in a new generation when it changed. One thread at a time; the
 * others go on with the current one. */
static void mqp_manifest_check(mqp_manifest *m, request_rec *r)
{
    apr_time_t now = r->request_time;
    apr_finfo_t fi;
    mqp_mf_gen *g, *old;
    const char *err;
    int destroy;

    if (now < m->next_check || !m->reload_lock
        || apr_thread_mutex_trylock(m->reload_lock) != APR_SUCCESS) {
        return;
    }
    if (now < m->next_check) {
        apr_thread_mutex_unlock(m->reload_lock);
        return;
    }
    m->next_check = now + apr_time_from_sec(1);
    if (apr_stat(&fi, m->path, APR_FINFO_MTIME | APR_FINFO_SIZE
                 | APR_FINFO_INODE, r->pool) == APR_SUCCESS
        && ((fi.mtime == m->gen->mtime && fi.size == m->gen->size
             && fi.inode == m->gen->inode)
            || (fi.mtime == m->failed_mtime && fi.size == m->failed_size
                && fi.inode == m->failed_inode))) {
        apr_thread_mutex_unlock(m->reload_lock);
        return;
    }
    err = mqp_gen_load(&g, m, r->pool);
    if (err) {
        /* once per version of the file: the last good one stays */
        if (fi.mtime != m->failed_mtime || fi.size != m->failed_size
            || fi.inode != m->failed_inode || !m->failed_at) {
            ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, MQP_LOGNO(00008)
                          "QuartPushManifest %s (%s): %s; keeping the one "
                          "loaded at %s", m->name, m->origin, err,
                          ap_ht_time(r->pool, m->gen->loaded_at,
                                     "%Y-%m-%d %H:%M:%S", 0));
        }
        m->failed_mtime = fi.mtime;
        m->failed_size = fi.size;
        m->failed_inode = fi.inode;
        m->failed_at = now;
        apr_cpystrn(m->last_error, err, sizeof(m->last_error));
        apr_thread_mutex_unlock(m->reload_lock);
        return;
    }
    apr_thread_mutex_lock(m->lock);
    old = m->gen;
    m->gen = g;
    destroy = old->users == 0;
    old->retired = !destroy;
    apr_thread_mutex_unlock(m->lock);
    if (destroy) {
        mqp_gen_destroy(old);
    }
    m->failed_at = 0;
    m->last_error[0] = '\0';
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, MQP_LOGNO(00009)
                  "QuartPushManifest %s: read %s again (%d entries)",
                  m->name, m->path, g->entries);
    apr_thread_mutex_unlock(m->reload_lock);
}

static apr_status_t mqp_gen_release(void *data)
{
    mqp_mf_held *h = data;
    int destroy;

    apr_thread_mutex_lock(h->m->lock);
    destroy = --h->gen->users == 0 && h->gen->retired;
    apr_thread_mutex_unlock(h->m->lock);
    if (destroy) {
        mqp_gen_destroy(h->gen);
    }
    return APR_SUCCESS;
}

/* The generation of m that this response uses: the current one when it
 * first asks, then the same one to its end. */
static mqp_mf_gen *mqp_manifest_hold(request_rec *r, mqp_manifest *m)
{
    mqp_response_state *st = mqp_state_get(r, 1);
    request_rec *first = r;
    mqp_mf_held *h;
    int i;

    for (i = 0; st->manifests && i < st->manifests->nelts; ++i) {
        h = APR_ARRAY_IDX(st->manifests, i, mqp_mf_held *);
        if (h->m == m) {
            return h->gen;
        }
    }
    if (!m->lock) {
        return m->gen;      /* not in a child (no threads yet) */
    }
    while (first->prev) {
        first = first->prev;
    }
    mqp_manifest_check(m, r);
    h = apr_palloc(first->pool, sizeof(*h));
    h->m = m;
    apr_thread_mutex_lock(m->lock);
    h->gen = m->gen;
    ++h->gen->users;
    apr_thread_mutex_unlock(m->lock);
    apr_pool_cleanup_register(first->pool, h, mqp_gen_release,
                              apr_pool_cleanup_null);
    if (!st->manifests) {
        st->manifests = apr_array_make(first->pool, 2, sizeof(mqp_mf_held *));
    }
    APR_ARRAY_PUSH(st->manifests, mqp_mf_held *) = h;
    return h->gen;
}

const apr_array_header_t *mqp_manifest_items(request_rec *r,
                                             const qp_link *link)
{
    const mqp_mf_ref *mr = link->ref ? link->ref->data : NULL;
    mqp_mf_gen *g;

    if (!mr) {
        return NULL;
    }
    g = mqp_manifest_hold(r, mr->m);
    if (mr->index >= g->items->nelts) {
        return NULL;
    }
    return APR_ARRAY_IDX(g->items, mr->index, const apr_array_header_t *);
}

void mqp_manifest_announce(mqp_announcement *a, const qp_link *link)
{
    const apr_array_header_t *items = mqp_manifest_items(a->r, link);
    int i;

    for (i = 0; items && i < items->nelts; ++i) {
        const mqp_mf_item *it = &APR_ARRAY_IDX(items, i, mqp_mf_item);
        mqp_announce(a, it->url, a->how == MQP_SEND_PUSH ? it->push_header
                                                         : it->hint_header,
                     it->link);
    }
}

/* ------------------------------------------------------------------------
 * showing
 */

static int mqp_strcmp_ptr(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

void mqp_manifest_each(request_rec *r, const mqp_srv_conf *sc, apr_pool_t *p,
                       mqp_manifest_visit_fn *visit, void *baton)
{
    apr_array_header_t *names;
    apr_hash_index_t *hi;
    int i;

    if (!sc->manifests) {
        return;
    }
    names = apr_array_make(p, 4, sizeof(const char *));
    for (hi = apr_hash_first(p, sc->manifests); hi; hi = apr_hash_next(hi)) {
        APR_ARRAY_PUSH(names, const char *) = apr_hash_this_key(hi);
    }
    qsort(names->elts, (size_t)names->nelts, sizeof(const char *),
          mqp_strcmp_ptr);
    for (i = 0; i < names->nelts; ++i) {
        mqp_manifest *m = apr_hash_get(sc->manifests,
                                       APR_ARRAY_IDX(names, i, const char *),
                                       APR_HASH_KEY_STRING);
        mqp_manifest_info info;
        mqp_mf_gen *g = r ? mqp_manifest_hold(r, m) : m->gen;
        int j;

        info.name = m->name;
        info.format = qp_manifest_format_name(m->fmt);
        info.settings = qp_manifest_options_str(p, &m->opts);
        info.path = m->path;
        info.origin = m->origin;
        info.loaded_at = g ? g->loaded_at : 0;
        info.entries = g ? g->entries : 0;
        info.last_error = m->last_error[0] ? m->last_error : NULL;
        info.failed_at = m->failed_at;
        info.resources = apr_array_make(p, m->refs->nelts,
                                        sizeof(mqp_manifest_resource));
        for (j = 0; g && j < m->refs->nelts; ++j) {
            const mqp_mf_ref *mr = APR_ARRAY_IDX(m->refs, j, const mqp_mf_ref *);
            mqp_manifest_resource *res = apr_array_push(info.resources);
            const apr_array_header_t *items = mr->index < g->items->nelts ?
                APR_ARRAY_IDX(g->items, mr->index, const apr_array_header_t *)
                : NULL;
            int k;

            res->ref = apr_pstrcat(p, "@", m->name, ":", mr->ref->key, NULL);
            res->origin = mr->origin;
            res->headers = apr_array_make(p, items ? items->nelts : 1,
                                          sizeof(const char *));
            for (k = 0; items && k < items->nelts; ++k) {
                const mqp_mf_item *it = &APR_ARRAY_IDX(items, k, mqp_mf_item);
                APR_ARRAY_PUSH(res->headers, const char *) = it->hint_header;
            }
        }
        visit(baton, &info);
    }
}
