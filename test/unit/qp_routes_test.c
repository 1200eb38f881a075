/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for src/qp_routes.c: what each converter accepts, which route
 * wins when several match, the resource URLs and Link headers a match
 * gives, the exact messages for malformed route files, and the route file
 * syntax (comments, continuations, CRLF, "when" conditions). */
#include <stdio.h>
#include <string.h>

#include <apr_general.h>
#include <apr_pools.h>
#include <apr_strings.h>

#include "qp_routes.h"
#include "qp_tap.h"

static apr_pool_t *pool;

/* Parses text as the route file "routes.conf" and compiles it: the first
 * error, or NULL with *ptable set. */
static const char *load_len(qp_routes **ptable, const char *text,
                            apr_size_t len)
{
    apr_array_header_t *routes = apr_array_make(pool, 8, sizeof(qp_route *));
    const char *err;

    *ptable = NULL;
    err = qp_routes_parse_text(routes, pool, text, len, "routes.conf");
    if (err) {
        return err;
    }
    return qp_routes_compile(ptable, pool, routes);
}

static const char *load(qp_routes **ptable, const char *text)
{
    return load_len(ptable, text, strlen(text));
}

/* A table the test expects to load; a failure shows up as a TAP comment
 * and then as the assertions that use the (NULL) table failing. */
static qp_routes *table(const char *text)
{
    qp_routes *t;
    const char *err = load(&t, text);

    if (err) {
        printf("# unexpected error loading routes: %s\n", err);
        return NULL;
    }
    return t;
}

/* The error of a whole route file, "(accepted)" when there is none. */
static const char *text_error(const char *text, apr_size_t len)
{
    qp_routes *t;
    const char *err = load_len(&t, text, len);

    return err ? err : "(accepted)";
}

static const char *text_error_s(const char *text)
{
    return text_error(text, strlen(text));
}

/* The error of one route line, "(accepted)" when there is none. */
static const char *line_error(const char *line)
{
    qp_route *route;
    const char *err = qp_route_parse_line(&route, pool, line, "test:1");

    return err ? err : "(accepted)";
}

/* The pattern of the route that path matches, or "(no match)". */
static const char *winner(const qp_routes *t, const char *path)
{
    qp_match m;
    const qp_route *r = qp_routes_match(t, path, &m);

    return r ? r->pattern : "(no match)";
}

/* The pattern of the route that path matches in the table of text. */
static const char *winner_in(const char *text, const char *path)
{
    return winner(table(text), path);
}

/* The value of placeholder name in the match of path, "(no match)", or
 * "(no such placeholder)". */
static const char *value_of(const qp_routes *t, const char *path,
                            const char *name)
{
    qp_match m;
    const qp_route *r = qp_routes_match(t, path, &m);
    int i;

    if (!r) {
        return "(no match)";
    }
    if (m.route != r) {
        return "(match not filled in)";
    }
    for (i = 0; i < r->nvars; ++i) {
        if (!strcmp(r->segs[r->var_seg[i]].name, name)) {
            return apr_pstrmemdup(pool, m.value[i], m.len[i]);
        }
    }
    return "(no such placeholder)";
}

/* What the one-route table "route => /r.css" captures from path: the value
 * of its first placeholder, "(matched)" for a route without one (a "*"
 * tail), or "(no match)". */
static const char *capture(const char *route, const char *path)
{
    qp_routes *t = table(apr_pstrcat(pool, route, " => /r.css", NULL));
    qp_match m;

    if (!qp_routes_match(t, path, &m)) {
        return "(no match)";
    }
    if (m.route->nvars == 0) {
        return "(matched)";
    }
    return apr_pstrmemdup(pool, m.value[0], m.len[0]);
}

/* Resource number i of the route that path matches: its URL, or its Link
 * header value when header is set. */
static const char *resource_of(const qp_routes *t, const char *path, int i,
                               int header)
{
    qp_match m;
    const qp_resource *res;

    if (!qp_routes_match(t, path, &m)) {
        return "(no match)";
    }
    if (i >= m.route->resources->nelts) {
        return "(no such resource)";
    }
    res = APR_ARRAY_IDX(m.route->resources, i, const qp_resource *);
    return header ? qp_resource_header(pool, res, &m)
                  : qp_resource_url(pool, res, &m);
}

/* ------------------------------------------------------------------------
 * converters
 */

typedef struct {
    const char *route;
    const char *path;
    const char *want;       /* the captured value, or "(no match)" */
    const char *what;
} capture_case;

static void run_captures(const capture_case *cases)
{
    int i;

    for (i = 0; cases[i].route; ++i) {
        qp_tap_is_str(capture(cases[i].route, cases[i].path), cases[i].want,
                      cases[i].what);
    }
}

static void test_string_converter(void)
{
    static const capture_case cases[] = {
        { "/s/<name>", "/s/hello-world", "hello-world",
          "<name> takes a plain segment" },
        { "/s/<string:name>", "/s/hello-world", "hello-world",
          "<string:name> is the same as <name>" },
        { "/s/<name>", "/s/a.b~c_d", "a.b~c_d",
          "<name> takes dots, tildes and underscores" },
        { "/s/<name>", "/s/caf\xc3\xa9", "caf\xc3\xa9",
          "<name> takes UTF-8 bytes of the decoded path" },
        { "/s/<name>", "/s/a b", "a b", "<name> takes a (decoded) space" },
        { "/s/<name>", "/s/", "(no match)", "<name> refuses an empty segment" },
        { "/s/<name>", "/s", "(no match)",
          "<name> needs its segment: /s does not match /s/<name>" },
        { "/s/<name>", "/s/.", "(no match)", "<name> refuses '.'" },
        { "/s/<name>", "/s/..", "(no match)", "<name> refuses '..'" },
        { "/s/<name>", "/s/...", "...",
          "<name> takes '...', which is not a dot segment" },
        { "/s/<name>", "/s/a\x01z", "(no match)",
          "<name> refuses a control character (0x01)" },
        { "/s/<name>", "/s/a\x7fz", "(no match)", "<name> refuses DEL" },
        { "/s/<name>", "/s/a\tb", "(no match)", "<name> refuses a tab" },
        { "/s/<name>", "/s/a%2Fb", "(no match)",
          "<name> refuses an encoded slash %2F (AllowEncodedSlashes NoDecode)" },
        { "/s/<name>", "/s/a%2fb", "(no match)",
          "<name> refuses an encoded slash in lower case, %2f" },
        { "/s/<name>", "/s/%2F", "(no match)",
          "<name> refuses a segment that is only %2F" },
        { "/s/<name>", "/s/a%2", "a%2",
          "<name> takes a '%' that does not start %2F" },
        { "/s/<name>", "/s/a/b", "(no match)",
          "<name> does not take a '/': one segment only" },
        { NULL, NULL, NULL, NULL }
    };

    run_captures(cases);
}

static void test_int_converter(void)
{
    static const capture_case cases[] = {
        { "/n/<int:id>", "/n/42", "42", "<int:id> takes 42" },
        { "/n/<int:id>", "/n/0", "0", "<int:id> takes 0" },
        { "/n/<int:id>", "/n/007", "007", "<int:id> takes leading zeros" },
        { "/n/<int:id>", "/n/4a", "(no match)", "<int:id> refuses 4a" },
        { "/n/<int:id>", "/n/a4", "(no match)", "<int:id> refuses a4" },
        { "/n/<int:id>", "/n/-1", "(no match)",
          "<int:id> refuses a negative number" },
        { "/n/<int:id>", "/n/+1", "(no match)", "<int:id> refuses a sign" },
        { "/n/<int:id>", "/n/1.5", "(no match)", "<int:id> refuses 1.5" },
        { "/n/<int:id>", "/n/ 1", "(no match)", "<int:id> refuses a space" },
        { "/n/<int:id>", "/n/", "(no match)", "<int:id> refuses an empty segment" },
        { "/n/<int:id>", "/n/"
          "1234567890123456789012345678901234567890123456789012345678901234",
          "1234567890123456789012345678901234567890123456789012345678901234",
          "<int:id> takes 64 digits" },
        { "/n/<int:id>", "/n/"
          "12345678901234567890123456789012345678901234567890123456789012345",
          "(no match)", "<int:id> refuses 65 digits" },
        { NULL, NULL, NULL, NULL }
    };

    run_captures(cases);
}

static void test_float_converter(void)
{
    static const capture_case cases[] = {
        { "/f/<float:x>", "/f/1.5", "1.5", "<float:x> takes 1.5" },
        { "/f/<float:x>", "/f/0.25", "0.25", "<float:x> takes 0.25" },
        { "/f/<float:x>", "/f/10.0", "10.0", "<float:x> takes 10.0" },
        { "/f/<float:x>", "/f/1", "(no match)",
          "<float:x> refuses 1: it needs a dot (1.0)" },
        { "/f/<float:x>", "/f/1.", "(no match)",
          "<float:x> refuses 1. (no digit after the dot)" },
        { "/f/<float:x>", "/f/.5", "(no match)",
          "<float:x> refuses .5 (no digit before the dot)" },
        { "/f/<float:x>", "/f/1.2.3", "(no match)",
          "<float:x> refuses two dots" },
        { "/f/<float:x>", "/f/-1.5", "(no match)",
          "<float:x> refuses a sign" },
        { "/f/<float:x>", "/f/1e5", "(no match)",
          "<float:x> refuses an exponent" },
        { "/f/<float:x>", "/f/a.b", "(no match)",
          "<float:x> refuses letters" },
        { NULL, NULL, NULL, NULL }
    };

    run_captures(cases);
}

static void test_uuid_converter(void)
{
    static const capture_case cases[] = {
        { "/u/<uuid:id>", "/u/123e4567-e89b-12d3-a456-426614174000",
          "123e4567-e89b-12d3-a456-426614174000", "<uuid:id> takes 8-4-4-4-12 hex" },
        { "/u/<uuid:id>", "/u/123E4567-E89B-12D3-A456-426614174000",
          "123E4567-E89B-12D3-A456-426614174000",
          "<uuid:id> takes upper-case hex" },
        { "/u/<uuid:id>", "/u/123e4567e89b12d3a456426614174000",
          "(no match)", "<uuid:id> refuses 32 hex digits without dashes" },
        { "/u/<uuid:id>", "/u/123e4567-e89b-12d3-a456-42661417400",
          "(no match)", "<uuid:id> refuses a uuid one digit short" },
        { "/u/<uuid:id>", "/u/123e4567-e89b-12d3-a456-4266141740000",
          "(no match)", "<uuid:id> refuses a uuid one digit long" },
        { "/u/<uuid:id>", "/u/123e4567-e89b-12d3-a456-42661417400g",
          "(no match)", "<uuid:id> refuses a non-hex digit" },
        { "/u/<uuid:id>", "/u/123e456-7e89b-12d3-a456-426614174000",
          "(no match)", "<uuid:id> refuses a dash out of place" },
        { "/u/<uuid:id>", "/u/{23e4567-e89b-12d3-a456-426614174000}",
          "(no match)", "<uuid:id> refuses braces" },
        { NULL, NULL, NULL, NULL }
    };

    run_captures(cases);
}

static void test_any_converter(void)
{
    static const capture_case cases[] = {
        { "/c/<any(red,green,blue):c>", "/c/red", "red",
          "<any(red,green,blue):c> takes its first choice" },
        { "/c/<any(red,green,blue):c>", "/c/blue", "blue",
          "<any(red,green,blue):c> takes its last choice" },
        { "/c/<any(red,green,blue):c>", "/c/pink", "(no match)",
          "<any(red,green,blue):c> refuses what is not a choice" },
        { "/c/<any(red,green,blue):c>", "/c/re", "(no match)",
          "<any(...)> refuses a prefix of a choice" },
        { "/c/<any(red,green,blue):c>", "/c/redd", "(no match)",
          "<any(...)> refuses a choice with more after it" },
        { "/c/<any(red,green,blue):c>", "/c/RED", "(no match)",
          "<any(...)> compares case-sensitively" },
        { "/c/<any(red,green,blue):c>", "/c/", "(no match)",
          "<any(...)> refuses an empty segment" },
        { "/c/<any( red , green ):c>", "/c/green", "green",
          "spaces around any() choices are not part of them" },
        { "/c/<any(a:b,c):c>", "/c/a:b", "a:b",
          "an any() choice may hold a colon" },
        { NULL, NULL, NULL, NULL }
    };

    run_captures(cases);
}

static void test_path_converter(void)
{
    static const capture_case cases[] = {
        { "/f/<path:p>", "/f/a", "a", "<path:p> takes one segment" },
        { "/f/<path:p>", "/f/a/b/c.txt", "a/b/c.txt",
          "<path:p> takes the rest of the path, keeping its '/'" },
        { "/f/<path:p>", "/f/a/b/", "a/b/", "<path:p> keeps a trailing '/'" },
        { "/f/<path:p>", "/f/", "(no match)", "<path:p> refuses an empty rest" },
        { "/f/<path:p>", "/f", "(no match)", "<path:p> needs the '/' before it" },
        { "/f/<path:p>", "/f/a/../b", "(no match)",
          "<path:p> refuses a '..' segment" },
        { "/f/<path:p>", "/f/..", "(no match)", "<path:p> refuses '..' alone" },
        { "/f/<path:p>", "/f/a/.", "(no match)",
          "<path:p> refuses a '.' segment" },
        { "/f/<path:p>", "/f/a/..b", "a/..b",
          "<path:p> takes '..b', which is not a dot segment" },
        { "/f/<path:p>", "/f//etc/passwd", "(no match)",
          "<path:p> refuses a value starting with '/'" },
        { "/f/<path:p>", "/f/a/\x01", "(no match)",
          "<path:p> refuses a control character" },
        { "/<path:p>", "/x/y", "x/y", "<path:p> may take the whole path" },
        { NULL, NULL, NULL, NULL }
    };

    run_captures(cases);
}

static void test_wildcard(void)
{
    static const capture_case cases[] = {
        { "/static/*", "/static/site.css", "(matched)",
          "/static/* matches a file under /static/" },
        { "/static/*", "/static/a/b/c.js", "(matched)",
          "/static/* matches the rest including '/'" },
        { "/static/*", "/static/", "(matched)",
          "/static/* matches an empty rest" },
        { "/static/*", "/static", "(no match)",
          "/static/* does not match /static" },
        { "/static/*", "/staticx/a", "(no match)",
          "/static/* does not match /staticx/a" },
        { "/*", "/", "(matched)", "/* matches /" },
        { "/*", "/any/thing", "(matched)", "/* matches any path" },
        { NULL, NULL, NULL, NULL }
    };

    run_captures(cases);
}

static void test_statics(void)
{
    static const capture_case cases[] = {
        { "/", "/", "(matched)", "the route / matches /" },
        { "/", "/x", "(no match)", "the route / matches only /" },
        { "/about", "/about", "(matched)", "a static route matches itself" },
        { "/about", "/About", "(no match)", "static segments are case-sensitive" },
        { "/about", "/about/", "(no match)",
          "/about does not match /about/ (strict slashes)" },
        { "/about/", "/about/", "(matched)", "/about/ matches /about/" },
        { "/caf%C3%A9", "/caf\xc3\xa9", "(matched)",
          "a %-encoded static segment matches the decoded path" },
        { "/a%20b", "/a b", "(matched)", "%20 in a route is a space in the path" },
        { "/a%20b", "/a%20b", "(no match)",
          "%20 in a route does not match a literal %20 in the decoded path" },
        { "/c#x", "/c#x", "(matched)",
          "a '#' inside a route segment is text, not a comment" },
        { NULL, NULL, NULL, NULL }
    };

    run_captures(cases);
}

/* The whole route must match, and the path is the decoded r->uri: a '?' in
 * it is part of a value, never a query string. */
static void test_whole_route(void)
{
    qp_routes *t = table("/blog/<slug> => /a.css\n"
                         "/n/<int:id>/edit => /b.css\n");
    qp_match m;

    qp_tap_is_str(winner(t, "/blog/a/b"), "(no match)",
                  "/blog/<slug> does not match /blog/a/b");
    qp_tap_is_str(winner(t, "/blog/a/"), "(no match)",
                  "/blog/<slug> does not match /blog/a/ (an empty segment after)");
    qp_tap_is_str(winner(t, "/blog"), "(no match)",
                  "/blog/<slug> does not match /blog");
    qp_tap_is_str(winner(t, "/n/1"), "(no match)",
                  "/n/<int:id>/edit does not match /n/1");
    qp_tap_is_str(winner(t, "/n/1/edit/x"), "(no match)",
                  "/n/<int:id>/edit does not match /n/1/edit/x");
    qp_tap_is_str(value_of(t, "/n/12/edit", "id"), "12",
                  "/n/<int:id>/edit matches /n/12/edit with id 12");
    qp_tap_is_str(value_of(t, "/blog/a?x=1", "slug"), "a?x=1",
                  "a '?' in the decoded path is part of the value");
    qp_tap_is_str(winner(t, "blog/a"), "(no match)",
                  "a path not starting with '/' matches nothing");
    qp_tap_is_str(winner(t, ""), "(no match)", "an empty path matches nothing");
    qp_tap_ok(qp_routes_match(t, NULL, &m) == NULL && m.route == NULL,
              "a NULL path matches nothing and clears the match");
    qp_tap_ok(qp_routes_match(NULL, "/blog/a", &m) == NULL,
              "no table matches nothing");
    qp_tap_ok(qp_routes_match(t, "/blog/xyz", &m) != NULL && m.len[0] == 3
              && !strncmp(m.value[0], "xyz", 3),
              "a captured value is a pointer and a length (not NUL-ended)");
}

/* Values point into the path given, so a caller can tell where they are. */
static void test_capture_pointers(void)
{
    qp_routes *t = table("/u/<int:uid>/p/<slug>/<path:rest> => /a.css\n");
    const char *path = "/u/7/p/hello/x/y.txt";
    qp_match m;
    int ok;

    ok = qp_routes_match(t, path, &m) != NULL && m.route->nvars == 3
         && m.value[0] == path + 3 && m.len[0] == 1
         && m.value[1] == path + 7 && m.len[1] == 5
         && m.value[2] == path + 13 && m.len[2] == 7;
    qp_tap_ok(ok, "captured values point into the path, in placeholder order");
    qp_tap_is_str(value_of(t, path, "rest"), "x/y.txt",
                  "three placeholders: the path tail is captured whole");
}

/* ------------------------------------------------------------------------
 * ranking
 */

static void test_ranking(void)
{
    qp_tap_is_str(winner_in("/a/<x> => /1.css\n/<y>/b => /2.css\n", "/a/b"),
                  "/a/<x>",
                  "a static first segment beats a converter there (declared first)");
    qp_tap_is_str(winner_in("/<y>/b => /2.css\n/a/<x> => /1.css\n", "/a/b"),
                  "/a/<x>",
                  "a static first segment beats a converter there (declared last)");
    qp_tap_is_str(winner_in("/blog/<slug> => /1.css\n/blog/new => /2.css\n",
                            "/blog/new"), "/blog/new",
                  "/blog/new beats /blog/<slug> for /blog/new");
    qp_tap_is_str(winner_in("/blog/<slug> => /1.css\n/blog/new => /2.css\n",
                            "/blog/old"), "/blog/<slug>",
                  "/blog/<slug> still takes /blog/old");
    qp_tap_is_str(winner_in("/i/<s> => /1.css\n/i/<int:n> => /2.css\n", "/i/5"),
                  "/i/<int:n>", "int beats string");
    qp_tap_is_str(winner_in("/i/<s> => /1.css\n/i/<int:n> => /2.css\n", "/i/x"),
                  "/i/<s>", "string takes what int refuses");
    qp_tap_is_str(winner_in("/i/<s> => /1.css\n/i/<float:n> => /2.css\n",
                            "/i/1.5"), "/i/<float:n>", "float beats string");
    qp_tap_is_str(winner_in("/i/<s> => /1.css\n/i/<uuid:n> => /2.css\n",
                            "/i/123e4567-e89b-12d3-a456-426614174000"),
                  "/i/<uuid:n>", "uuid beats string");
    qp_tap_is_str(winner_in("/i/<s> => /1.css\n/i/<any(x,y):n> => /2.css\n",
                            "/i/x"), "/i/<any(x,y):n>", "any beats string");
    qp_tap_is_str(winner_in("/i/<path:p> => /1.css\n/i/<s> => /2.css\n", "/i/x"),
                  "/i/<s>", "string beats path");
    qp_tap_is_str(winner_in("/i/* => /1.css\n/i/<s> => /2.css\n", "/i/x"),
                  "/i/<s>", "string beats *");
    qp_tap_is_str(winner_in("/i/<path:p> => /1.css\n/i/<a>/<b> => /2.css\n",
                            "/i/x/y"), "/i/<a>/<b>",
                  "two strings beat a path over the same segments");
    qp_tap_is_str(winner_in("/i/<s> => /1.css\n/i/<path:p> => /2.css\n",
                            "/i/x/y"), "/i/<path:p>",
                  "path takes what a one-segment string cannot");
    qp_tap_is_str(winner_in("/p/<b>/<c> => /1.css\n/<a>/x/y => /2.css\n",
                            "/p/x/y"), "/<a>/x/y",
                  "/<a>/x/y (2 static) beats /p/<b>/<c> (1 static) for /p/x/y");
    qp_tap_is_str(winner_in("/<a>/x/y => /2.css\n/p/<b>/<c> => /1.css\n",
                            "/p/x/y"), "/<a>/x/y",
                  "more static segments win whatever the declaration order");
    qp_tap_is_str(winner_in("/static/* => /1.css\n/<a>/<b> => /2.css\n",
                            "/static/x"), "/static/*",
                  "/static/* (1 static) beats /<a>/<b> (none) for /static/x");
    qp_tap_is_str(winner_in("/<int:a>/<b> => /1.css\n/<c>/<int:d> => /2.css\n",
                            "/1/2"), "/<int:a>/<b>",
                  "the better converter in the first segment that differs wins");
    qp_tap_is_str(winner_in("/static/* => /1.css\n/static/<path:p> => /2.css\n",
                            "/static/x"), "/static/*",
                  "a tie (/static/* and /static/<path:p>): the first declared wins");
    qp_tap_is_str(winner_in("/static/<path:p> => /2.css\n/static/* => /1.css\n",
                            "/static/x"), "/static/<path:p>",
                  "the same tie declared the other way round: the other wins");
    qp_tap_is_str(winner_in("/static/<path:p> => /2.css\n/static/* => /1.css\n",
                            "/static/"), "/static/*",
                  "* takes the empty rest that path refuses");
    qp_tap_is_str(winner_in("/n/<any(1,2):a> => /1.css\n/n/<int:b> => /2.css\n",
                            "/n/1"), "/n/<any(1,2):a>",
                  "a tie (any(1,2) and int): the first declared wins");
    qp_tap_is_str(winner_in("/n/<int:b> => /2.css\n/n/<any(1,2):a> => /1.css\n",
                            "/n/1"), "/n/<int:b>",
                  "int declared first wins the same tie");
    qp_tap_is_str(winner_in("/n/<any(1,2):a> => /1.css\n/n/<int:b> => /2.css\n",
                            "/n/3"), "/n/<int:b>",
                  "int takes what any(1,2) refuses");
    qp_tap_is_str(winner_in("/n/<any(1,2):a> => /1.css\n"
                            "/n/<any(2,3):b> => /2.css\n", "/n/2"),
                  "/n/<any(1,2):a>",
                  "two any() with a common choice: the first declared wins");
    qp_tap_is_str(winner_in("/n/<any(1,2):a> => /1.css\n"
                            "/n/<any(2,3):b> => /2.css\n", "/n/3"),
                  "/n/<any(2,3):b>", "the other any() takes its own choice");
    qp_tap_is_str(winner_in("/d/<a>/* => /1.css\n/d/* => /2.css\n", "/d/x/y"),
                  "/d/<a>/*", "a string before * beats * earlier in the path");
    qp_tap_is_str(winner_in("/* => /1.css\n/<path:p> => /2.css\n/x => /3.css\n",
                            "/x"), "/x", "a static route beats root tails");
    qp_tap_is_str(winner_in("/* => /1.css\n/<path:p> => /2.css\n/x => /3.css\n",
                            "/y/z"), "/*", "/* declared before /<path:p> wins");
}

static void test_ranked_order(void)
{
    qp_routes *t = table("/<path:p> => /r.css\n"
                         "/static/* => /r.css\n"
                         "/static/<path:f> => /r.css\n"
                         "/blog/<slug> => /r.css\n"
                         "/blog/<int:id> => /r.css\n"
                         "/blog/new => /r.css\n"
                         "/<a>/x/y => /r.css\n"
                         "/p/<b>/<c> => /r.css\n");
    const apr_array_header_t *ranked = t ? qp_routes_ranked(t) : NULL;
    const char *order = "";
    int i;

    for (i = 0; ranked && i < ranked->nelts; ++i) {
        order = apr_pstrcat(pool, order, i ? " " : "",
                            APR_ARRAY_IDX(ranked, i, const qp_route *)->pattern,
                            NULL);
    }
    qp_tap_ok(qp_routes_count(t) == 8, "qp_routes_count counts the routes");
    qp_tap_ok(qp_routes_count(NULL) == 0, "qp_routes_count of no table is 0");
    qp_tap_is_str(order,
                  "/blog/new /<a>/x/y /blog/<int:id> /p/<b>/<c> /blog/<slug> "
                  "/static/* /static/<path:f> /<path:p>",
                  "qp_routes_ranked: more statics, better converters, longer, "
                  "then declaration order");
    qp_tap_ok(ranked && APR_ARRAY_IDX(ranked, 0, const qp_route *)->order == 5,
              "order is the declaration index, set on compile");
    qp_tap_is_str(winner(t, "/blog/7"), "/blog/<int:id>",
                  "the matcher agrees with the ranking for /blog/7");
    qp_tap_is_str(value_of(t, "/static/a/b", "f"), "(no such placeholder)",
                  "/static/* (declared first) takes /static/a/b, not <path:f>");
    qp_tap_is_str(value_of(t, "/zz/a/b", "p"), "zz/a/b",
                  "/<path:p> takes what nothing else does");
}

/* ------------------------------------------------------------------------
 * resources
 */

static void test_resource_urls(void)
{
    qp_routes *t = table(
        "/blog/<slug> => /img/<slug>.png, /static/site.css\n"
        "/files/<path:p> => /raw/<p>\n"
        "/u/<int:uid>/p/<slug> => /img/<uid>/<slug>-<uid>.jpg\n"
        "/data/<int:id> => /api/<id>.json\n"
        "/js/<any(app,admin):name> => /static/<name>.js\n"
        "/v/<int:id> => /img/<id>.webp media=\"(max-width: 600px)\" nopush\n"
        "/q/<term> => /search.json?q=<term>\n"
        "/x/<n> => /api/<n> as=fetch\n"
        "/f/<float:x>/<uuid:u> => /m/<x>/<u>\n"
        "/plain/<n> => /page/<n>\n");

    qp_tap_is_str(resource_of(t, "/blog/hello", 0, 0), "/img/hello.png",
                  "a placeholder is replaced by its value");
    qp_tap_is_str(resource_of(t, "/blog/a b", 0, 0), "/img/a%20b.png",
                  "a space in a value becomes %20");
    qp_tap_is_str(resource_of(t, "/blog/100%", 0, 0), "/img/100%25.png",
                  "a '%' in a value becomes %25");
    qp_tap_is_str(resource_of(t, "/blog/a\"b", 0, 0), "/img/a%22b.png",
                  "a '\"' in a value becomes %22");
    qp_tap_is_str(resource_of(t, "/blog/<b>", 0, 0), "/img/%3Cb%3E.png",
                  "'<' and '>' in a value become %3C and %3E");
    qp_tap_is_str(resource_of(t, "/blog/caf\xc3\xa9", 0, 0),
                  "/img/caf%C3%A9.png", "non-ASCII bytes are percent-encoded");
    qp_tap_is_str(resource_of(t, "/blog/a?b#c", 0, 0), "/img/a%3Fb%23c.png",
                  "'?' and '#' in a value are encoded: no query or fragment");
    qp_tap_is_str(resource_of(t, "/blog/a;b,c", 0, 0), "/img/a%3Bb%2Cc.png",
                  "';' and ',' in a value are encoded: they cannot end the link");
    qp_tap_is_str(resource_of(t, "/blog/a.b-c_d~e", 0, 0),
                  "/img/a.b-c_d~e.png", "unreserved characters are kept");
    qp_tap_is_str(resource_of(t, "/blog/a%2", 0, 0), "/img/a%252.png",
                  "a literal %2 in the decoded path is encoded again");
    qp_tap_is_str(resource_of(t, "/blog/hello", 0, 1),
                  "</img/hello.png>; rel=preload; as=image",
                  "the Link header of a templated resource");
    qp_tap_is_str(resource_of(t, "/blog/<b>", 0, 1),
                  "</img/%3Cb%3E.png>; rel=preload; as=image",
                  "a '>' in a value cannot close the Link's URL");
    qp_tap_is_str(resource_of(t, "/blog/hello", 1, 0), "/static/site.css",
                  "a fixed resource's URL is its URL");
    qp_tap_is_str(resource_of(t, "/blog/hello", 1, 1),
                  "</static/site.css>; rel=preload; as=style",
                  "a fixed resource's header is the ready-made one");
    qp_tap_is_str(resource_of(t, "/files/a b/c.txt", 0, 0), "/raw/a%20b/c.txt",
                  "a path value keeps its '/' and encodes the rest");
    qp_tap_is_str(resource_of(t, "/files/a/b?c", 0, 0), "/raw/a/b%3Fc",
                  "a path value encodes '?'");
    qp_tap_is_str(resource_of(t, "/u/7/p/hi there", 0, 0),
                  "/img/7/hi%20there-7.jpg",
                  "two placeholders, one of them used twice");
    qp_tap_is_str(resource_of(t, "/data/42", 0, 1),
                  "</api/42.json>; rel=preload; as=fetch; crossorigin",
                  "as= is inferred from the template's extension (.json)");
    qp_tap_is_str(resource_of(t, "/js/admin", 0, 1),
                  "</static/admin.js>; rel=preload; as=script",
                  "as=script inferred for /static/<name>.js");
    qp_tap_is_str(resource_of(t, "/v/3", 0, 1),
                  "</img/3.webp>; rel=preload; as=image; "
                  "media=\"(max-width: 600px)\"; nopush",
                  "a templated resource keeps its parameters");
    qp_tap_is_str(resource_of(t, "/q/a&b=c", 0, 0), "/search.json?q=a%26b%3Dc",
                  "a value in the query is encoded ('&', '=')");
    qp_tap_is_str(resource_of(t, "/q/x", 0, 1),
                  "</search.json?q=x>; rel=preload; as=fetch; crossorigin",
                  "as= is inferred from the path before the query");
    qp_tap_is_str(resource_of(t, "/x/1", 0, 1),
                  "</api/1>; rel=preload; as=fetch; crossorigin",
                  "an explicit as= on a template");
    qp_tap_is_str(resource_of(t, "/f/1.5/123e4567-e89b-12d3-a456-426614174000",
                              0, 0),
                  "/m/1.5/123e4567-e89b-12d3-a456-426614174000",
                  "float and uuid values need no encoding");
    qp_tap_is_str(resource_of(t, "/plain/x", 0, 1), "</page/x>; rel=preload",
                  "no as= when the template has no known extension");
}

/* A fixed resource shared by many routes is parsed once. */
static void test_interning(void)
{
    qp_routes *t = table("/a => /static/site.css, /static/app.js\n"
                         "/b => /static/app.js\n"
                         "/c/<n> => /img/<n>.png, /static/site.css\n"
                         "/d/<n> => /img/<n>.png\n"
                         "/e => /static/site.css as=style\n");
    qp_match ma, mb, mc, md, me;
    const qp_resource *a0, *a1, *b0, *c0, *c1, *d0, *e0;

    if (!qp_routes_match(t, "/a", &ma) || !qp_routes_match(t, "/b", &mb)
        || !qp_routes_match(t, "/c/1", &mc) || !qp_routes_match(t, "/d/1", &md)
        || !qp_routes_match(t, "/e", &me)) {
        qp_tap_ok(0, "the interning table matches its routes");
        return;
    }
    a0 = APR_ARRAY_IDX(ma.route->resources, 0, const qp_resource *);
    a1 = APR_ARRAY_IDX(ma.route->resources, 1, const qp_resource *);
    b0 = APR_ARRAY_IDX(mb.route->resources, 0, const qp_resource *);
    c0 = APR_ARRAY_IDX(mc.route->resources, 0, const qp_resource *);
    c1 = APR_ARRAY_IDX(mc.route->resources, 1, const qp_resource *);
    d0 = APR_ARRAY_IDX(md.route->resources, 0, const qp_resource *);
    e0 = APR_ARRAY_IDX(me.route->resources, 0, const qp_resource *);
    qp_tap_ok(a0 == c1, "/static/site.css in two routes is one qp_resource");
    qp_tap_ok(a1 == b0, "/static/app.js in two routes is one qp_resource");
    qp_tap_ok(a0->parts == NULL, "a fixed resource has no parts");
    qp_tap_ok(c0 != d0, "templated resources are per route");
    qp_tap_ok(c0->parts != NULL, "a templated resource has its parts");
    qp_tap_ok(e0 != a0, "the same URL with other parameters is another resource");
    qp_tap_is_str(e0->link->header, "</static/site.css>; rel=preload; as=style",
                  "the resource with as=style has its own header");
}

/* ------------------------------------------------------------------------
 * malformed routes: the exact messages
 */

static void test_line_errors(void)
{
    static const char *const cases[][3] = {
        /* line, the exact message, what it shows */
        { "/a /x.css",
          "expected '=>' after the route '/a', found '/x.css'",
          "a missing '=>' names what was found" },
        { "/a",
          "expected '=>' after the route '/a', found '(end of line)'",
          "a route alone" },
        { "/a=>/x.css",
          "route '/a=>/x.css': a placeholder must be a whole path segment, "
          "as in /files/<name>",
          "'=>' needs white space before it (its '>' is read as a placeholder's)" },
        { "blog/<slug> => /x.css",
          "route 'blog/<slug>' does not start with '/' (expected a path "
          "such as /blog/<slug>)",
          "a route must start with '/'" },
        { "/a =>",
          "route '/a' has no resources after '=>' (expected URLs separated "
          "by commas)",
          "a route without resources" },
        { "/a =>   # none yet",
          "route '/a' has no resources after '=>' (expected URLs separated "
          "by commas)",
          "a route whose resources are only a comment" },
        { "/a => /x.css,,/y.css",
          "route '/a' has an empty resource (two commas, or one at the end)",
          "two commas in a row" },
        { "/a => /x.css, ",
          "route '/a' has an empty resource (two commas, or one at the end)",
          "a comma at the end" },
        { "/a => , /x.css",
          "route '/a' has an empty resource (two commas, or one at the end)",
          "a comma at the start" },
        { "/a/<integer:n> => /x.css",
          "route '/a/<integer:n>': unknown converter 'integer' (expected "
          "string, int, float, uuid, path or any(a,b,c))",
          "an unknown converter" },
        { "/a/<Int:n> => /x.css",
          "route '/a/<Int:n>': unknown converter 'Int' (expected string, "
          "int, float, uuid, path or any(a,b,c))",
          "converter names are case-sensitive" },
        { "/a/<:n> => /x.css",
          "route '/a/<:n>': unknown converter '' (expected string, int, "
          "float, uuid, path or any(a,b,c))",
          "an empty converter before ':'" },
        { "/a/<int:> => /x.css",
          "route '/a/<int:>': placeholder '<int:>' has no name (expected "
          "<name> or <converter:name>)",
          "a converter without a name" },
        { "/a/<> => /x.css",
          "route '/a/<>': placeholder '<>' has no name (expected <name> or "
          "<converter:name>)",
          "an empty placeholder" },
        { "/a/<1st> => /x.css",
          "route '/a/<1st>': '1st' is not a placeholder name (expected "
          "letters, digits and '_', not starting with a digit)",
          "a name starting with a digit" },
        { "/a/<my-slug> => /x.css",
          "route '/a/<my-slug>': 'my-slug' is not a placeholder name "
          "(expected letters, digits and '_', not starting with a digit)",
          "a name with a dash" },
        { "/a/<slug",
          "route '/a/<slug' has an unterminated placeholder (expected <name>)",
          "an unterminated placeholder" },
        { "/a/<slug/b",
          "route '/a/<slug/b' has an unterminated placeholder (expected "
          "<name>)",
          "an unterminated placeholder before another segment" },
        { "/a/<slug => /x.css",
          "route '/a/<slug =>': 'slug =' is not a placeholder name (expected "
          "letters, digits and '_', not starting with a digit)",
          "an unterminated placeholder runs up to the '>' of '=>'" },
        { "/a/x<id> => /x.css",
          "route '/a/x<id>': a placeholder must be a whole path segment, "
          "as in /files/<name>",
          "text before a placeholder in its segment" },
        { "/a/<id>.html => /x.css",
          "route '/a/<id>.html': a placeholder must be a whole path "
          "segment, as in /files/<name>",
          "text after a placeholder in its segment" },
        { "/<a><b> => /x.css",
          "route '/<a><b>': a placeholder must be a whole path segment, as "
          "in /files/<name>",
          "two placeholders in one segment" },
        { "/<a>/<a> => /x.css",
          "route '/<a>/<a>': placeholder 'a' is used twice",
          "the same placeholder name twice" },
        { "/<a>/<int:a> => /x.css",
          "route '/<a>/<int:a>': placeholder 'a' is used twice",
          "the same name with another converter" },
        { "/<path:p>/edit => /x.css",
          "route '/<path:p>/edit': <path:p> must be the last segment",
          "<path:> not last" },
        { "/*/x => /x.css",
          "route '/*/x': '*' must be the last segment (expected /prefix/*)",
          "'*' not last" },
        { "/static/*.css => /x.css",
          "route '/static/*.css': '*' must be a whole last segment, as in "
          "/static/*",
          "'*' mixed with text in a segment" },
        { "/<any(a,,b):x> => /x.css",
          "route '/<any(a,,b):x>': any() has an empty choice (expected "
          "any(a,b,c))",
          "an empty any() choice" },
        { "/<any():x> => /x.css",
          "route '/<any():x>': any() has an empty choice (expected "
          "any(a,b,c))",
          "any() without choices" },
        { "/<any(a,b,):x> => /x.css",
          "route '/<any(a,b,):x>': any() has an empty choice (expected "
          "any(a,b,c))",
          "a comma at the end of any()" },
        { "/<any(a,b:x> => /x.css",
          "route '/<any(a,b:x>': 'any(a,b' is missing its ')' (expected "
          "any(a,b,c))",
          "any() missing its ')'" },
        { "/<any(a b):x> => /x.css",
          "route '/<any(a b):x>': any() choice 'a b' may not hold '?' "
          "(expected plain segment text)",
          "an any() choice with a space (shown as '?')" },
        { "/<any(a,b)c:x> => /x.css",
          "route '/<any(a,b)c:x>': 'any(a,b)c' is missing its ')' (expected "
          "any(a,b,c))",
          "text between any()'s ')' and the ':'" },
        { "/<any(a,b)> => /x.css",
          "route '/<any(a,b)>': 'any(a,b)' is not a placeholder name "
          "(expected letters, digits and '_', not starting with a digit)",
          "any() without ':' and a name" },
        { "/<any(a/b):x> => /x.css",
          "route '/<any(a/b):x>': any() choice 'a/b' may not hold '/' "
          "(expected plain segment text)",
          "an any() choice with a '/'" },
        { "/blog/<slug> => /img/<id>.png",
          "resource '/img/<id>.png' uses <id>, which route '/blog/<slug>' "
          "does not define",
          "a resource using an undefined placeholder" },
        { "/blog/<slug> => /img/<slug.png",
          "resource '/img/<slug.png' has an unterminated placeholder "
          "(expected <name>)",
          "a resource with an unterminated placeholder" },
        { "/a/<s> => //<s>/x.css",
          "'//x/x.css' starts with '//', which names another host (expected "
          "a path starting with a single '/')",
          "a template naming another host (quoted with 'x' for <s>)" },
        { "/a/<s> => /x/<s>%.css",
          "'/x/x%.css' has a malformed percent-escape at offset 4 (expected "
          "%XX with two hex digits)",
          "a '%' right after a placeholder cannot make an escape of its value" },
        { "/a => https://cdn.example/x.css",
          "'https://cdn.example/x.css' names another scheme or host; only "
          "same-origin absolute paths can be pushed (expected a path "
          "starting with '/')",
          "a resource on another host" },
        { "/a => //cdn.example/x.css",
          "'//cdn.example/x.css' starts with '//', which names another host "
          "(expected a path starting with a single '/')",
          "a protocol-relative resource" },
        { "/a => x.css",
          "'x.css' is not an absolute path (expected a path starting with "
          "'/')",
          "a relative resource" },
        { "/a => /x.css#top",
          "'/x.css#top' has a fragment ('#'), which is never sent to a "
          "server (expected a path)",
          "a '#' inside a word is not a comment" },
        { "/a => /x.css as=stylesheet",
          "'as=stylesheet': unknown destination (expected as= one of audio, "
          "document, embed, fetch, font, image, object, script, style, "
          "track, video, worker)",
          "a bad link parameter" },
        { "/a => /x.css rel=stylesheet",
          "'rel=stylesheet': unknown parameter (expected as=, type=, "
          "crossorigin, media=, critical or nopush)",
          "an unknown link parameter" },
        { "/a => /x.css media=\"(x",
          "'/x.css media=\"(x': unterminated quote",
          "an unterminated quote in a parameter" },
        { "/a => /x.css when foo",
          "expected a quoted expression after 'when', found 'foo'",
          "'when' without a quoted expression" },
        { "/a => /x.css when",
          "expected a quoted expression after 'when', found '(end of line)'",
          "'when' at the end of the line" },
        { "/a => /x.css when \"%{HTTPS} == 'on'",
          "unterminated quote in the 'when' expression",
          "an unterminated 'when' quote" },
        { "/a => /x.css when \"true\" and more",
          "unexpected text 'and more' after the 'when' expression",
          "text after the 'when' expression" },
        { "/a => /x.css when \"\"",
          "empty 'when' expression", "an empty 'when' expression" },
        { "/a => when \"true\"",
          "route '/a' has no resources after '=>' (expected URLs separated "
          "by commas)",
          "a condition without resources" },
        { "/a/./b => /x.css",
          "route '/a/./b' has a '.' or '..' segment, which never matches: "
          "httpd removes them from paths",
          "a '.' route segment" },
        { "/a/.. => /x.css",
          "route '/a/..' has a '.' or '..' segment, which never matches: "
          "httpd removes them from paths",
          "a '..' route segment" },
        { "/a/%2e%2E => /x.css",
          "route '/a/%2e%2E' has a '.' or '..' segment, which never "
          "matches: httpd removes them from paths",
          "an encoded '..' route segment" },
        { "/a%2 => /x.css",
          "route '/a%2' has a malformed percent-escape (expected %XX with "
          "two hex digits)",
          "a truncated %-escape in a route" },
        { "/a%zz/b => /x.css",
          "route '/a%zz/b' has a malformed percent-escape (expected %XX "
          "with two hex digits)",
          "a %-escape that is not hex" },
        { "/a%2Fb => /x.css",
          "route '/a%2Fb' encodes '/' or NUL in a segment, which never "
          "matches",
          "an encoded '/' in a route" },
        { "/a%00 => /x.css",
          "route '/a%00' encodes '/' or NUL in a segment, which never matches",
          "an encoded NUL in a route" },
        { "/a\x01z => /x.css",
          "route '/a' has a control character",
          "a control character in a route (quoted up to it)" },
        { "/a%01 => /x.css",
          "route '/a%01' has a control character",
          "an encoded control character in a route" },
        { NULL, NULL, NULL }
    };
    int i;

    for (i = 0; cases[i][0]; ++i) {
        qp_tap_is_str(line_error(cases[i][0]), cases[i][1], cases[i][2]);
    }
}

static void test_limits(void)
{
    const char *line;
    char *big;
    int i;

    line = "/";
    for (i = 0; i <= QP_MAX_VARS; ++i) {
        line = apr_psprintf(pool, "%s%s<v%d>", line, i ? "/" : "", i);
    }
    qp_tap_is_str(line_error(apr_pstrcat(pool, line, " => /x.css", NULL)),
                  apr_psprintf(pool, "route '%s' has more than 16 placeholders",
                               line),
                  "17 placeholders are too many");
    line = "/";
    for (i = 0; i < QP_MAX_VARS; ++i) {
        line = apr_psprintf(pool, "%s%s<v%d>", line, i ? "/" : "", i);
    }
    qp_tap_is_str(line_error(apr_pstrcat(pool, line, " => /x.css", NULL)),
                  "(accepted)", "16 placeholders are accepted");

    line = "";
    for (i = 0; i <= QP_MAX_SEGMENTS; ++i) {
        line = apr_pstrcat(pool, line, "/s", NULL);
    }
    qp_tap_is_str(line_error(apr_pstrcat(pool, line, " => /x.css", NULL)),
                  apr_psprintf(pool, "route '%.60s...' has more than 64 "
                               "segments", line),
                  "65 segments are too many");
    qp_tap_is_str(winner_in(apr_pstrcat(pool, line + 2, " => /x.css", NULL),
                            line + 2), line + 2,
                  "a route of 64 segments is accepted and matches");

    /* a line of QP_MAX_LINE + 1 bytes */
    big = apr_palloc(pool, QP_MAX_LINE + 2);
    memset(big, 'a', QP_MAX_LINE + 1);
    memcpy(big, "/a => /", 7);
    big[QP_MAX_LINE + 1] = '\0';
    qp_tap_is_str(line_error(big),
                  "line of 8193 bytes is too long (at most 8192)",
                  "a line of 8193 bytes is too long");
    qp_tap_is_str(text_error(big, strlen(big)),
                  "routes.conf:1: line too long (at most 8192 bytes)",
                  "in a file, a line of 8193 bytes is too long");
    big[QP_MAX_LINE] = '\0';
    qp_tap_is_str(text_error(big, strlen(big)), "(accepted)",
                  "a line of 8192 bytes is accepted");
    /* joined lines count too: 2 x 4097 bytes + the space between */
    big = apr_palloc(pool, 2 * 4099 + 1);
    memset(big, 'b', 2 * 4099);
    memcpy(big, "/b => /", 7);
    big[4097] = '\\';
    big[4098] = '\n';
    big[4099] = '/';
    big[2 * 4099] = '\0';
    qp_tap_is_str(text_error(big, strlen(big)),
                  "routes.conf:1: line too long (at most 8192 bytes)",
                  "continued lines are too long together");
}

static void test_text_errors(void)
{
    static const char nul[] = "/a => /x.css\n/b => /y\0.css\n";
    static const char nul3[] = "# one\n\n/b => /y.css\0";

    qp_tap_is_str(text_error(nul, sizeof(nul) - 1),
                  "routes.conf:2: a NUL byte (expected a text file)",
                  "a NUL byte is refused and its line named");
    qp_tap_is_str(text_error(nul3, sizeof(nul3) - 1),
                  "routes.conf:3: a NUL byte (expected a text file)",
                  "a NUL byte at the end of a file names the last line");
    qp_tap_is_str(text_error_s("/a => /x.css, \\\n"),
                  "routes.conf:1: the last line ends with '\\' (expected a "
                  "continuation line)",
                  "the last line ends with '\\' and a newline");
    qp_tap_is_str(text_error_s("/a => /x.css\n/b => /y.css, \\"),
                  "routes.conf:2: the last line ends with '\\' (expected a "
                  "continuation line)",
                  "the file ends with '\\'");
    qp_tap_is_str(text_error_s("/a => /x.css\n# two\n/a => /y.css\n"),
                  "routes.conf:3: route '/a' is declared twice (first at "
                  "routes.conf:1)",
                  "the same route twice");
    qp_tap_is_str(text_error_s("/b/<x> => /x.css\n/b/<y> => /y.css\n"),
                  "routes.conf:2: route '/b/<y>' has the same shape as '/b/<x>' "
                  "(routes.conf:1), so it could never apply",
                  "two routes of the same shape");
    qp_tap_is_str(text_error_s("/b/<int:x> => /x.css\n/b/<int:y> => /y.css\n"),
                  "routes.conf:2: route '/b/<int:y>' has the same shape as "
                  "'/b/<int:x>' (routes.conf:1), so it could never apply",
                  "two int routes of the same shape");
    qp_tap_is_str(text_error_s("/s/* => /x.css\n/s/* => /y.css\n"),
                  "routes.conf:2: route '/s/*' is declared twice (first at "
                  "routes.conf:1)",
                  "the same tail twice");
    qp_tap_is_str(text_error_s("/ok => /x.css\n\n/bad => x.css\n"),
                  "routes.conf:3: 'x.css' is not an absolute path (expected a "
                  "path starting with '/')",
                  "an error in a file names its line");
    qp_tap_is_str(text_error_s("/ok => /x.css \\\n  , \\\n  bad.css\n"),
                  "routes.conf:1: 'bad.css' is not an absolute path (expected "
                  "a path starting with '/')",
                  "an error in continued lines names the first line");
    qp_tap_is_str(text_error_s("/a => /x.css when \"x\" junk\n"),
                  "routes.conf:1: unexpected text 'junk' after the 'when' "
                  "expression",
                  "a 'when' error in a file names its line");
}

/* ------------------------------------------------------------------------
 * route files
 */

static apr_array_header_t *parse(const char *text, const char **perr)
{
    apr_array_header_t *routes = apr_array_make(pool, 8, sizeof(qp_route *));

    *perr = qp_routes_parse_text(routes, pool, text, strlen(text),
                                 "routes.conf");
    return routes;
}

/* "PATTERN@ORIGIN" for each route, separated by spaces. */
static const char *summary(const apr_array_header_t *routes)
{
    const char *s = "";
    int i;

    for (i = 0; i < routes->nelts; ++i) {
        const qp_route *r = APR_ARRAY_IDX(routes, i, const qp_route *);
        s = apr_pstrcat(pool, s, i ? " " : "", r->pattern, "@", r->origin,
                        NULL);
    }
    return s;
}

static const qp_route *route_at(const apr_array_header_t *routes, int i)
{
    return i < routes->nelts ? APR_ARRAY_IDX(routes, i, const qp_route *) : NULL;
}

static void test_files(void)
{
    const char *err;
    apr_array_header_t *routes;
    const qp_route *r;
    qp_route *one;

    routes = parse("# the blog\n"
                   "\n"
                   "   \t\n"
                   "/blog/<slug> => /img/<slug>.png   # its picture\n"
                   "    # an indented comment\n"
                   "/about => /static/about.css#not-a-comment-but-refused\n",
                   &err);
    qp_tap_is_str(err, "routes.conf:6: '/static/about.css#not-a-comment-but-"
                  "refused' has a fragment ('#'), which is never sent to a "
                  "server (expected a path)",
                  "'#' not after white space does not start a comment");

    routes = parse("# the blog\n"
                   "\n"
                   "   \t\n"
                   "/blog/<slug> => /img/<slug>.png   # its picture\n"
                   "    # an indented comment\n"
                   "#/old => /old.css\n"
                   "/about => /static/about.css#\n", &err);
    qp_tap_ok(err != NULL, "a '#' right after a URL is part of it");

    routes = parse("# the blog\n"
                   "\n"
                   "   \t\n"
                   "/blog/<slug> => /img/<slug>.png   # its picture\n"
                   "    # an indented comment\n"
                   "#/old => /old.css\n"
                   "/about => /static/about.css\n", &err);
    qp_tap_is_str(err, NULL, "comments and blank lines are accepted");
    qp_tap_is_str(summary(routes),
                  "/blog/<slug>@routes.conf:4 /about@routes.conf:7",
                  "comments and blank lines are skipped; origins count them");
    r = route_at(routes, 0);
    qp_tap_ok(r && r->resources->nelts == 1,
              "a comment after the resources is not a resource");

    routes = parse("/a => /a.css\r\n"
                   "\r\n"
                   "/b => /b.css, /b.js\r\n", &err);
    qp_tap_is_str(err, NULL, "CRLF line ends are accepted");
    qp_tap_is_str(summary(routes), "/a@routes.conf:1 /b@routes.conf:3",
                  "CRLF: the routes and their lines");
    r = route_at(routes, 1);
    qp_tap_is_str(r ? APR_ARRAY_IDX(r->resources, 1, qp_resource *)->link->url
                    : NULL, "/b.js", "CRLF: no '\\r' is left in a resource");

    routes = parse("/a => /a.css, \\\n"
                   "      /a.js, \\\r\n"
                   "      /a.png\n"
                   "/b \\\n"
                   "  => /b.css\n"
                   "/c => /c.css", &err);
    qp_tap_is_str(err, NULL, "'\\' continuations are accepted");
    qp_tap_is_str(summary(routes),
                  "/a@routes.conf:1 /b@routes.conf:4 /c@routes.conf:6",
                  "a continued route's origin is its first line; the next "
                  "lines are counted");
    r = route_at(routes, 0);
    qp_tap_ok(r && r->resources->nelts == 3,
              "a route continued over three lines has its three resources");
    r = route_at(routes, 2);
    qp_tap_ok(r && r->resources->nelts == 1,
              "a last line without a newline is read");

    routes = parse("/a => /a.css when \"%{HTTP:Accept} =~ /html/\"\n"
                   "/b => /b.css when \"%{HTTP:X} == \\\"a # b\\\"\"  # note\n"
                   "/c => /c.css,/c.js media=\"(min-width: 1px)\" "
                   "when\"-T %{HTTPS}\"\n"
                   "/d => /d.css\n"
                   "/e => /e.css when \"%{QUERY_STRING} =~ /#x/\"\n"
                   "/f => /f.css when \"a\\\\\" # ends with a backslash\n",
                   &err);
    qp_tap_is_str(err, NULL, "routes with 'when' conditions are accepted");
    r = route_at(routes, 0);
    qp_tap_is_str(r ? r->condition : NULL, "%{HTTP:Accept} =~ /html/",
                  "a 'when' condition is captured without its quotes");
    r = route_at(routes, 1);
    qp_tap_is_str(r ? r->condition : NULL, "%{HTTP:X} == \"a # b\"",
                  "\\\" in a condition is a quote; '#' inside it is no comment");
    r = route_at(routes, 2);
    qp_tap_is_str(r ? r->condition : NULL, "-T %{HTTPS}",
                  "'when' right before its quote");
    qp_tap_ok(r && r->resources->nelts == 2,
              "the resources before 'when' are all kept");
    qp_tap_is_str(r ? APR_ARRAY_IDX(r->resources, 1, qp_resource *)->link->header
                    : NULL,
                  "</c.js>; rel=preload; as=script; media=\"(min-width: 1px)\"",
                  "a quoted parameter before 'when' is kept");
    r = route_at(routes, 3);
    qp_tap_ok(r && r->condition == NULL, "a route without 'when' has no condition");
    r = route_at(routes, 4);
    qp_tap_is_str(r ? r->condition : NULL, "%{QUERY_STRING} =~ /#x/",
                  "a '#' after white space inside quotes is no comment");
    r = route_at(routes, 5);
    qp_tap_is_str(r ? r->condition : NULL, "a\\",
                  "\\\\ is a backslash, and the comment after it is removed");

    qp_tap_is_str(qp_route_parse_line(&one, pool, "   # only a comment", "x:1"),
                  NULL, "a comment line is no error");
    qp_tap_ok(one == NULL, "a comment line gives no route");
    qp_tap_is_str(qp_route_parse_line(&one, pool, "", "x:1"), NULL,
                  "an empty line is no error");
    qp_tap_ok(one == NULL, "an empty line gives no route");
    qp_tap_is_str(qp_route_parse_line(&one, pool,
                                      "  /w/<when> => /when.css  ", "x:9"),
                  NULL, "'when' as a placeholder name or in a URL is no keyword");
    qp_tap_ok(one && !strcmp(one->origin, "x:9") && one->condition == NULL
              && !strcmp(one->pattern, "/w/<when>"),
              "qp_route_parse_line keeps the origin it is given");
    routes = parse("", &err);
    qp_tap_ok(err == NULL && routes->nelts == 0, "an empty file has no routes");
}

static void test_segments(void)
{
    qp_route *r;
    const char *err = qp_route_parse_line(&r, pool,
        "/a%20b/<int:n>/<any(x, y):k>/<path:rest> => /x.css", "x:1");

    if (!qp_tap_is_str(err, NULL, "a route of every kind of segment parses")) {
        return;
    }
    qp_tap_ok(r->nsegs == 4 && r->nstatic == 1 && r->nvars == 3,
              "4 segments, 1 static, 3 placeholders");
    qp_tap_ok(r->segs[0].kind == QP_SEG_STATIC && r->segs[0].len == 3
              && !memcmp(r->segs[0].text, "a b", 3),
              "a static segment holds its decoded text");
    qp_tap_ok(r->segs[2].kind == QP_SEG_ANY && r->segs[2].choices->nelts == 2,
              "any(x, y) has two choices");
    qp_tap_is_str(qp_seg_kind_name(r->segs[3].kind), "path",
                  "qp_seg_kind_name names path");
    qp_tap_is_str(qp_seg_kind_name(QP_SEG_WILDCARD), "*",
                  "qp_seg_kind_name names the wildcard '*'");
    qp_tap_ok(r->var_seg[0] == 1 && r->var_seg[1] == 2 && r->var_seg[2] == 3,
              "var_seg gives each placeholder's segment");
}

/* preconnect=ORIGIN: a connection hint among a route's resources */
static void test_preconnect(void)
{
    qp_routes *t = table(
        "/blog/<slug> => preconnect=https://IMG.example.com, /img/<slug>.png\n"
        "/shop => /s.css, preconnect=https://pay.example.com:8443 crossorigin\n");
    qp_match m;

    qp_tap_is_str(resource_of(t, "/blog/a", 0, 1),
                  "<https://img.example.com>; rel=preconnect",
                  "preconnect=ORIGIN becomes a rel=preconnect link, host in "
                  "lower case");
    qp_tap_is_str(resource_of(t, "/blog/a", 1, 1),
                  "</img/a.png>; rel=preload; as=image",
                  "... next to a templated preload");
    qp_tap_is_str(resource_of(t, "/shop", 1, 1),
                  "<https://pay.example.com:8443>; rel=preconnect; crossorigin",
                  "with a port and crossorigin");
    qp_tap_ok(qp_routes_match(t, "/shop", &m)
              && APR_ARRAY_IDX(m.route->resources, 1,
                               const qp_resource *)->link->nopush,
              "a preconnect is never pushed (nopush)");
    qp_tap_is_str(line_error("/a => preconnect=/static/"),
                  "'/static/' is not an http or https origin (expected e.g. "
                  "https://cdn.example.com)", "a path is not an origin");
    qp_tap_is_str(line_error("/a => preconnect=https://x.example.com/<p>"),
                  "'https://x.example.com/<p>' is more than an origin: no "
                  "user, path, query or fragment (expected e.g. "
                  "https://cdn.example.com)", "no placeholders in an origin");
    qp_tap_is_str(line_error("/a => preconnect=https://x.example.com as=font"),
                  "'as=font': a preconnect takes no parameter but "
                  "crossorigin[=anonymous|use-credentials]",
                  "a preconnect takes only crossorigin");
    qp_tap_is_str(line_error("/a => preconnect=https://evil.example.com>;rel=preload"),
                  "'https://evil.example.com>;rel=preload' does not name a "
                  "valid host (expected a DNS name or a bracketed IPv6 "
                  "address)", "no way out of the <>");
}

/* The walk visits each node at most once and at most QP_MAX_VISITS of
 * them; a table can make one path reach more (here, n routes whose every
 * placeholder accepts "1": 4 nodes each), and the match then says so. */
static const char *visit_table(int n)
{
    const char *text = "";
    int i;

    for (i = 0; i < n; ++i) {
        text = apr_psprintf(pool, "%s/<any(1,v%d):x>/<int:a>/<int:b>/<int:c>"
                            "/<int:d> => /x.css\n", text, i);
    }
    return text;
}

static void test_visit_bound(void)
{
    qp_routes *t = table(visit_table(1100));
    qp_match m;
    const qp_route *r;

    m.gave_up = -1;
    r = t ? qp_routes_match(t, "/1/1/1/1/1", &m) : NULL;
    qp_tap_ok(t && m.gave_up == 1, "1,100 routes that all accept one path "
              "(4,400 nodes): the match says it gave up");
    qp_tap_ok(r != NULL, "... and still gives the best route it saw");
    m.gave_up = -1;
    r = t ? qp_routes_match(t, "/2/1/1/1/1", &m) : NULL;
    qp_tap_ok(t && r == NULL && m.gave_up == 0,
              "... a path only a few nodes accept: no match, not given up");
    t = table(visit_table(1000));
    m.gave_up = -1;
    r = t ? qp_routes_match(t, "/1/1/1/1/1", &m) : NULL;
    qp_tap_ok(t && r && m.gave_up == 0, "1,000 such routes (4,000 nodes, "
              "within QP_MAX_VISITS): matched, not given up");
}

int main(void)
{
    apr_initialize();
    apr_pool_create(&pool, NULL);
    test_string_converter();
    test_int_converter();
    test_float_converter();
    test_uuid_converter();
    test_any_converter();
    test_path_converter();
    test_wildcard();
    test_statics();
    test_whole_route();
    test_capture_pointers();
    test_ranking();
    test_ranked_order();
    test_resource_urls();
    test_interning();
    test_line_errors();
    test_limits();
    test_visit_bound();
    test_text_errors();
    test_files();
    test_segments();
    test_preconnect();
    apr_pool_destroy(pool);
    apr_terminate();
    return qp_tap_done();
}
