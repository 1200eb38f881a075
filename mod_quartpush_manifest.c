/* SPDX-License-Identifier: Apache-2.0 */
/* Asset manifests: QuartPushManifest, and the "@NAME:KEY" resources that
 * name an entry of one (QuartPushResource, routes). A build tool writes
 * the manifest (Vite, webpack, Propshaft, Encore); src/qp_manifest.c reads
 * it and expands an entry into the files its page loads.
 *
 * A manifest is deploy data, not configuration: a hint is an optimisation,
 * and nothing about the build may keep httpd from starting, restarting or
 * serving. So:
 * - at configuration time (apachectl -t too) the manifest is read and
 *   every "@" resource expanded. A file that cannot be read, a key that is
 *   not in it, a file it names that is not on disk: a warning, and the
 *   resources concerned announce nothing (with the parameter "required",
 *   the first two stop the start instead, for deploy pipelines);
 * - while serving, each process looks at the file at most once a second
 *   (the request's time decides; no system call on the other requests).
 *   When it changed, one thread reads it into a new generation, with every
 *   "@" resource expanded, and swaps it in; the others never wait for it.
 *   A request takes the generation current when it first needs it and
 *   keeps it to its end, so that it sees the old manifest or the new one,
 *   never a mix. A generation lives in a pool of its own, destroyed when
 *   the last request holding it ends; the parsed file lives only while the
 *   generation is built. A manifest that cannot be read keeps the last
 *   good generation, less the files that are gone since;
 * - a file that the manifest names and that is not on disk is never
 *   announced (a hint for a 404 is worse than none); while some are
 *   missing the process looks for them once a second;
 * - each state of the file (missing, unreadable, invalid, a version whose
 *   keys or files are missing) is logged once.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include <apr_atomic.h>
#include <apr_lib.h>
#include <apr_shm.h>
#include <apr_strings.h>
#include <apr_thread_mutex.h>

#include <httpd.h>
#include <ap_mpm.h>
#include <http_config.h>
#include <http_log.h>
#include <http_request.h>
#include <scoreboard.h>
#include <util_time.h>

#include "mod_quartpush_private.h"
#include "qp_manifest.h"

/* A manifest over this size, once parsed and freed, leaves the heap
 * with tens of MB that glibc keeps (jansson's tree is some 7 times the
 * file): they are given back to the system. */
#define MQP_TRIM_AFTER (256 * 1024)

static void mqp_give_back_heap(apr_off_t size)
{
#ifdef __GLIBC__
    if (size > MQP_TRIM_AFTER) {
        malloc_trim(0);
    }
#else
    (void)size;
#endif
}

/* What a stat said of a file: a new version of it, or a new way of being
 * unreadable, is a change. The device and the ctime too: a file rewritten
 * in place with its size and mtime kept (rsync --inplace -t, a
 * reproducible build's touch -r) still gets a new ctime. */
typedef struct {
    apr_status_t rv;            /* the stat's: APR_SUCCESS, or why not */
    apr_filetype_e type;
    apr_dev_t device;
    apr_ino_t inode;
    apr_off_t size;
    apr_time_t mtime;
    apr_time_t ctime;
} mqp_mf_stamp;

/* One resource's files in one generation. */
typedef struct {
    apr_array_header_t *items;  /* mqp_mf_item, the files announced, or
                                 * NULL: it announces nothing */
    apr_array_header_t *missing;/* mqp_mf_item, its files not on disk, or
                                 * NULL */
    const char *error;          /* why it announces nothing */
} mqp_mf_expansion;

/* One reading of the manifest, with every "@" resource expanded. */
typedef struct mqp_mf_gen {
    apr_pool_t *pool;           /* its own */
    const qp_manifest_t *m;     /* the parsed file, only while resources
                                 * are expanded (at configuration time, or
                                 * in a reload), else NULL */
    apr_array_header_t *exps;   /* mqp_mf_expansion, by mqp_mf_ref.index */
    mqp_mf_stamp stamp;         /* of the file read */
    apr_time_t loaded_at;       /* 0: no file was read */
    int entries;
    int missing;                /* files not on disk, in all exps */
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
    const char *files_dir;      /* where its files are on disk (files=),
                                 * NULL when not looked for (files=off) */
    int required;               /* a file that cannot be read, or a key
                                 * not in it, stops the start */
    const char *origin;         /* FILE:LINE of its directive */
    apr_array_header_t *refs;   /* mqp_mf_ref *, in the order declared */
    mqp_mf_gen *gen;            /* the current one */
    apr_thread_mutex_t *lock;   /* guards gen, users and last_error
                                 * (children only) */
    apr_thread_mutex_t *reload_lock;
    volatile apr_time_t next_check;
    mqp_mf_stamp failed;        /* the file as it was when it failed last */
    apr_time_t failed_at;       /* then; 0 when the last reading worked */
    int config_logged;          /* its configuration-time warnings are out */
    int index;                  /* its cell in each row of mqp_builds */
    apr_pool_t *config_scratch; /* the file parsed at configuration time,
                                 * until every resource is expanded */
    char last_error[512];
};

/* An "@NAME:KEY" resource, resolved: qp_link_ref.data */
typedef struct {
    mqp_manifest *m;
    int index;                  /* into every generation's exps */
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

static void mqp_stamp_of(mqp_mf_stamp *st, apr_status_t rv,
                         const apr_finfo_t *fi)
{
    memset(st, 0, sizeof(*st));
    st->rv = rv == APR_INCOMPLETE ? APR_SUCCESS : rv;
    if (st->rv == APR_SUCCESS) {
        st->type = fi->filetype;
        st->device = fi->device;
        st->inode = fi->inode;
        st->size = fi->size;
        st->mtime = fi->mtime;
        st->ctime = fi->ctime;
    }
}

static void mqp_stamp_take(mqp_mf_stamp *st, const char *path, apr_pool_t *p)
{
    apr_finfo_t fi;
    apr_status_t rv = apr_stat(&fi, path, APR_FINFO_TYPE | APR_FINFO_DEV
                               | APR_FINFO_INODE | APR_FINFO_SIZE
                               | APR_FINFO_MTIME | APR_FINFO_CTIME, p);

    mqp_stamp_of(st, rv, &fi);
}

static int mqp_stamp_same(const mqp_mf_stamp *a, const mqp_mf_stamp *b)
{
    if (a->rv != b->rv) {
        return 0;
    }
    return a->rv != APR_SUCCESS
        || (a->type == b->type && a->device == b->device
            && a->inode == b->inode && a->size == b->size
            && a->mtime == b->mtime && a->ctime == b->ctime);
}

/* Whether a file of the build is there to be served: a regular file
 * (a stat, never an open). */
static int mqp_file_present(const char *path, apr_pool_t *p)
{
    apr_finfo_t fi;
    apr_status_t rv = apr_stat(&fi, path, APR_FINFO_TYPE, p);

    return (rv == APR_SUCCESS || rv == APR_INCOMPLETE)
           && fi.filetype == APR_REG;
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

static mqp_mf_expansion *mqp_gen_exp(mqp_mf_gen *g, int index)
{
    while (g->exps->nelts <= index) {
        memset(apr_array_push(g->exps), 0, sizeof(mqp_mf_expansion));
    }
    return &APR_ARRAY_IDX(g->exps, index, mqp_mf_expansion);
}

/* The files of mr in generation g, from the parsed file g->m: those on
 * disk in items, the others in missing; or why it has none, in error
 * (which is also returned). Everything kept is copied into g's pool:
 * the parsed file goes once the generation is built. */
static const char *mqp_gen_expand(mqp_mf_gen *g, mqp_manifest *m,
                                  const mqp_mf_ref *mr, apr_pool_t *scratch)
{
    mqp_mf_expansion *x = mqp_gen_exp(g, mr->index);
    const apr_array_header_t *files;
    const char **params, **css_params = NULL;
    const char *err;
    int i;

    if (!g->m) {
        x->error = "the manifest could not be read";
        return x->error;
    }
    err = qp_manifest_expand(&files, g->m, mr->ref->key, scratch);
    if (err) {
        x->error = apr_pstrdup(g->pool, err);
        return x->error;
    }
    params = mqp_params_join(g->pool, m->nparams, m->params, mr->ref);
    if (m->css_params) {
        css_params = mqp_params_join(g->pool, m->ncss_params, m->css_params,
                                     mr->ref);
    }
    x->items = apr_array_make(g->pool, files->nelts, sizeof(mqp_mf_item));
    for (i = 0; i < files->nelts; ++i) {
        const qp_manifest_file *f = APR_ARRAY_IDX(files, i,
                                                  const qp_manifest_file *);
        const char *path = NULL;
        mqp_mf_item *it;
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
            x->items = NULL;
            x->missing = NULL;
            x->error = apr_pstrdup(g->pool, err);
            return x->error;
        }
        if (m->files_dir) {
            path = qp_manifest_file_path(g->pool, m->files_dir, g->m, f->url);
        }
        if (m->files_dir && (!path || !mqp_file_present(path, scratch))) {
            if (!x->missing) {
                x->missing = apr_array_make(g->pool, 2, sizeof(mqp_mf_item));
            }
            it = apr_array_push(x->missing);
            ++g->missing;
        }
        else {
            it = apr_array_push(x->items);
        }
        it->url = link->url;
        it->link = link;
        it->path = path;
        it->push_header = link->header;
        it->hint_header = qp_manifest_hint_header(g->pool, f, link);
    }
    return NULL;
}

static mqp_mf_gen *mqp_gen_make(void)
{
    apr_pool_t *pool;
    mqp_mf_gen *g;

    /* a pool of its own, with its own allocator: destroying it gives all
     * of a generation back, whichever thread made it */
    if (apr_pool_create_unmanaged_ex(&pool, NULL, NULL) != APR_SUCCESS) {
        return NULL;
    }
    g = apr_pcalloc(pool, sizeof(*g));
    g->pool = pool;
    g->exps = apr_array_make(pool, 4, sizeof(mqp_mf_expansion));
    return g;
}

/* Reads m's file into a new generation (*pg), parsed into scratch, with
 * every resource of m expanded, unless scratch_keep (configuration time,
 * when the resources come later: the caller drops g->m when scratch goes).
 * NULL, or why the file could not be read, with *pg NULL and st set to
 * the file as it was. */
static const char *mqp_gen_load(mqp_mf_gen **pg, mqp_mf_stamp *st,
                                mqp_manifest *m, apr_pool_t *scratch)
{
    apr_finfo_t fi;
    qp_manifest_t *qm;
    mqp_mf_gen *g;
    const char *err;
    int i;

    *pg = NULL;
    mqp_stamp_take(st, m->path, scratch);
    err = qp_manifest_load(&qm, &fi, scratch, m->fmt, m->path, m->base,
                           &m->opts);
    if (err) {
        return err;
    }
    mqp_stamp_of(st, APR_SUCCESS, &fi);
    if ((g = mqp_gen_make()) == NULL) {
        return "out of memory";
    }
    g->m = qm;
    g->stamp = *st;
    g->entries = qp_manifest_count(qm);
    g->loaded_at = apr_time_now();
    for (i = 0; i < m->refs->nelts; ++i) {
        mqp_gen_expand(g, m, APR_ARRAY_IDX(m->refs, i, const mqp_mf_ref *),
                       scratch);
    }
    *pg = g;
    return NULL;
}

/* A warning for each resource of g that announces nothing, and one for
 * the files g leaves out as missing: once per generation. */
static void mqp_gen_warn(const mqp_manifest *m, const mqp_mf_gen *g,
                         server_rec *s, apr_pool_t *p)
{
    const mqp_mf_item *first = NULL;
    int i;

    for (i = 0; i < m->refs->nelts; ++i) {
        const mqp_mf_ref *mr = APR_ARRAY_IDX(m->refs, i, const mqp_mf_ref *);
        const mqp_mf_expansion *x = mr->index < g->exps->nelts ?
            &APR_ARRAY_IDX(g->exps, mr->index, mqp_mf_expansion) : NULL;

        if (x && x->error && g->loaded_at) {
            ap_log_error(APLOG_MARK, APLOG_WARNING, 0, s, MQP_LOGNO(00021)
                         "@%s:%s (%s): %s; it announces nothing until the "
                         "manifest has it (QuartPushManifest %s at %s)",
                         m->name, mr->ref->key, mr->origin, x->error,
                         m->name, m->origin);
        }
        if (!first && x && x->missing) {
            first = &APR_ARRAY_IDX(x->missing, 0, mqp_mf_item);
        }
    }
    if (first) {
        ap_log_error(APLOG_MARK, APLOG_WARNING, 0, s, MQP_LOGNO(00022)
                     "QuartPushManifest %s (%s): %d file%s of its resources "
                     "%s not on disk and %s left out, such as %s (looked for "
                     "at %s); if the files are elsewhere, give files= their "
                     "directory, or base= the URL of %s; files=off announces "
                     "them unchecked", m->name, m->origin, g->missing,
                     g->missing == 1 ? "" : "s",
                     g->missing == 1 ? "is" : "are",
                     g->missing == 1 ? "is" : "are", first->url,
                     first->path ? first->path : apr_pstrcat(p, "(not below "
                         "base=, so not under ", m->files_dir, ")", NULL),
                     m->files_dir);
    }
}

/* Calls visit once for each manifest of every server: a virtual host's
 * table has the main server's manifests too. */
typedef void mqp_manifest_fn(mqp_manifest *m, void *baton);

static void mqp_manifests_each(apr_pool_t *p, server_rec *s,
                               mqp_manifest_fn *visit, void *baton)
{
    apr_hash_t *seen = apr_hash_make(p);
    server_rec *sv;

    for (sv = s; sv; sv = sv->next) {
        mqp_srv_conf *sc = ap_get_module_config(sv->module_config,
                                                &quartpush_module);
        apr_hash_index_t *hi;

        for (hi = sc->manifests ? apr_hash_first(p, sc->manifests) : NULL;
             hi; hi = apr_hash_next(hi)) {
            mqp_manifest *m = apr_hash_this_val(hi);

            if (!apr_hash_get(seen, &m, sizeof(m))) {
                apr_hash_set(seen, apr_pmemdup(p, &m, sizeof(m)), sizeof(m), m);
                visit(m, baton);
            }
        }
    }
}

/* ------------------------------------------------------------------------
 * which build each child announces: a table in shared memory, a row per
 * process (claimed by its pid) and a cell per manifest, written when a
 * child takes a generation, read by the status page of any child. An
 * admin sees there the children that disagree after a bad deploy.
 */

typedef struct {
    volatile apr_uint64_t mtime;        /* of the file read, 0: none */
    volatile apr_uint64_t loaded_at;
} mqp_build_cell;

typedef struct {
    volatile apr_uint32_t pid;          /* 0: free */
    apr_uint32_t unused;
    mqp_build_cell cells[1];            /* mqp_nmanifests of them */
} mqp_build_row;

static char *mqp_builds;                /* mqp_nrows rows, NULL: none */
static int mqp_nrows, mqp_nmanifests;
static apr_size_t mqp_row_size;
static mqp_build_row *mqp_my_row;

static mqp_build_row *mqp_row(int i)
{
    return (mqp_build_row *)(mqp_builds + (apr_size_t)i * mqp_row_size);
}

/* Every manifest of every server gets its index, and the table its
 * shared memory (in the parent, once per start and restart). */
static void mqp_manifest_number(mqp_manifest *m, void *baton)
{
    (void)baton;
    m->index = mqp_nmanifests++;
}

int mqp_manifest_post_config(apr_pool_t *pconf, server_rec *s)
{
    apr_shm_t *shm;
    apr_status_t rv;
    int limit = 0;

    mqp_nmanifests = 0;
    mqp_builds = NULL;
    mqp_manifests_each(pconf, s, mqp_manifest_number, NULL);
    if (!mqp_nmanifests
        || ap_mpm_query(AP_MPMQ_HARD_LIMIT_DAEMONS, &limit) != APR_SUCCESS
        || limit <= 0) {
        return OK;
    }
    mqp_nrows = limit;
    mqp_row_size = APR_ALIGN_DEFAULT(sizeof(mqp_build_row)
                                     + (apr_size_t)(mqp_nmanifests - 1)
                                       * sizeof(mqp_build_cell));
    rv = apr_shm_create(&shm, mqp_row_size * (apr_size_t)mqp_nrows, NULL,
                        pconf);
    if (rv != APR_SUCCESS) {
        /* only the status page's view of the other children is lost */
        ap_log_error(APLOG_MARK, APLOG_WARNING, rv, s, MQP_LOGNO(00023)
                     "no shared memory for the builds each child announces: "
                     "the status page shows its own child's only");
        return OK;
    }
    mqp_builds = apr_shm_baseaddr_get(shm);
    memset(mqp_builds, 0, mqp_row_size * (apr_size_t)mqp_nrows);
    return OK;
}

static void mqp_build_note(const mqp_manifest *m, const mqp_mf_gen *g)
{
    if (mqp_my_row && m->index >= 0 && m->index < mqp_nmanifests) {
        mqp_build_cell *c = &mqp_my_row->cells[m->index];
        apr_atomic_set64(&c->mtime, g->loaded_at ? (apr_uint64_t)g->stamp.mtime
                                                 : 0);
        apr_atomic_set64(&c->loaded_at, (apr_uint64_t)g->loaded_at);
    }
}

static apr_status_t mqp_build_row_free(void *data)
{
    mqp_build_row *row = data;

    apr_atomic_set32(&row->pid, 0);
    mqp_my_row = NULL;
    return APR_SUCCESS;
}

/* The child's row: a free one, or one of a process that is gone (a child
 * that crashed does not free its own). */
static void mqp_build_row_claim(apr_pool_t *pchild)
{
    apr_uint32_t me = (apr_uint32_t)getpid();
    int i;

    for (i = 0; mqp_builds && i < mqp_nrows; ++i) {
        mqp_build_row *row = mqp_row(i);
        apr_uint32_t pid = apr_atomic_read32(&row->pid);

        if ((pid == 0 || (kill((pid_t)pid, 0) != 0 && errno == ESRCH))
            && apr_atomic_cas32(&row->pid, me, pid) == pid) {
            memset(row->cells, 0, sizeof(mqp_build_cell)
                                  * (apr_size_t)mqp_nmanifests);
            mqp_my_row = row;
            apr_pool_cleanup_register(pchild, row, mqp_build_row_free,
                                      apr_pool_cleanup_null);
            return;
        }
    }
}

void mqp_manifest_children(apr_pool_t *p, const mqp_manifest_info *info,
                           apr_array_header_t **pchildren)
{
    int i;

    *pchildren = apr_array_make(p, 4, sizeof(mqp_manifest_child));
    for (i = 0; mqp_builds && info->index >= 0 && i < mqp_nrows; ++i) {
        mqp_build_row *row = mqp_row(i);
        apr_uint32_t pid = apr_atomic_read32(&row->pid);
        mqp_manifest_child *c;

        if (!pid || kill((pid_t)pid, 0) != 0) {
            continue;
        }
        c = apr_array_push(*pchildren);
        c->pid = (pid_t)pid;
        c->mtime = (apr_time_t)apr_atomic_read64(&row->cells[info->index].mtime);
        c->loaded_at = (apr_time_t)apr_atomic_read64(
                                          &row->cells[info->index].loaded_at);
    }
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

/* The parsed file lives in the configuration's temporary pool: gone with
 * it, once every resource is expanded. */
static apr_status_t mqp_gen_forget_parsed(void *data)
{
    ((mqp_mf_gen *)data)->m = NULL;
    return APR_SUCCESS;
}

/* QuartPushManifest NAME FORMAT FILE [base=URL-PREFIX] [files=DIR|off]
 *                   [required] [css-crossorigin=MODE]
 *                   [scripts=module|classic] [PARAM...] */
const char *mqp_cmd_manifest(cmd_parms *cmd, void *dconf, const char *args)
{
    mqp_srv_conf *sc = ap_get_module_config(cmd->server->module_config,
                                            &quartpush_module);
    apr_array_header_t *words, *params;
    apr_pool_t *scratch;
    mqp_manifest *m;
    mqp_mf_gen *g;
    mqp_mf_stamp st;
    const char *err, *name, *file, *files = NULL, *w;
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
            if ((err = qp_manifest_base_check(cmd->temp_pool, m->base))
                != NULL) {
                return apr_psprintf(cmd->pool, "%s %s: %s", cmd->cmd->name,
                                    m->name, err);
            }
        }
        else if (!strncmp(w, "files=", 6)) {
            if (files) {
                return apr_psprintf(cmd->pool, "%s %s: files= is given twice",
                                    cmd->cmd->name, m->name);
            }
            files = w + 6;
            if (!*files) {
                return apr_psprintf(cmd->pool, "%s %s: 'files=': expected "
                                    "files=DIR (where the manifest's files "
                                    "are on disk) or files=off",
                                    cmd->cmd->name, m->name);
            }
        }
        else if (!strcmp(w, "required")) {
            if (m->required) {
                return apr_psprintf(cmd->pool, "%s %s: required is given "
                                    "twice", cmd->cmd->name, m->name);
            }
            m->required = 1;
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
    /* where its files are on disk, to announce none that is not there */
    if (!files) {
        m->files_dir = qp_manifest_files_dir(cmd->pool, m->fmt, m->path);
    }
    else if (strcmp(files, "off")) {
        m->files_dir = ap_server_root_relative(cmd->pool, files);
        if (!m->files_dir) {
            return apr_psprintf(cmd->pool, "%s %s: 'files=%s' is not a valid "
                                "path", cmd->cmd->name, m->name, files);
        }
    }
    m->origin = apr_psprintf(cmd->pool, "%s:%d", cmd->directive->filename,
                             cmd->directive->line_num);
    m->refs = apr_array_make(cmd->pool, 4, sizeof(mqp_mf_ref *));
    /* parsed into a pool that lives while the configuration is read: the
     * resources that name it come later */
    apr_pool_create(&scratch, cmd->temp_pool);
    err = mqp_gen_load(&g, &st, m, scratch);
    if (err && m->required) {
        return apr_psprintf(cmd->pool, "%s %s: %s", cmd->cmd->name, m->name,
                            err);
    }
    if (err) {
        /* deploy data, not configuration: httpd starts, and the resources
         * of this manifest announce nothing until a good file is there
         * (mqp_manifest_config_done logs it, once per start) */
        if ((g = mqp_gen_make()) == NULL) {
            return "out of memory";
        }
        m->failed = st;
        m->failed_at = apr_time_now();
        apr_cpystrn(m->last_error, err, sizeof(m->last_error));
    }
    else {
        apr_pool_cleanup_register(scratch, g, mqp_gen_forget_parsed,
                                  apr_pool_cleanup_null);
        m->config_scratch = scratch;
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
    err = mqp_gen_expand(m->gen, m, mr, p);
    /* a key not in the build is deploy data too, but for "required"; a
     * manifest that could not be read is said once, by itself */
    if (err && m->required && m->gen->loaded_at) {
        return apr_psprintf(p, "@%s:%s: %s (QuartPushManifest %s at %s)",
                            ref->name, ref->key, err, m->name, m->origin);
    }
    APR_ARRAY_PUSH(m->refs, mqp_mf_ref *) = mr;
    ref->data = mr;
    return NULL;
}

/* Once the configuration is read (apachectl -t, each start and restart):
 * the warnings of each manifest, once (not on the first of httpd's two
 * passes over the configuration at startup). */
/* What a walk over the manifests needs of its caller. */
typedef struct {
    server_rec *s;
    apr_pool_t *p;
    int say;                    /* config_done: log the warnings */
} mqp_config_done_baton;

static void mqp_manifest_configured(mqp_manifest *m, void *baton)
{
    mqp_config_done_baton *b = baton;

    /* every resource is expanded: the parsed file goes now, not in the
     * children's copy of the parent's heap */
    if (m->config_scratch) {
        apr_pool_destroy(m->config_scratch);
        m->config_scratch = NULL;
        mqp_give_back_heap(m->gen->stamp.size);
    }
    if (m->config_logged || !b->say) {
        return;
    }
    m->config_logged = 1;
    if (!m->gen->loaded_at) {
        ap_log_error(APLOG_MARK, APLOG_WARNING, 0, b->s, MQP_LOGNO(00020)
                     "QuartPushManifest %s (%s): %s; its resources announce "
                     "nothing until it can be read (httpd looks again once a "
                     "second; the parameter 'required' makes this an error)",
                     m->name, m->origin, m->last_error);
    }
    mqp_gen_warn(m, m->gen, b->s, b->p);
}

void mqp_manifest_config_done(apr_pool_t *ptemp, server_rec *s, int say)
{
    mqp_config_done_baton b;

    b.s = s;
    b.p = ptemp;
    b.say = say;
    mqp_manifests_each(ptemp, s, mqp_manifest_configured, &b);
}

/* Each child: the manifest's locks, and its build noted. */
static void mqp_manifest_child_start(mqp_manifest *m, void *baton)
{
    mqp_config_done_baton *b = baton;
    apr_pool_t *pchild = b->p;

    apr_thread_mutex_create(&m->lock, APR_THREAD_MUTEX_DEFAULT, pchild);
    apr_thread_mutex_create(&m->reload_lock, APR_THREAD_MUTEX_DEFAULT, pchild);
    /* a child started after a deploy holds what the parent read at
     * startup: its first request looks at the file */
    m->next_check = 0;
    mqp_build_note(m, m->gen);
    /* the parent read it as root; the children, as httpd's User, read it
     * again at each deploy: say now if they cannot */
    if (m->gen->loaded_at && access(m->path, R_OK) != 0 && errno == EACCES) {
        ap_log_error(APLOG_MARK, APLOG_WARNING, errno, b->s, MQP_LOGNO(00024)
                     "QuartPushManifest %s (%s): httpd's children (User) "
                     "cannot read %s: its builds are announced as read at "
                     "startup, and no deploy is seen until a restart",
                     m->name, m->origin, m->path);
    }
}

void mqp_manifest_child_init(apr_pool_t *pchild, server_rec *s)
{
    mqp_config_done_baton b;

    b.s = s;
    b.p = pchild;
    b.say = 1;
    mqp_build_row_claim(pchild);
    mqp_manifests_each(pchild, s, mqp_manifest_child_start, &b);
}

/* ------------------------------------------------------------------------
 * serving
 */

/* Swaps g in as m's current generation; the old one goes with its last
 * user. Under reload_lock. */
static void mqp_gen_publish(mqp_manifest *m, mqp_mf_gen *g)
{
    mqp_mf_gen *old;
    int destroy;

    g->m = NULL;            /* the parsed file goes with the reload's pool */
    mqp_build_note(m, g);
    apr_thread_mutex_lock(m->lock);
    old = m->gen;
    m->gen = g;
    destroy = old->users == 0;
    old->retired = !destroy;
    apr_thread_mutex_unlock(m->lock);
    if (destroy) {
        mqp_gen_destroy(old);
    }
}

/* Whether a file of g left out as missing is there now. */
static int mqp_gen_missing_found(const mqp_mf_gen *g, apr_pool_t *p)
{
    int i, j;

    for (i = 0; i < g->exps->nelts; ++i) {
        const mqp_mf_expansion *x = &APR_ARRAY_IDX(g->exps, i,
                                                   mqp_mf_expansion);
        for (j = 0; x->missing && j < x->missing->nelts; ++j) {
            const mqp_mf_item *it = &APR_ARRAY_IDX(x->missing, j, mqp_mf_item);
            if (it->path && mqp_file_present(it->path, p)) {
                return 1;
            }
        }
    }
    return 0;
}

/* A copy of g without the files that are gone from disk since it was
 * read, or NULL when none is: what a manifest that cannot be read keeps
 * of the last good one. */
static mqp_mf_gen *mqp_gen_prune(const mqp_mf_gen *g, apr_pool_t *p)
{
    mqp_mf_gen *ng = NULL;
    int i, j, k;

    for (i = 0; i < g->exps->nelts; ++i) {
        const mqp_mf_expansion *x = &APR_ARRAY_IDX(g->exps, i,
                                                   mqp_mf_expansion);
        for (j = 0; x->items && j < x->items->nelts; ++j) {
            const mqp_mf_item *it = &APR_ARRAY_IDX(x->items, j, mqp_mf_item);
            if (it->path && !mqp_file_present(it->path, p)) {
                break;
            }
        }
        if (x->items && j < x->items->nelts) {
            break;
        }
    }
    if (i == g->exps->nelts || (ng = mqp_gen_make()) == NULL) {
        return NULL;
    }
    ng->stamp = g->stamp;
    ng->loaded_at = g->loaded_at;
    ng->entries = g->entries;
    for (i = 0; i < g->exps->nelts; ++i) {
        const mqp_mf_expansion *x = &APR_ARRAY_IDX(g->exps, i,
                                                   mqp_mf_expansion);
        mqp_mf_expansion *nx = mqp_gen_exp(ng, i);

        nx->error = x->error ? apr_pstrdup(ng->pool, x->error) : NULL;
        if (!x->items) {
            continue;
        }
        nx->items = apr_array_make(ng->pool, x->items->nelts,
                                   sizeof(mqp_mf_item));
        for (k = 0; k < 2; ++k) {
            const apr_array_header_t *from = k ? x->missing : x->items;
            for (j = 0; from && j < from->nelts; ++j) {
                const mqp_mf_item *it = &APR_ARRAY_IDX(from, j, mqp_mf_item);
                mqp_mf_item *nit;

                if (k == 0 && (!it->path || mqp_file_present(it->path, p))) {
                    nit = apr_array_push(nx->items);
                }
                else {
                    if (!nx->missing) {
                        nx->missing = apr_array_make(ng->pool, 2,
                                                     sizeof(mqp_mf_item));
                    }
                    nit = apr_array_push(nx->missing);
                    ++ng->missing;
                }
                /* the strings and the link stay the old generation's:
                 * copied, since it may go first */
                nit->url = apr_pstrdup(ng->pool, it->url);
                nit->path = it->path ? apr_pstrdup(ng->pool, it->path) : NULL;
                nit->push_header = apr_pstrdup(ng->pool, it->push_header);
                nit->hint_header = apr_pstrdup(ng->pool, it->hint_header);
                nit->link = qp_link_copy(ng->pool, it->link);
            }
        }
    }
    return ng;
}

/* While m's file cannot be read: its current generation, less the files
 * that are gone from disk since (under reload_lock). */
static void mqp_gen_keep_present(mqp_manifest *m, mqp_mf_gen *cur,
                                 apr_pool_t *p)
{
    mqp_mf_gen *g;

    if (cur->loaded_at && (g = mqp_gen_prune(cur, p)) != NULL) {
        mqp_gen_publish(m, g);
    }
}

/* Looks at m's file when a second has passed since the last look, and
 * swaps in a new generation when it changed, or when a file it left out
 * as missing has come. One thread at a time, which never holds the lock
 * that requests take; the others go on with the current generation. */
static void mqp_manifest_check(mqp_manifest *m, request_rec *r)
{
    apr_time_t now = r->request_time;
    apr_pool_t *scratch;
    mqp_mf_stamp st;
    mqp_mf_gen *g, *cur;
    const char *err;

    if (now < m->next_check || !m->reload_lock
        || apr_thread_mutex_trylock(m->reload_lock) != APR_SUCCESS) {
        return;
    }
    if (now < m->next_check) {
        apr_thread_mutex_unlock(m->reload_lock);
        return;
    }
    m->next_check = now + apr_time_from_sec(1);
    cur = m->gen;           /* only this thread replaces it */
    mqp_stamp_take(&st, m->path, r->pool);
    if (cur->loaded_at && mqp_stamp_same(&st, &cur->stamp)
        && (!cur->missing || !mqp_gen_missing_found(cur, r->pool))) {
        apr_thread_mutex_unlock(m->reload_lock);
        return;
    }
    if (m->failed_at && mqp_stamp_same(&st, &m->failed)) {
        /* the same bad file: only what it keeps of the last good one may
         * have to lose files deleted since */
        mqp_gen_keep_present(m, cur, r->pool);
        apr_thread_mutex_unlock(m->reload_lock);
        return;
    }
    /* a pool of its own for the parsed file: gone once the generation is
     * built, whatever its size */
    if (apr_pool_create_unmanaged_ex(&scratch, NULL, NULL) != APR_SUCCESS) {
        apr_thread_mutex_unlock(m->reload_lock);
        return;
    }
    err = mqp_gen_load(&g, &st, m, scratch);
    if (err) {
        /* once per state of the file (a version of it, or a way of being
         * unreadable): the last good one stays, less its files gone */
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, MQP_LOGNO(00008)
                      "QuartPushManifest %s (%s): %s; %s", m->name, m->origin,
                      err, cur->loaded_at ? apr_pstrcat(r->pool, "keeping "
                          "the one loaded at ", ap_ht_time(r->pool,
                          cur->loaded_at, "%Y-%m-%d %H:%M:%S", 0),
                          ", less its files that are gone", NULL)
                      : "nothing announced until it can be read");
        m->failed = st;
        m->failed_at = now;
        apr_thread_mutex_lock(m->lock);
        apr_cpystrn(m->last_error, err, sizeof(m->last_error));
        apr_thread_mutex_unlock(m->lock);
        apr_pool_destroy(scratch);
        mqp_give_back_heap(st.size);
        mqp_gen_keep_present(m, cur, r->pool);
        apr_thread_mutex_unlock(m->reload_lock);
        return;
    }
    mqp_gen_publish(m, g);
    apr_pool_destroy(scratch);
    mqp_give_back_heap(st.size);
    m->failed_at = 0;
    apr_thread_mutex_lock(m->lock);
    m->last_error[0] = '\0';
    apr_thread_mutex_unlock(m->lock);
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, MQP_LOGNO(00009)
                  "QuartPushManifest %s: read %s again (%d entries)",
                  m->name, m->path, g->entries);
    mqp_gen_warn(m, g, r->server, r->pool);
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

static const mqp_mf_expansion *mqp_manifest_expansion(request_rec *r,
                                                      const qp_link *link)
{
    const mqp_mf_ref *mr = link->ref ? link->ref->data : NULL;
    mqp_mf_gen *g;

    if (!mr) {
        return NULL;
    }
    g = mqp_manifest_hold(r, mr->m);
    if (mr->index >= g->exps->nelts) {
        return NULL;
    }
    return &APR_ARRAY_IDX(g->exps, mr->index, mqp_mf_expansion);
}

const apr_array_header_t *mqp_manifest_items(request_rec *r,
                                             const qp_link *link)
{
    const mqp_mf_expansion *x = mqp_manifest_expansion(r, link);

    return x ? x->items : NULL;
}

void mqp_manifest_announce(mqp_announcement *a, const qp_link *link)
{
    const mqp_mf_expansion *x = mqp_manifest_expansion(a->r, link);
    int i;

    for (i = 0; x && x->items && i < x->items->nelts; ++i) {
        const mqp_mf_item *it = &APR_ARRAY_IDX(x->items, i, mqp_mf_item);
        mqp_announce(a, it->url, a->how == MQP_SEND_PUSH ? it->push_header
                                                         : it->hint_header,
                     it->link);
    }
    for (i = 0; x && x->missing && i < x->missing->nelts; ++i) {
        mqp_skip_once(a->r, a->st, APR_ARRAY_IDX(x->missing, i,
                                                 mqp_mf_item).url,
                      MQP_SKIP_MISSING);
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
        info.index = m->index;
        info.format = qp_manifest_format_name(m->fmt);
        info.settings = qp_manifest_options_str(p, &m->opts);
        info.path = m->path;
        info.origin = m->origin;
        info.files_dir = m->files_dir;
        info.required = m->required;
        info.loaded_at = g->loaded_at;
        info.mtime = g->loaded_at ? g->stamp.mtime : 0;
        info.entries = g->entries;
        info.missing = g->missing;
        /* a reload may be writing it: read under the lock */
        if (m->lock) {
            apr_thread_mutex_lock(m->lock);
        }
        info.last_error = m->last_error[0] ? apr_pstrdup(p, m->last_error)
                                           : NULL;
        info.failed_at = m->failed_at;
        if (m->lock) {
            apr_thread_mutex_unlock(m->lock);
        }
        info.resources = apr_array_make(p, m->refs->nelts,
                                        sizeof(mqp_manifest_resource));
        for (j = 0; j < m->refs->nelts; ++j) {
            const mqp_mf_ref *mr = APR_ARRAY_IDX(m->refs, j, const mqp_mf_ref *);
            mqp_manifest_resource *res = apr_array_push(info.resources);
            const mqp_mf_expansion *x = mr->index < g->exps->nelts ?
                &APR_ARRAY_IDX(g->exps, mr->index, mqp_mf_expansion) : NULL;
            const apr_array_header_t *items = x ? x->items : NULL;
            int k;

            res->ref = apr_pstrcat(p, "@", m->name, ":", mr->ref->key, NULL);
            res->origin = mr->origin;
            res->error = x ? x->error : NULL;
            res->missing = apr_array_make(p, 1, sizeof(const char *));
            for (k = 0; x && x->missing && k < x->missing->nelts; ++k) {
                APR_ARRAY_PUSH(res->missing, const char *) =
                    APR_ARRAY_IDX(x->missing, k, mqp_mf_item).url;
            }
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
