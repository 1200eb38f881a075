/* SPDX-License-Identifier: Apache-2.0 */
/* mod_quartpush's configuration: the directives, how scopes merge, and
 * the route language read from <QuartPushRoutes> blocks and route files.
 * Everything is parsed and checked here, at configuration time; the
 * request path (mod_quartpush_request.c) only looks things up.
 */
#include <errno.h>
#include <string.h>

#include <apr_lib.h>
#include <apr_strings.h>
#include <apr_tables.h>

#include <ap_expr.h>
#include <httpd.h>
#include <http_config.h>
#include <http_core.h>
#include <http_log.h>
#include <http_main.h>
#include <util_varbuf.h>

#include "mod_quartpush_private.h"

void *mqp_create_dir_conf(apr_pool_t *p, char *dir)
{
    mqp_dir_conf *dc = apr_pcalloc(p, sizeof(*dc));

    dc->enabled = MQP_UNSET;
    dc->limit = MQP_UNSET;
    dc->link_header = MQP_UNSET;
    dc->early_hints = MQP_UNSET;
    dc->h2push = MQP_UNSET;
    dc->backend_hints = MQP_UNSET;
    dc->scope = dir;
    return dc;
}

/* A scope where no directive of this module was written */
static int mqp_dir_conf_unset(const mqp_dir_conf *dc)
{
    /* resources first: the directive of most sections that have any */
    return (!dc->links || dc->links->nelts == 0)
        && dc->enabled == MQP_UNSET && dc->limit == MQP_UNSET
        && dc->link_header == MQP_UNSET && dc->early_hints == MQP_UNSET
        && dc->h2push == MQP_UNSET && dc->backend_hints == MQP_UNSET
        && !dc->cookie;
}

void *mqp_merge_dir_conf(apr_pool_t *p, void *basev, void *addv)
{
    mqp_dir_conf *base = basev, *add = addv;
    mqp_dir_conf *dc;

    /* httpd merges every section a request walks through, on every
     * request: a section without any of this module's directives (most
     * <Directory> and <Location> sections) changes nothing, and the merged
     * configuration is never written to, so one side is the result */
    if (mqp_dir_conf_unset(add)) {
        return base;
    }
    if (mqp_dir_conf_unset(base)) {
        return add;
    }
    dc = apr_palloc(p, sizeof(*dc));

    dc->enabled = add->enabled != MQP_UNSET ? add->enabled : base->enabled;
    dc->limit = add->limit != MQP_UNSET ? add->limit : base->limit;
    dc->link_header = add->link_header != MQP_UNSET ?
                      add->link_header : base->link_header;
    dc->early_hints = add->early_hints != MQP_UNSET ?
                      add->early_hints : base->early_hints;
    dc->h2push = add->h2push != MQP_UNSET ? add->h2push : base->h2push;
    dc->backend_hints = add->backend_hints != MQP_UNSET ?
                        add->backend_hints : base->backend_hints;
    dc->scope = add->scope ? add->scope : base->scope;
    dc->cookie = add->cookie ? add->cookie : base->cookie;
    /* no copy when only one side declares resources (the usual case) */
    dc->links = qp_links_merge(p, base->links, add->links);
    return dc;
}

static const char *mqp_parse_on_off(cmd_parms *cmd, const char *arg, int *pflag)
{
    if (!strcasecmp(arg, "on")) {
        *pflag = 1;
    }
    else if (!strcasecmp(arg, "off")) {
        *pflag = 0;
    }
    else {
        return apr_psprintf(cmd->pool, "%s: '%s' is not a valid value "
                            "(expected on or off)", cmd->cmd->name, arg);
    }
    return NULL;
}

static const char *mqp_cmd_push(cmd_parms *cmd, void *dconf, const char *arg)
{
    return mqp_parse_on_off(cmd, arg, &((mqp_dir_conf *)dconf)->enabled);
}

static const char *mqp_cmd_link_header(cmd_parms *cmd, void *dconf,
                                      const char *arg)
{
    return mqp_parse_on_off(cmd, arg, &((mqp_dir_conf *)dconf)->link_header);
}

/* QuartPushEarlyHints off, or one or more of on, h1 and all, in any
 * order: on is the default (HTTP/2 navigations), h1 adds HTTP/1.1, all
 * adds every request, not only navigations; both imply on. */
static const char *mqp_cmd_early_hints(cmd_parms *cmd, void *dconf,
                                       const char *args)
{
    static const struct {
        const char *word;
        int bits;
    } words[] = {
        { "off", MQP_HINTS_OFF },
        { "on", MQP_HINTS_ON },
        { "h1", MQP_HINTS_ON | MQP_HINTS_H1 },
        { "all", MQP_HINTS_ON | MQP_HINTS_ALL },
    };
    mqp_dir_conf *dc = dconf;
    const char *name = cmd->cmd->name;
    const char *first = NULL;
    int value = 0, seen = 0, i;

    while (*args) {
        char *word = ap_getword_conf(cmd->temp_pool, &args);

        for (i = 0; i < 4 && strcasecmp(word, words[i].word); ++i) {
        }
        if (i == 4) {
            return apr_psprintf(cmd->pool, "%s: '%s' is not a valid value "
                                "(expected off, or one or more of on, h1 "
                                "and all)", name, word);
        }
        if (seen & (1 << i)) {
            return apr_psprintf(cmd->pool, "%s: '%s' is given twice",
                                name, word);
        }
        if ((seen & 1) || (seen && i == 0)) {
            return apr_psprintf(cmd->pool, "%s: off takes no other value "
                                "(got '%s')", name, i == 0 ? first : word);
        }
        if (!first) {
            first = word;
        }
        seen |= 1 << i;
        value |= words[i].bits;
    }
    if (!seen) {
        return apr_psprintf(cmd->pool, "%s: no value (expected off, or one "
                            "or more of on, h1 and all)", name);
    }
    dc->early_hints = value;
    return NULL;
}

/* QuartPushBackendHints first|merge */
static const char *mqp_cmd_backend_hints(cmd_parms *cmd, void *dconf,
                                         const char *arg)
{
    mqp_dir_conf *dc = dconf;

    if (!strcasecmp(arg, "first")) {
        dc->backend_hints = 0;
    }
    else if (!strcasecmp(arg, "merge")) {
        dc->backend_hints = 1;
    }
    else {
        return apr_psprintf(cmd->pool, "%s: '%s' is not a valid value "
                            "(expected first or merge)", cmd->cmd->name, arg);
    }
    return NULL;
}

static const char *mqp_cmd_cookie(cmd_parms *cmd, void *dconf,
                                 const char *name, const char *opt)
{
    mqp_dir_conf *dc = dconf;
    mqp_cookie_conf *cc = apr_pcalloc(cmd->pool, sizeof(*cc));
    const char *err;

    cc->max_age = -1;
    if (!strcasecmp(name, "off")) {
        if (opt) {
            return apr_psprintf(cmd->pool, "%s: off takes no option (got "
                                "'%s')", cmd->cmd->name, opt);
        }
        dc->cookie = cc;            /* name NULL: no digest in this scope */
        return NULL;
    }
    if ((err = qp_cookie_name_check(cmd->pool, name)) != NULL) {
        return apr_pstrcat(cmd->pool, cmd->cmd->name, ": ", err, NULL);
    }
    cc->name = name;
    if (opt) {
        char *end;
        apr_int64_t n;

        if (strncasecmp(opt, "max-age=", 8)) {
            return apr_psprintf(cmd->pool, "%s: '%s' is not an option "
                                "(expected max-age=SECONDS)", cmd->cmd->name,
                                opt);
        }
        errno = 0;
        n = apr_strtoi64(opt + 8, &end, 10);
        if (errno || end == opt + 8 || *end || n < 0
            || n > MQP_MAX_COOKIE_AGE) {
            return apr_psprintf(cmd->pool, "%s: '%s' is not a valid max-age "
                                "(expected a whole number of seconds from 0 "
                                "to %d, ten years)", cmd->cmd->name, opt,
                                MQP_MAX_COOKIE_AGE);
        }
        cc->max_age = (int)n;
    }
    dc->cookie = cc;
    return NULL;
}

/* H2Push is mod_http2's directive: mod_quartpush registers the same name
 * only to read it, since mod_http2 offers no way to read its per-directory
 * setting. httpd gives a directive to every module that registers its name,
 * the module loaded last first, until one returns an error
 * (ap_walk_config_sub); this command never returns one, so that mod_http2
 * still checks every use and says what is wrong with mod_http2's own
 * message, whichever module httpd asks first. It records a value only
 * where mod_http2 takes it: mod_http2 is loaded and registers H2Push, its
 * context allows it here (in .htaccess, AllowOverride AuthConfig or
 * AllowOverrideList; with Nonfatal=Override mod_http2 ignores it, and so
 * does this), and the value is one word, on or off. Without mod_http2 the
 * directive is accepted and means nothing: it stops no push, since there
 * is none. As for mod_http2, the server's (or virtual host's) setting and
 * a section's are kept apart: push is on where the server's is not off and
 * the section's is not off (a section cannot turn it on again). */
static const char *mqp_cmd_h2push(cmd_parms *cmd, void *dconf,
                                  const char *args)
{
    module *h2 = ap_find_linked_module("mod_http2.c");
    const command_rec *theirs = NULL, *c;
    const char *word;

    for (c = h2 ? h2->cmds : NULL; c && c->name; ++c) {
        if (!strcasecmp(c->name, cmd->cmd->name)) {
            theirs = c;
            break;
        }
    }
    if (!theirs) {
        return NULL;
    }
    if (!(cmd->override & theirs->req_override)
        && !(cmd->override_list
             && apr_table_get(cmd->override_list, theirs->name))) {
        return NULL;        /* mod_http2 refuses it here, or ignores it */
    }
    word = ap_getword_conf(cmd->temp_pool, &args);
    if (*args || (strcasecmp(word, "on") && strcasecmp(word, "off"))) {
        return NULL;        /* not one word, on or off: mod_http2 says so */
    }
    if (cmd->path) {
        ((mqp_dir_conf *)dconf)->h2push = !strcasecmp(word, "on");
    }
    else {
        mqp_srv_conf *sc = ap_get_module_config(cmd->server->module_config,
                                                &quartpush_module);
        sc->h2push = !strcasecmp(word, "on");
    }
    return NULL;
}

/* Rules are declared in scope dc (NULL: the server's level) of the
 * server being read: its Early Hints setup is worth checking (see
 * mqp_check_early_hints). Not for .htaccess files, read while serving. */
static void mqp_note_rules(cmd_parms *cmd, mqp_dir_conf *dc)
{
    mqp_srv_conf *sc;

    if (ap_state_query(AP_SQ_MAIN_STATE) == AP_SQ_MS_RUN_MPM) {
        return;
    }
    sc = ap_get_module_config(cmd->server->module_config, &quartpush_module);
    APR_ARRAY_PUSH(sc->rule_scopes, mqp_dir_conf *) = cmd->path ? dc : NULL;
}

static const char *mqp_cmd_limit(cmd_parms *cmd, void *dconf, const char *arg)
{
    mqp_dir_conf *dc = dconf;
    char *end;
    apr_int64_t n;

    errno = 0;
    n = apr_strtoi64(arg, &end, 10);
    if (errno || !apr_isdigit(*arg) || *end || n < 0 || n > MQP_MAX_LIMIT) {
        return apr_psprintf(cmd->pool, "%s: '%s' is not a valid limit "
                            "(expected a whole number from 0 to %d)",
                            cmd->cmd->name, arg, MQP_MAX_LIMIT);
    }
    dc->limit = (int)n;
    return NULL;
}

/* one URL, one announcement: a later declaration in a scope replaces */
static void mqp_dir_add_link(mqp_dir_conf *dc, apr_pool_t *p, qp_link *link)
{
    int idx;

    if (!dc->links) {
        dc->links = apr_array_make(p, 4, sizeof(qp_link *));
    }
    idx = qp_links_find(dc->links, link->url);
    if (idx >= 0) {
        APR_ARRAY_IDX(dc->links, idx, qp_link *) = link;
    }
    else {
        APR_ARRAY_PUSH(dc->links, qp_link *) = link;
    }
}

/* A directive's arguments as a rule's label shows them: white space
 * trimmed, each run of it one space */
static const char *mqp_rule_text(apr_pool_t *p, const char *args)
{
    char *out = apr_palloc(p, strlen(args) + 1), *o = out;
    int space = 0;

    for (; *args; ++args) {
        if (apr_isspace(*args)) {
            space = o != out;
            continue;
        }
        if (space) {
            *o++ = ' ';
            space = 0;
        }
        *o++ = *args;
    }
    *o = '\0';
    return out;
}

static const char *mqp_cmd_resource(cmd_parms *cmd, void *dconf,
                                   const char *args)
{
    qp_link *link;
    const char *err;

    /* raw arguments, so that media="(max-width: 600px)" is one parameter */
    err = qp_link_parse(&link, cmd->pool, args);
    if (!err && link->ref) {
        /* @NAME:KEY: the manifest is read at configuration time, and again
         * when it changes; a .htaccess is read for every request */
        if (cmd->pool != cmd->server->process->pconf) {
            err = apr_psprintf(cmd->pool, "'%s': a manifest entry cannot be "
                               "named in a .htaccess file; name it in the "
                               "server configuration", link->url);
        }
        else {
            err = mqp_manifest_resolve(cmd->pool,
                                       ap_get_module_config(cmd->server->module_config,
                                                            &quartpush_module),
                                       link->ref,
                                       apr_psprintf(cmd->temp_pool, "%s:%d",
                                                    cmd->directive->filename,
                                                    cmd->directive->line_num));
        }
    }
    if (err) {
        return apr_pstrcat(cmd->pool, cmd->cmd->name, ": ", err, NULL);
    }
    /* the line a user fixes when its hints go unused */
    link->rule = mqp_used_rule(cmd->pool,
                               apr_psprintf(cmd->temp_pool, "%s:%d",
                                            cmd->directive->filename,
                                            cmd->directive->line_num),
                               mqp_rule_text(cmd->temp_pool, args));
    mqp_note_rules(cmd, dconf);
    mqp_dir_add_link(dconf, cmd->pool, link);
    return NULL;
}

static const char *mqp_cmd_preconnect(cmd_parms *cmd, void *dconf,
                                     const char *args)
{
    apr_array_header_t *words;
    qp_link *link;
    const char *err;

    err = qp_words_split(&words, cmd->temp_pool, args);
    if (!err && words->nelts == 0) {
        err = "no origin (expected e.g. https://cdn.example.com [crossorigin])";
    }
    if (!err) {
        err = qp_link_make_preconnect(&link, cmd->pool,
                                      APR_ARRAY_IDX(words, 0, const char *),
                                      words->nelts - 1,
                                      (const char *const *)words->elts + 1);
    }
    if (err) {
        return apr_pstrcat(cmd->pool, cmd->cmd->name, ": ", err, NULL);
    }
    mqp_note_rules(cmd, dconf);
    mqp_dir_add_link(dconf, cmd->pool, link);
    return NULL;
}

void *mqp_create_srv_conf(apr_pool_t *p, server_rec *s)
{
    mqp_srv_conf *sc = apr_pcalloc(p, sizeof(*sc));

    sc->routes = apr_array_make(p, 0, sizeof(qp_route *));
    sc->rule_scopes = apr_array_make(p, 0, sizeof(mqp_dir_conf *));
    sc->h2push = MQP_UNSET;
    if (!s->is_virtual) {
        mqp_manifest_note_main(sc);
    }
    return sc;
}

void *mqp_merge_srv_conf(apr_pool_t *p, void *basev, void *addv)
{
    mqp_srv_conf *base = basev, *add = addv;
    mqp_srv_conf *sc = apr_pcalloc(p, sizeof(*sc));

    sc->h2push = add->h2push != MQP_UNSET ? add->h2push : base->h2push;
    /* a virtual host's manifests, over the main server's of the same name */
    sc->manifests = !add->manifests ? base->manifests
                  : !base->manifests ? add->manifests
                  : apr_hash_overlay(p, add->manifests, base->manifests);
    /* the main server's sections apply to a virtual host's requests too */
    sc->rule_scopes = apr_array_append(p, base->rule_scopes, add->rule_scopes);
    /* the main server's routes first: a virtual host adds to them */
    if (add->routes->nelts == 0) {
        sc->routes = base->routes;
    }
    else if (base->routes->nelts == 0) {
        sc->routes = add->routes;
    }
    else {
        sc->routes = apr_array_append(p, base->routes, add->routes);
    }
    return sc;
}

/* The "when" conditions are httpd expressions: compiled here, once. */
static const char *mqp_routes_add(cmd_parms *cmd, const apr_array_header_t *routes)
{
    mqp_srv_conf *sc = ap_get_module_config(cmd->server->module_config,
                                           &quartpush_module);
    int i, j;

    for (i = 0; i < routes->nelts; ++i) {
        qp_route *route = APR_ARRAY_IDX(routes, i, qp_route *);
        if (route->condition) {
            const char *err = NULL;
            route->condition_data = ap_expr_parse_cmd(cmd, route->condition,
                                                      0, &err, NULL);
            if (err) {
                return apr_psprintf(cmd->pool, "%s: route '%s': cannot parse "
                                    "when \"%s\": %s", route->origin,
                                    route->pattern, route->condition, err);
            }
        }
        for (j = 0; j < route->resources->nelts; ++j) {
            qp_resource *res = APR_ARRAY_IDX(route->resources, j,
                                             qp_resource *);
            res->link->rule = mqp_used_rule(cmd->pool, route->origin,
                apr_pstrcat(cmd->temp_pool, route->pattern, " => ",
                            res->link->url, NULL));
        }
        APR_ARRAY_PUSH(sc->routes, qp_route *) = route;
    }
    if (routes->nelts) {
        mqp_note_rules(cmd, NULL);
    }
    return NULL;
}

/* ${VAR} in route lines is replaced by the value Define gave VAR, in a
 * block and in a route file alike, as httpd does for its own directives. */
static const char *mqp_resolve_defines(apr_pool_t *p, const char *text)
{
    return strstr(text, "${") ? ap_resolve_env(p, text) : text;
}

static const char *mqp_cmd_routes_file(cmd_parms *cmd, void *dconf,
                                      const char *arg)
{
    const char *path = ap_server_root_relative(cmd->temp_pool, arg);
    apr_array_header_t *routes = apr_array_make(cmd->pool, 16, sizeof(qp_route *));
    apr_file_t *f;
    apr_finfo_t finfo;
    apr_status_t rv;
    apr_size_t len;
    char *text, errbuf[120];
    const char *err;

    if (!path) {
        return apr_psprintf(cmd->pool, "%s: '%s' is not a valid path",
                            cmd->cmd->name, arg);
    }
    /* the type is checked before opening too: opening a FIFO for reading
     * blocks until a writer comes, and httpd would hang at startup */
    rv = apr_stat(&finfo, path, APR_FINFO_TYPE, cmd->temp_pool);
    if (rv == APR_SUCCESS && finfo.filetype != APR_REG) {
        return apr_psprintf(cmd->pool, "%s: '%s' (%s) is not a regular "
                            "file", cmd->cmd->name, arg, path);
    }
    if (rv == APR_SUCCESS || APR_STATUS_IS_INCOMPLETE(rv)) {
        rv = apr_file_open(&f, path, APR_FOPEN_READ, APR_OS_DEFAULT,
                           cmd->temp_pool);
    }
    if (rv == APR_SUCCESS) {
        rv = apr_file_info_get(&finfo, APR_FINFO_SIZE | APR_FINFO_TYPE, f);
        if (rv == APR_SUCCESS && finfo.filetype != APR_REG) {
            apr_file_close(f);
            return apr_psprintf(cmd->pool, "%s: '%s' (%s) is not a regular "
                                "file", cmd->cmd->name, arg, path);
        }
    }
    if (rv != APR_SUCCESS) {
        return apr_psprintf(cmd->pool, "%s: cannot read '%s' (%s): %s",
                            cmd->cmd->name, arg, path,
                            apr_strerror(rv, errbuf, sizeof(errbuf)));
    }
    if (finfo.size > 64 * 1024 * 1024) {
        apr_file_close(f);
        return apr_psprintf(cmd->pool, "%s: '%s' is larger than 64 MB",
                            cmd->cmd->name, arg);
    }
    len = (apr_size_t)finfo.size;
    text = apr_palloc(cmd->temp_pool, len + 1);
    rv = apr_file_read_full(f, text, len, &len);
    apr_file_close(f);
    if (rv != APR_SUCCESS && rv != APR_EOF) {
        return apr_psprintf(cmd->pool, "%s: cannot read '%s': %s",
                            cmd->cmd->name, arg,
                            apr_strerror(rv, errbuf, sizeof(errbuf)));
    }
    text[len] = '\0';
    if (!memchr(text, '\0', len)) {
        text = (char *)mqp_resolve_defines(cmd->temp_pool, text);
        len = strlen(text);
    }
    err = qp_routes_parse_text(routes, cmd->pool, text, len, arg);
    if (!err) {
        err = mqp_routes_add(cmd, routes);
    }
    return err ? apr_pstrcat(cmd->pool, cmd->cmd->name, ": ", err, NULL) : NULL;
}

#define MQP_ROUTES_END "</QuartPushRoutes"

static int mqp_is_routes_end(const char *line)
{
    apr_size_t n = sizeof(MQP_ROUTES_END) - 1;

    if (strncasecmp(line, MQP_ROUTES_END, n)) {
        return 0;
    }
    for (line += n; apr_isspace(*line); ++line) {
    }
    return !strcmp(line, ">");
}

/* <QuartPushRoutes>: its lines are read here, raw, as httpd reads them
 * (EXEC_ON_READ, the way <Macro> does): httpd's own reader would take each
 * line for a directive and drop a '>' that ends its first word. Each
 * logical line goes through the same reader as a route file's lines, with
 * the same messages, and an error names its own file and line. The routes
 * reach their server when httpd walks the configuration: a node of the
 * tree carries them to "<QuartPushRoutes>", a name no configuration line
 * can give, since httpd's reader strips that '>'. */
static const char *mqp_cmd_routes_block(cmd_parms *cmd, void *dconf,
                                        const char *arg)
{
    ap_directive_t **sub_tree = dconf;  /* EXEC_ON_READ: the tree so far */
    apr_array_header_t *routes = apr_array_make(cmd->pool, 16,
                                                sizeof(qp_route *));
    const char *name = cmd->config_file->name;
    const char *err = NULL;
    qp_routes_reader *rd;
    struct ap_varbuf vb;
    ap_directive_t *node;
    int opening = cmd->config_file->line_number, closed = 0;

    while (apr_isspace(*arg)) {
        ++arg;
    }
    if (strcmp(arg, ">")) {
        return "<QuartPushRoutes> takes no arguments (expected "
               "<QuartPushRoutes> on a line of its own)";
    }
    rd = qp_routes_reader_make(cmd->pool, routes, name);
    ap_varbuf_init(cmd->temp_pool, &vb, QP_MAX_LINE);
    while (!err) {
        int lineno = cmd->config_file->line_number + 1;
        apr_status_t rv = ap_varbuf_cfg_getline(&vb, cmd->config_file,
                                                QP_MAX_LINE + 2);

        if (rv == APR_EOF) {
            break;
        }
        if (rv == APR_ENOSPC) {
            err = qp_routes_reader_too_long(rd, lineno);
        }
        else if (rv != APR_SUCCESS) {
            char buf[120];
            err = apr_psprintf(cmd->pool, "%s:%d: %s", name, lineno,
                               apr_strerror(rv, buf, sizeof(buf)));
        }
        else if (mqp_is_routes_end(vb.buf)) {
            closed = 1;
            break;
        }
        else {
            err = qp_routes_reader_line(rd, mqp_resolve_defines(
                                        cmd->temp_pool, vb.buf), lineno);
        }
        if (err) {
            /* httpd's "Syntax error on line N" names the line at fault */
            node = apr_pcalloc(cmd->pool, sizeof(*node));
            node->directive = cmd->cmd->name;
            node->filename = name;
            node->line_num = lineno;
            cmd->err_directive = node;
        }
    }
    ap_varbuf_free(&vb);
    qp_routes_reader_close(rd);
    if (err) {
        return apr_pstrcat(cmd->pool, "<QuartPushRoutes>: ", err, NULL);
    }
    if (!closed) {
        return "<QuartPushRoutes> was not closed.";
    }
    node = apr_pcalloc(cmd->pool, sizeof(*node));
    node->directive = "<QuartPushRoutes>";
    node->args = "";
    node->filename = name;
    node->line_num = opening;
    node->data = routes;
    *sub_tree = node;
    return NULL;
}

/* The routes of a <QuartPushRoutes> block, read above, for the server
 * whose configuration holds the block. */
static const char *mqp_cmd_routes_read(cmd_parms *cmd, void *dconf,
                                       const char *arg)
{
    const char *err = ap_check_cmd_context(cmd, NOT_IN_DIR_CONTEXT);

    if (err) {
        return err;
    }
    if (!cmd->directive->data) {
        return "<QuartPushRoutes>: no routes were read (expected a "
               "<QuartPushRoutes> block)";
    }
    return mqp_routes_add(cmd, cmd->directive->data);
}

const command_rec mqp_cmds[] = {
    AP_INIT_RAW_ARGS("QuartPushResource", mqp_cmd_resource, NULL,
                     RSRC_CONF | ACCESS_CONF | OR_FILEINFO,
                     "a same-origin URL path to push, then optional "
                     "parameters: as=DEST type=MIME crossorigin[=MODE] "
                     "media=QUERY critical nopush"),
    AP_INIT_TAKE1("QuartPush", mqp_cmd_push, NULL,
                  RSRC_CONF | ACCESS_CONF | OR_FILEINFO,
                  "on|off: whether mod_quartpush pushes in this scope "
                  "(default on)"),
    AP_INIT_TAKE1("QuartPushLimit", mqp_cmd_limit, NULL,
                  RSRC_CONF | ACCESS_CONF | OR_FILEINFO,
                  "the most resources announced for one response "
                  "(default 32)"),
    AP_INIT_RAW_ARGS("<QuartPushRoutes", mqp_cmd_routes_block, NULL,
                     RSRC_CONF | EXEC_ON_READ,
                     "a block of route lines: ROUTE => URL [PARAM...], ... "
                     "[when \"EXPR\"]"),
    AP_INIT_RAW_ARGS("<QuartPushRoutes>", mqp_cmd_routes_read, NULL, RSRC_CONF,
                     "(the routes of a <QuartPushRoutes> block, as read)"),
    AP_INIT_TAKE1("QuartPushRoutes", mqp_cmd_routes_file, NULL, RSRC_CONF,
                  "a file of route lines, relative to ServerRoot"),
    AP_INIT_RAW_ARGS("QuartPushManifest", mqp_cmd_manifest, NULL, RSRC_CONF,
                     "NAME FORMAT FILE [base=URL-PREFIX] [PARAM...]: an asset "
                     "manifest of a build tool (FORMAT vite, flat or "
                     "entrypoints), whose entries resources name as "
                     "@NAME:KEY"),
    AP_INIT_RAW_ARGS("QuartPushEarlyHints", mqp_cmd_early_hints, NULL,
                     RSRC_CONF | ACCESS_CONF | OR_FILEINFO,
                     "off | [on] [h1] [all]: send the links as 103 Early "
                     "Hints to clients that do not accept push: on HTTP/2 "
                     "navigations (on, the default), also over HTTP/1.1 "
                     "(h1), on every request, not only navigations (all), "
                     "or never (off)"),
    AP_INIT_RAW_ARGS("QuartPushPreconnect", mqp_cmd_preconnect, NULL,
                     RSRC_CONF | ACCESS_CONF | OR_FILEINFO,
                     "an origin the page will use, e.g. "
                     "https://cdn.example.com, then optional crossorigin: "
                     "hinted as rel=preconnect, never pushed"),
    /* mod_http2's H2Push, read (see mqp_cmd_h2push): allowed everywhere
     * here, so that only mod_http2's own context decides */
    AP_INIT_RAW_ARGS("H2Push", mqp_cmd_h2push, NULL,
                     RSRC_CONF | ACCESS_CONF | OR_ALL,
                     "on|off: mod_http2's server push switch (mod_quartpush "
                     "reads it too: off stops its pushes)"),
    AP_INIT_TAKE12("QuartPushCookie", mqp_cmd_cookie, NULL,
                   RSRC_CONF | ACCESS_CONF | OR_FILEINFO,
                   "NAME [max-age=SECONDS] | off: remember in a cookie what "
                   "each client was pushed or hinted, and do not send it "
                   "again (default off)"),
    AP_INIT_TAKE1("QuartPushBackendHints", mqp_cmd_backend_hints, NULL,
                  RSRC_CONF | ACCESS_CONF | OR_FILEINFO,
                  "first|merge: when the handler (a proxied backend) sends "
                  "its own 103, send mod_quartpush's first (first, the "
                  "default) or join its links to the backend's first 103, "
                  "or to the final Link header when none comes (merge)"),
    AP_INIT_TAKE1("QuartPushLinkHeader", mqp_cmd_link_header, NULL,
                  RSRC_CONF | ACCESS_CONF | OR_FILEINFO,
                  "on|off: also send the preload Link headers on the final "
                  "response (default off)"),
    { NULL }
};

/* Compiles each server's route table once the configuration is read and
 * merged, so that a route that could never apply (the same shape declared
 * twice) stops the server from starting. A virtual host without routes of
 * its own shares the main server's table; one without any configuration
 * of its own gets its own copy of the structure, since what is found out
 * about each server later (its H2EarlyHints) differs. */
/* The "@NAME:KEY" resources of sc's routes, looked up from the server
 * where the route is declared (the main server's routes first: a virtual
 * host sees them resolved already). */
static const char *mqp_resolve_route_refs(apr_pool_t *pconf,
                                          const mqp_srv_conf *sc)
{
    int i, j;

    for (i = 0; i < sc->routes->nelts; ++i) {
        const qp_route *route = APR_ARRAY_IDX(sc->routes, i, const qp_route *);
        for (j = 0; j < route->resources->nelts; ++j) {
            const qp_resource *res = APR_ARRAY_IDX(route->resources, j,
                                                   const qp_resource *);
            const char *err;
            if (!res->link->ref) {
                continue;
            }
            err = mqp_manifest_resolve(pconf, sc, res->link->ref,
                                       route->origin);
            if (err) {
                return apr_psprintf(pconf, "%s: route '%s': %s", route->origin,
                                    route->pattern, err);
            }
        }
    }
    return NULL;
}

int mqp_compile_routes(apr_pool_t *pconf, server_rec *s)
{
    mqp_srv_conf *main_sc = ap_get_module_config(s->module_config,
                                                 &quartpush_module);
    server_rec *sv;

    for (sv = s; sv; sv = sv->next) {
        mqp_srv_conf *sc = ap_get_module_config(sv->module_config,
                                                &quartpush_module);
        const char *err;

        if (sv != s && sc == main_sc) {
            sc = apr_pmemdup(pconf, main_sc, sizeof(*sc));
            ap_set_module_config(sv->module_config, &quartpush_module, sc);
        }
        if (sv != s && sc->routes == main_sc->routes) {
            sc->table = main_sc->table;
            continue;
        }
        sc->table = NULL;
        if (sc->routes->nelts == 0) {
            continue;
        }
        if ((err = mqp_resolve_route_refs(pconf, sc)) != NULL) {
            ap_log_error(APLOG_MARK, APLOG_CRIT, 0, sv, MQP_LOGNO(00010)
                         "QuartPushRoutes: %s", err);
            return HTTP_INTERNAL_SERVER_ERROR;
        }
        err = qp_routes_compile(&sc->table, pconf, sc->routes);
        if (err) {
            ap_log_error(APLOG_MARK, APLOG_CRIT, 0, sv, MQP_LOGNO(00001)
                         "QuartPushRoutes: %s", err);
            return HTTP_INTERNAL_SERVER_ERROR;
        }
    }
    return OK;
}
