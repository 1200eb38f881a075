/* SPDX-License-Identifier: Apache-2.0 */
/* Micro-benchmark of the route matcher (src/qp_routes.c): for tables of 10,
 * 1,000 and 100,000 generated routes, the time of one qp_routes_match over
 * a fixed set of request paths (hits on every kind of route, and misses),
 * and the memory of the 100,000-route table.
 *
 * The project's targets: the 100,000-route figure within 1.5x of the
 * 10-route one and under 2 us, the table under 64 MB.
 *
 * stdout, one line per table, then the memory:
 *     routes=N ns_per_match=X
 *     routes=100000 table_bytes=Y
 * stderr, lines starting with '#': how long parsing and compiling took, a
 * second timing over paths spread across the whole table (its cache misses
 * are what a fixed set of paths hides), and how the memory was measured.
 *
 * ns_per_match is the median of REPS timed repetitions, after an untimed
 * warm-up. table_bytes is the growth of the resident set (/proc/self/statm)
 * over parsing and compiling the 100,000 routes into a new pool with its
 * own apr_allocator: the parsed routes and the trie, which points into
 * them. It is measured first, in a fresh process, so that no memory freed
 * earlier is reused. (glibc's heap figures, mallinfo2, are shown on stderr
 * too, but APR may allocate its pool nodes with mmap, as Debian's does,
 * and then they do not see them.)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include <apr_allocator.h>
#include <apr_general.h>
#include <apr_pools.h>
#include <apr_strings.h>

#include "qp_routes.h"

#define REPS         9          /* timed repetitions; the median is shown */
#define MIN_NS       50000000   /* at least 50 ms per repetition */
#define SPREAD_PATHS 4096

/* Keeps the compiler from dropping the matches. */
static volatile unsigned long sink;

/* The kinds of generated routes, by index modulo QP_KINDS. */
#define QP_KINDS 8

static const char *route_line(apr_pool_t *p, int i)
{
    switch (i % QP_KINDS) {
    case 0:
        return apr_psprintf(p, "/page/%d => /static/site.css, /static/page.js\n", i);
    case 1:
        return apr_psprintf(p, "/s%d/<slug> => /img/s%d/<slug>.png, "
                            "/static/site.css\n", i, i);
    case 2:
        return apr_psprintf(p, "/u%d/<int:id> => /api/u%d/<id>.json\n", i, i);
    case 3:
        return apr_psprintf(p, "/d%d/<path:p> => /raw/d%d/<p>\n", i, i);
    case 4:
        return apr_psprintf(p, "/st%d/* => /static/st%d.css\n", i, i);
    case 5:
        return apr_psprintf(p, "/a%d/<any(red,green,blue):c>/<int:n> => "
                            "/img/a%d/<c>-<n>.webp media=\"(max-width: 600px)\"\n",
                            i, i);
    case 6:
        return apr_psprintf(p, "/f%d/<float:x> => /fmt/<x>.js\n", i);
    default:
        return apr_psprintf(p, "/v%d/<uuid:id>/edit => /api/v%d/<id>.json, "
                            "/static/editor.js\n", i, i);
    }
}

/* A path that route i matches. */
static const char *hit_path(apr_pool_t *p, int i)
{
    switch (i % QP_KINDS) {
    case 0:
        return apr_psprintf(p, "/page/%d", i);
    case 1:
        return apr_psprintf(p, "/s%d/hello-world", i);
    case 2:
        return apr_psprintf(p, "/u%d/12345", i);
    case 3:
        return apr_psprintf(p, "/d%d/docs/guide/intro.html", i);
    case 4:
        return apr_psprintf(p, "/st%d/js/app.js", i);
    case 5:
        return apr_psprintf(p, "/a%d/green/7", i);
    case 6:
        return apr_psprintf(p, "/f%d/1.5", i);
    default:
        return apr_psprintf(p, "/v%d/123e4567-e89b-12d3-a456-426614174000/edit", i);
    }
}

/* The same request paths for every table: hits on routes 0 to 9, which all
 * tables have, and misses of several kinds. */
static const char *const fixed_paths[] = {
    "/page/0", "/s1/hello-world", "/u2/12345", "/d3/docs/guide/intro.html",
    "/st4/js/app.js", "/a5/green/7", "/f6/1.5",
    "/v7/123e4567-e89b-12d3-a456-426614174000/edit", "/page/8", "/s9/x",
    /* misses */
    "/page/99999999", "/s1/a/b", "/u2/12a", "/a5/pink/7", "/f6/15",
    "/nothing/here", "/", "/v7/not-a-uuid/edit",
    NULL
};

static double now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static long rss_bytes(void)
{
    long size = 0, resident = 0;
    FILE *f = fopen("/proc/self/statm", "r");

    if (f) {
        if (fscanf(f, "%ld %ld", &size, &resident) != 2) {
            resident = 0;
        }
        fclose(f);
    }
    return resident * sysconf(_SC_PAGESIZE);
}

/* Heap bytes in use, as a cross-check of the RSS figure; -1 if unknown. */
static long heap_bytes(void)
{
#if defined(__GLIBC__) \
    && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
    struct mallinfo2 mi = mallinfo2();
    return (long)(mi.uordblks + mi.hblkhd);
#else
    return -1;
#endif
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

/* One pass over paths: the work being timed. */
static void match_all(const qp_routes *table, const char *const *paths, int n)
{
    qp_match m;
    int i;

    for (i = 0; i < n; ++i) {
        const qp_route *r = qp_routes_match(table, paths[i], &m);
        sink += r ? (unsigned long)r->order + 1 : 0;
    }
}

/* Median ns per match over REPS repetitions of enough passes each. */
static double time_matches(const qp_routes *table, const char *const *paths,
                           int n)
{
    double t[REPS], start, elapsed;
    long passes = 1;
    int rep;
    long k;

    /* warm-up, and a pass count that makes a repetition last MIN_NS */
    for (;;) {
        start = now_ns();
        for (k = 0; k < passes; ++k) {
            match_all(table, paths, n);
        }
        elapsed = now_ns() - start;
        if (elapsed >= MIN_NS) {
            break;
        }
        passes *= 2;
    }
    for (rep = 0; rep < REPS; ++rep) {
        start = now_ns();
        for (k = 0; k < passes; ++k) {
            match_all(table, paths, n);
        }
        t[rep] = (now_ns() - start) / ((double)passes * n);
    }
    qsort(t, REPS, sizeof(double), cmp_double);
    return t[REPS / 2];
}

/* The route file of n routes, in gen. */
static const char *route_text(apr_pool_t *gen, int n, apr_size_t *plen)
{
    const char **lines = apr_palloc(gen, sizeof(char *) * (apr_size_t)n);
    apr_size_t *lens = apr_palloc(gen, sizeof(apr_size_t) * (apr_size_t)n);
    apr_size_t total = 0;
    char *text, *o;
    int i;

    for (i = 0; i < n; ++i) {
        lines[i] = route_line(gen, i);
        lens[i] = strlen(lines[i]);
        total += lens[i];
    }
    o = text = apr_palloc(gen, total + 1);
    for (i = 0; i < n; ++i) {
        memcpy(o, lines[i], lens[i]);
        o += lens[i];
    }
    *o = '\0';
    *plen = total;
    return text;
}

/* The resident set after the last parse, before its compile. */
static long rss_parsed;

/* Parses and compiles text into a new pool with its own allocator. */
static const char *build(qp_routes **ptable, apr_pool_t **pp, const char *text,
                         apr_size_t len, double *parse_ns, double *compile_ns)
{
    apr_allocator_t *alloc;
    apr_array_header_t *routes;
    const char *err;
    double t0, t1;

    apr_allocator_create(&alloc);
    apr_pool_create_ex(pp, NULL, NULL, alloc);
    apr_allocator_owner_set(alloc, *pp);
    routes = apr_array_make(*pp, 16, sizeof(qp_route *));
    t0 = now_ns();
    err = qp_routes_parse_text(routes, *pp, text, len, "bench");
    t1 = now_ns();
    rss_parsed = rss_bytes();
    if (!err) {
        err = qp_routes_compile(ptable, *pp, routes);
    }
    *parse_ns = t1 - t0;
    *compile_ns = now_ns() - t1;
    return err;
}

/* The memory of the table of n routes: RSS growth, -1 on an error. */
static long table_memory(apr_pool_t *gen, int n)
{
    apr_pool_t *p;
    qp_routes *table;
    const char *text, *err;
    apr_size_t len;
    long rss0, heap0, rss1, heap1;
    double tp, tc;

    text = route_text(gen, n, &len);
    rss0 = rss_bytes();
    heap0 = heap_bytes();
    err = build(&table, &p, text, len, &tp, &tc);
    rss1 = rss_bytes();
    heap1 = heap_bytes();
    if (err) {
        fprintf(stderr, "routes=%d: %s\n", n, err);
        return -1;
    }
    fprintf(stderr, "# routes=%d table: resident set +%ld bytes (parsed "
            "routes +%ld, trie +%ld), %.0f bytes a route; glibc heap in use "
            "(mallinfo2) +%ld\n", n, rss1 - rss0, rss_parsed - rss0,
            rss1 - rss_parsed, (double)(rss1 - rss0) / n,
            heap0 >= 0 ? heap1 - heap0 : -1L);
    apr_pool_destroy(p);
    return rss1 - rss0;
}

static int run(apr_pool_t *gen, int n)
{
    apr_pool_t *p;
    qp_routes *table;
    const char **spread;
    const char *text, *err;
    apr_size_t len;
    double tp, tc, ns, ns_spread;
    int i, nfixed;
    qp_match m;

    text = route_text(gen, n, &len);
    spread = apr_palloc(gen, sizeof(char *) * SPREAD_PATHS);
    srand(12345);
    for (i = 0; i < SPREAD_PATHS; ++i) {
        /* two calls: RAND_MAX may be as small as 32767 */
        int k = (int)(((unsigned long)rand() * 32768UL + (unsigned long)rand())
                      % (unsigned long)n);
        spread[i] = hit_path(gen, k);
    }
    if ((err = build(&table, &p, text, len, &tp, &tc)) != NULL) {
        fprintf(stderr, "routes=%d: %s\n", n, err);
        return 1;
    }

    /* every fixed hit must hit and every miss miss, or the figure is wrong */
    for (nfixed = 0; fixed_paths[nfixed]; ++nfixed) {
        int hit = qp_routes_match(table, fixed_paths[nfixed], &m) != NULL;
        if (hit != (nfixed < 10)) {
            fprintf(stderr, "routes=%d: %s %s\n", n, fixed_paths[nfixed],
                    hit ? "matched, but is meant to miss" : "did not match");
            return 1;
        }
    }
    for (i = 0; i < SPREAD_PATHS; ++i) {
        if (!qp_routes_match(table, spread[i], &m)) {
            fprintf(stderr, "routes=%d: %s did not match\n", n, spread[i]);
            return 1;
        }
    }

    ns = time_matches(table, fixed_paths, nfixed);
    ns_spread = time_matches(table, spread, SPREAD_PATHS);
    printf("routes=%d ns_per_match=%.1f\n", n, ns);
    fflush(stdout);
    fprintf(stderr, "# routes=%d parse_ms=%.1f compile_ms=%.1f "
            "ns_per_match_spread=%.1f (%d hits spread over the whole "
            "table)\n", n, tp / 1e6, tc / 1e6, ns_spread, SPREAD_PATHS);
    apr_pool_destroy(p);
    return 0;
}

int main(void)
{
    static const int sizes[] = { 10, 1000, 100000 };
    apr_pool_t *gen;
    long bytes;
    int i;

    apr_initialize();
    apr_pool_create(&gen, NULL);
    /* first, while nothing freed could be reused */
    bytes = table_memory(gen, 100000);
    if (bytes < 0) {
        return 1;
    }
    for (i = 0; i < (int)(sizeof(sizes) / sizeof(sizes[0])); ++i) {
        if (run(gen, sizes[i])) {
            return 1;
        }
    }
    printf("routes=100000 table_bytes=%ld\n", bytes);
    apr_pool_destroy(gen);
    apr_terminate();
    return 0;
}
