/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for src/qp_link.c: which URLs may be pushed, parameter parsing,
 * as= inference and the exact Link header values mod_http2 will read. */
#include <stdio.h>

#include <apr_general.h>
#include <apr_pools.h>
#include <apr_strings.h>

#include "qp_link.h"
#include "qp_tap.h"

static apr_pool_t *pool;

static const char *header_for(const char *url, const char *params)
{
    qp_link *link;
    const char *err = qp_link_make_str(&link, pool, url, params);
    return err ? apr_pstrcat(pool, "ERROR: ", err, NULL) : link->header;
}

static const char *error_for(const char *url, const char *params)
{
    qp_link *link;
    const char *err = qp_link_make_str(&link, pool, url, params);
    return err ? err : "(accepted)";
}

/* One parameter as httpd's own argument parsing hands it to a directive */
static const char *error_for_param(const char *url, const char *param)
{
    qp_link *link;
    const char *err = qp_link_make(&link, pool, url, 1, &param);
    return err ? err : "(accepted)";
}

static void test_urls_accepted(void)
{
    static const char *const good[] = {
        "/", "/static/css/site.css", "/a/b/c.js?v=3&x=y", "/%7Euser/x.png",
        "/fonts/inter.woff2", "/a..b/c", "/./x.css", "/a/b.c/d", "/q?next=/a/../b",
        "/with:colon@and,comma;semi=eq+plus!", NULL
    };
    int i;

    for (i = 0; good[i]; ++i) {
        qp_tap_is_str(qp_url_check(pool, good[i]), NULL,
                      apr_psprintf(pool, "URL %s may be pushed", good[i]));
    }
}

static void test_urls_rejected(void)
{
    static const char *const cases[][3] = {
        /* URL, the exact message, what it shows */
        { "https://evil.example/x.css",
          "'https://evil.example/x.css' names another scheme or host; " "only same-origin absolute paths can be pushed (expected a " "path starting with '/')",
          "another scheme and host is refused" },
        { "//evil.example/x.css",
          "'//evil.example/x.css' starts with '//', which names " "another host (expected a path starting with a single '/')",
          "a protocol-relative URL is refused" },
        { "/a%00.css",
          "'/a%00.css' has %00, an encoded NUL, at offset 2: httpd answers such a path with 404",
          "an encoded NUL is refused" },
        { "/\\evil.example/x.css",
          "'/\\evil.example/x.css' starts with '/\\', which names " "another host (expected a path starting with a single '/')",
          "a backslash host trick is refused" },
        { "static/x.css",
          "'static/x.css' is not an absolute path (expected a path " "starting with '/')",
          "a relative path is refused" },
        { "",
          "an empty URL (expected an absolute path such as " "/static/site.css)",
          "an empty URL is refused" },
        { "/a/../etc/passwd",
          "'/a/../etc/passwd' has a '..' segment (expected a path " "without '..')",
          "a .. segment is refused" },
        { "/a/%2e%2E/x",
          "'/a/%2e%2E/x' has a '..' segment (expected a path without " "'..')",
          "an encoded .. segment is refused" },
        { "/a/..",
          "'/a/..' has a '..' segment (expected a path without '..')",
          "a trailing .. segment is refused" },
        { "/a/..?x",
          "'/a/..?x' has a '..' segment (expected a path without '..')",
          "a .. segment before the query is refused" },
        { "/a b.css",
          "'/a b.css' has a control character or space at offset 2 " "(expected a URL; percent-encode it as %20)",
          "a space is refused" },
        { "/a\r\nSet-Cookie: x=1",
          "'/a\r\nSet-Cookie: x=1' has a control character or space " "at offset 2 (expected a URL; percent-encode it as %0D)",
          "CR LF (header injection) is refused" },
        { "/a>; rel=x",
          "'/a>; rel=x' has the character '>' at offset 2, which " "must be percent-encoded",
          "'>' cannot close the Link's URL early" },
        { "/a\"b",
          "'/a\"b' has the character '\"' at offset 2, which must be " "percent-encoded",
          "a double quote is refused" },
        { "/caf\xc3\xa9.css",
          "'/caf\xc3\xa9.css' has the character '\xc3' at offset 4, " "which must be percent-encoded",
          "raw UTF-8 is refused" },
        { "/a%zz",
          "'/a%zz' has a malformed percent-escape at offset 2 " "(expected %XX with two hex digits)",
          "a malformed escape is refused" },
        { "/a%2",
          "'/a%2' has a malformed percent-escape at offset 2 " "(expected %XX with two hex digits)",
          "a truncated escape is refused" },
        { "/a#top",
          "'/a#top' has a fragment ('#'), which is never sent to a " "server (expected a path)",
          "a fragment is refused" },
        { NULL, NULL, NULL }
    };
    int i;

    for (i = 0; cases[i][0]; ++i) {
        qp_tap_is_str(qp_url_check(pool, cases[i][0]), cases[i][1], cases[i][2]);
    }
}

static void test_as_inference(void)
{
    static const char *const cases[][2] = {
        { "/s.css", "style" }, { "/s.CSS", "style" }, { "/a.js", "script" },
        { "/m.mjs", "script" }, { "/f.woff", "font" }, { "/f.woff2", "font" },
        { "/f.ttf", "font" }, { "/f.otf", "font" }, { "/i.png", "image" },
        { "/i.jpg", "image" }, { "/i.jpeg", "image" }, { "/i.gif", "image" },
        { "/i.webp", "image" }, { "/i.avif", "image" }, { "/i.svg", "image" },
        { "/favicon.ico", "image" }, { "/d.json", "fetch" },
        { "/a.js?v=2", "script" }, { "/x.css/y", NULL }, { "/noext", NULL },
        { "/a.txt", NULL }, { "/dir.css/", NULL }, { "/a.", NULL },
        { "/q?f=x.css", NULL }, { NULL, NULL }
    };
    int i;

    for (i = 0; cases[i][0]; ++i) {
        qp_tap_is_str(qp_link_infer_as(cases[i][0]), cases[i][1],
                      apr_psprintf(pool, "as= inferred for %s", cases[i][0]));
    }
}

static void test_headers(void)
{
    qp_tap_is_str(header_for("/static/css/site.css", NULL),
                  "</static/css/site.css>; rel=preload; as=style",
                  "CSS becomes as=style");
    qp_tap_is_str(header_for("/static/js/app.js", "as=script"),
                  "</static/js/app.js>; rel=preload; as=script",
                  "an explicit as= is kept");
    qp_tap_is_str(header_for("/fonts/inter.woff2", "crossorigin"),
                  "</fonts/inter.woff2>; rel=preload; as=font; crossorigin",
                  "a font with crossorigin");
    qp_tap_is_str(header_for("/fonts/inter.woff2", NULL),
                  "</fonts/inter.woff2>; rel=preload; as=font; crossorigin",
                  "a font gets crossorigin even when not asked");
    qp_tap_is_str(header_for("/data/x.json", NULL),
                  "</data/x.json>; rel=preload; as=fetch; crossorigin",
                  "JSON is fetched in CORS mode");
    qp_tap_is_str(header_for("/f.woff", "crossorigin=use-credentials"),
                  "</f.woff>; rel=preload; as=font; crossorigin=use-credentials",
                  "crossorigin=use-credentials is kept for a font");
    qp_tap_is_str(header_for("/noext", NULL), "</noext>; rel=preload",
                  "no as= when the extension is unknown");
    qp_tap_is_str(header_for("/x", "as=image type=image/webp "
                             "media=\"(max-width: 600px)\" critical"),
                  "</x>; rel=preload; as=image; type=\"image/webp\"; "
                  "media=\"(max-width: 600px)\"; critical",
                  "all parameters, in a fixed order");
    qp_tap_is_str(header_for("/hint.css", "nopush"),
                  "</hint.css>; rel=preload; as=style; nopush",
                  "nopush is passed on to mod_http2");
    qp_tap_is_str(header_for("/a.css", "CROSSORIGIN=Anonymous AS=style"),
                  "</a.css>; rel=preload; as=style; crossorigin",
                  "parameter names and CORS modes are case-insensitive");
}

static void test_param_errors(void)
{
    qp_tap_is_str(error_for("/a.css", "as=stylesheet"),
                  "'as=stylesheet': unknown destination (expected as= one of "
                  "audio, document, embed, fetch, font, image, object, "
                  "script, style, track, video, worker)",
                  "an unknown destination is refused");
    qp_tap_is_str(error_for("/a.css", "as"),
                  "'as': unknown destination (expected as= one of audio, "
                  "document, embed, fetch, font, image, object, script, "
                  "style, track, video, worker)", "as without a value");
    qp_tap_is_str(error_for("/a.css", "type=text"),
                  "'type=text': not a MIME type (expected type=TYPE/SUBTYPE, "
                  "e.g. type=text/css)", "a type without subtype is refused");
    qp_tap_is_str(error_for_param("/a.css", "type=text/css\";x"),
                  "'type=text/css\";x': not a MIME type (expected "
                  "type=TYPE/SUBTYPE, e.g. type=text/css)",
                  "a type cannot smuggle a quote");
    qp_tap_is_str(error_for("/a.css", "crossorigin=maybe"),
                  "'crossorigin=maybe': unknown CORS mode (expected "
                  "crossorigin, crossorigin=anonymous or "
                  "crossorigin=use-credentials)", "an unknown CORS mode");
    qp_tap_is_str(error_for("/a.css", "media="),
                  "'media=': not a media query (expected media=QUERY of "
                  "printable characters without quotes or backslashes)",
                  "an empty media query");
    qp_tap_is_str(error_for_param("/a.css", "media=a\\b"),
                  "'media=a\\b': not a media query (expected media=QUERY of "
                  "printable characters without quotes or backslashes)",
                  "a media query cannot hold a backslash");
    qp_tap_is_str(error_for("/a.css", "critical=yes"),
                  "'critical=yes': critical takes no value",
                  "critical takes no value");
    qp_tap_is_str(error_for("/a.css", "nopush=1"),
                  "'nopush=1': nopush takes no value", "nopush takes no value");
    qp_tap_is_str(error_for("/a.css", "rel=stylesheet"),
                  "'rel=stylesheet': unknown parameter (expected as=, type=, "
                  "crossorigin, media=, critical or nopush)",
                  "rel= cannot be overridden");
    qp_tap_is_str(error_for("/a.css", "as=style as=script"),
                  "'as=script': parameter given twice",
                  "a parameter given twice");
    qp_tap_is_str(error_for("/a.css", "media=\"(x"),
                  "'media=\"(x': unterminated quote",
                  "an unterminated quote");
    qp_tap_is_str(error_for("http://x/a.css", "as=style"),
                  "'http://x/a.css' names another scheme or host; only "
                  "same-origin absolute paths can be pushed (expected a path "
                  "starting with '/')", "the URL is checked first");
}

static const char *parse_line(const char *line)
{
    qp_link *link;
    const char *err = qp_link_parse(&link, pool, line);
    return err ? err : link->header;
}

static void test_parse_line(void)
{
    qp_tap_is_str(parse_line("/static/js/app.js as=script"),
                  "</static/js/app.js>; rel=preload; as=script",
                  "a directive line: URL then parameters");
    qp_tap_is_str(parse_line("  /i.png   media=\"(min-width: 600px)\"  "),
                  "</i.png>; rel=preload; as=image; media=\"(min-width: 600px)\"",
                  "a quoted value keeps its spaces");
    qp_tap_is_str(parse_line("\"/i.png\" \"media=(a b)\""),
                  "</i.png>; rel=preload; as=image; media=\"(a b)\"",
                  "whole words may be quoted, as in httpd.conf");
    qp_tap_is_str(parse_line("   "),
                  "no URL (expected a URL path and optional parameters, e.g. "
                  "/static/css/site.css as=style)", "an empty line");
    qp_tap_is_str(parse_line("/a.css media=\"x"),
                  "'/a.css media=\"x': unterminated quote",
                  "an unterminated quote names the line");
}

/* "@NAME:KEY": a manifest's entry, checked for its words only */
static void test_refs(void)
{
    qp_link *link;
    const char *err;

    err = qp_link_parse(&link, pool, "@app:resources/js/app.js critical");
    qp_tap_ok(!err && link && link->ref, "@NAME:KEY parses as a reference");
    qp_tap_is_str(link && link->ref ? link->ref->name : NULL, "app", "... its name");
    qp_tap_is_str(link && link->ref ? link->ref->key : NULL, "resources/js/app.js",
                  "... its key, '/' and all");
    qp_tap_ok(link && link->ref && link->ref->nparams == 1
              && !strcmp(link->ref->params[0], "critical"), "... its parameters");
    qp_tap_ok(link && !link->header && !strcmp(link->url, "@app:resources/js/app.js"),
              "... no header of its own; url is the text, for dedup and dumps");
    qp_tap_is_str(parse_line("@app"),
                  "'@app' is not a manifest entry (expected @NAME:KEY, e.g. "
                  "@app:resources/js/app.js)", "no key");
    qp_tap_is_str(parse_line("@:x"),
                  "'@:x' is not a manifest entry (expected @NAME:KEY, e.g. "
                  "@app:resources/js/app.js)", "no name");
    qp_tap_is_str(parse_line("@app:"),
                  "'@app:' is not a manifest entry (expected @NAME:KEY, e.g. "
                  "@app:resources/js/app.js)", "an empty key");
    qp_tap_is_str(parse_line("@a.b:x"),
                  "'@a.b:x': a manifest name is made of letters, digits, '_' "
                  "and '-'", "a name with a dot");
    qp_tap_is_str(parse_line("@app:x preload"), "'preload': unknown parameter (expected as=, type=, crossorigin, media=, critical or nopush)",
                  "its parameters are checked as a URL's");
    qp_tap_is_str(parse_line("@app:x\"a b\""),
                  "'@app:xa b' has a control character or space in its key",
                  "a key with a space");
}

static void test_merge(void)
{
    apr_array_header_t *base = apr_array_make(pool, 2, sizeof(qp_link *));
    apr_array_header_t *add = apr_array_make(pool, 2, sizeof(qp_link *));
    apr_array_header_t *m;
    qp_link *l;

    qp_link_make_str(&l, pool, "/a.css", NULL);
    APR_ARRAY_PUSH(base, qp_link *) = l;
    qp_link_make_str(&l, pool, "/b.js", NULL);
    APR_ARRAY_PUSH(base, qp_link *) = l;
    qp_link_make_str(&l, pool, "/b.js", "nopush");
    APR_ARRAY_PUSH(add, qp_link *) = l;
    qp_link_make_str(&l, pool, "/c.png", NULL);
    APR_ARRAY_PUSH(add, qp_link *) = l;

    qp_tap_ok(qp_links_merge(pool, base, NULL) == base,
              "merging nothing into a parent reuses its list");
    qp_tap_ok(qp_links_merge(pool, NULL, add) == add,
              "a child under an empty parent reuses its own list");
    m = qp_links_merge(pool, base, add);
    qp_tap_ok(m->nelts == 3, "a child adds to its parent's list, once per URL");
    qp_tap_is_str(APR_ARRAY_IDX(m, 0, qp_link *)->url, "/a.css",
                  "the parent's links come first");
    qp_tap_is_str(APR_ARRAY_IDX(m, 2, qp_link *)->url, "/c.png",
                  "then the child's new links");
    qp_tap_is_str(APR_ARRAY_IDX(m, 1, qp_link *)->header,
                  "</b.js>; rel=preload; as=script; nopush",
                  "the child's declaration of a URL wins, in the parent's place");
    qp_tap_ok(qp_links_find(m, "/c.png") == 2 && qp_links_find(m, "/d") == -1,
              "qp_links_find finds by exact URL");
}

/* The header for a preconnect to origin with optional params, or the
 * error. */
static const char *preconnect(const char *origin, const char *param)
{
    qp_link *link;
    const char *params[1];
    const char *err;

    params[0] = param;
    err = qp_link_make_preconnect(&link, pool, origin, param ? 1 : 0, params);
    if (err) {
        return err;
    }
    if (!link->preconnect || !link->nopush) {
        return "(a preconnect link must be marked preconnect and nopush)";
    }
    return link->header;
}

static void test_preconnect(void)
{
    static const struct {
        const char *origin, *param, *want, *what;
    } cases[] = {
        { "https://cdn.example.com", NULL,
          "<https://cdn.example.com>; rel=preconnect", "an https origin" },
        { "HTTPS://CDN.Example.COM/", NULL,
          "<https://cdn.example.com>; rel=preconnect",
          "scheme and host in lower case, a trailing '/' dropped" },
        { "http://cdn.example.com:8080", "crossorigin",
          "<http://cdn.example.com:8080>; rel=preconnect; crossorigin",
          "http, a port, crossorigin" },
        { "https://[2001:db8::1]:443", "crossorigin=use-credentials",
          "<https://[2001:db8::1]:443>; rel=preconnect; crossorigin=use-credentials",
          "an IPv6 literal and use-credentials" },
        { "https://cdn.example.com", "as=style",
          "'as=style': a preconnect takes no parameter but "
          "crossorigin[=anonymous|use-credentials]", "as= is refused" },
        { "https://cdn.example.com", "crossoriginx",
          "'crossoriginx': a preconnect takes no parameter but "
          "crossorigin[=anonymous|use-credentials]", "no prefix tricks" },
        { "https://cdn.example.com", "crossorigin=maybe",
          "'crossorigin=maybe': unknown CORS mode (expected crossorigin, "
          "crossorigin=anonymous or crossorigin=use-credentials)",
          "the CORS mode is checked" },
        { "", NULL, "an empty origin (expected e.g. https://cdn.example.com)",
          "an empty origin" },
        { "ftp://cdn.example.com", NULL, "'ftp://cdn.example.com' is not an "
          "http or https origin (expected e.g. https://cdn.example.com)",
          "another scheme" },
        { "//cdn.example.com", NULL, "'//cdn.example.com' is not an http or "
          "https origin (expected e.g. https://cdn.example.com)",
          "no scheme" },
        { "https://", NULL, "'https://' does not name a valid host (expected "
          "a DNS name or a bracketed IPv6 address)", "no host" },
        { "https://cdn.example.com/x", NULL, "'https://cdn.example.com/x' is "
          "more than an origin: no user, path, query or fragment (expected "
          "e.g. https://cdn.example.com)", "a path" },
        { "https://cdn.example.com//", NULL, "'https://cdn.example.com//' is "
          "more than an origin: no user, path, query or fragment (expected "
          "e.g. https://cdn.example.com)", "two slashes" },
        { "https://a@cdn.example.com", NULL, "'https://a@cdn.example.com' is "
          "more than an origin: no user, path, query or fragment (expected "
          "e.g. https://cdn.example.com)", "a user" },
        { "https://cdn.example.com?x", NULL, "'https://cdn.example.com?x' is "
          "more than an origin: no user, path, query or fragment (expected "
          "e.g. https://cdn.example.com)", "a query" },
        { "https://cdn.example.com:0", NULL, "'https://cdn.example.com:0' has "
          "a bad port (expected a number from 1 to 65535)", "port 0" },
        { "https://cdn.example.com:65536", NULL, "'https://cdn.example.com:65536' "
          "has a bad port (expected a number from 1 to 65535)", "port 65536" },
        { "https://cdn.example.com:", NULL, "'https://cdn.example.com:' has a "
          "bad port (expected a number from 1 to 65535)", "an empty port" },
        { "https://cdn.example.com:8a", NULL, "'https://cdn.example.com:8a' has "
          "a bad port (expected a number from 1 to 65535)", "a port with a letter" },
        { "https://cdn.example.com>; rel=x", NULL, "'https://cdn.example.com>; "
          "rel=x' does not name a valid host (expected a DNS name or a "
          "bracketed IPv6 address)", "no way out of the <>" },
        { "https://cdn.example.com\r\nSet-Cookie: a=b", NULL,
          "'https://cdn.example.com\r\nSet-Cookie: a=b' does not name a valid "
          "host (expected a DNS name or a bracketed IPv6 address)",
          "no header injection" },
        { "https://cdn..example.com", NULL, "'https://cdn..example.com' does "
          "not name a valid host (expected a DNS name or a bracketed IPv6 "
          "address)", "an empty label" },
        { "https://-cdn.example.com", NULL, "'https://-cdn.example.com' does "
          "not name a valid host (expected a DNS name or a bracketed IPv6 "
          "address)", "a leading '-'" },
        { "https://[::1", NULL, "'https://[::1' does not name a valid host "
          "(expected a DNS name or a bracketed IPv6 address)",
          "an unclosed IPv6 literal" },
        { "https://[zz::1]", NULL, "'https://[zz::1]' does not name a valid "
          "host (expected a DNS name or a bracketed IPv6 address)",
          "an IPv6 literal of non-hex" },
    };
    apr_size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); ++i) {
        qp_tap_is_str(preconnect(cases[i].origin, cases[i].param),
                      cases[i].want,
                      apr_psprintf(pool, "preconnect: %s", cases[i].what));
    }
}

int main(void)
{
    apr_initialize();
    apr_pool_create(&pool, NULL);
    test_urls_accepted();
    test_urls_rejected();
    test_as_inference();
    test_headers();
    test_param_errors();
    test_parse_line();
    test_refs();
    test_merge();
    test_preconnect();
    apr_pool_destroy(pool);
    apr_terminate();
    return qp_tap_done();
}
