# SPDX-License-Identifier: Apache-2.0
# Sourced (bash) by the scripts that start their own httpd: demo/run,
# test/run-all, bench/run, bench/early-hints and scripts/check-hard.
#
# Why: started as root, httpd runs its children as an unprivileged user
# (these scripts and t/TEST.PL say "User nobody"). The children serve the
# files, run the CGI scripts and connect to mod_cgid's socket as that user,
# so every directory on the way must let it in. A checkout in /root, or in
# any directory of mode 0700 (mktemp -d), does not: every page would be 403
# Forbidden. We neither weaken User nor chmod the user's directories; the
# scripts serve from a copy in a scratch directory under /tmp instead,
# which every user can enter, and remove it when done.

# qp_child_user: the user httpd's children run as when it is not us (we are
# root): nobody. Empty when we are not root: the children are then us.
qp_child_user() {
    [ "$(id -u)" -ne 0 ] || echo nobody
}

# qp_user_group: the User and Group lines of a httpd.conf started by us
# (empty when not root, where httpd keeps our user)
qp_user_group() {
    [ "$(id -u)" -eq 0 ] || return 0
    echo "User nobody"
    echo "Group $(getent group nogroup >/dev/null && echo nogroup || echo nobody)"
}

# qp_can_read USER PATH...: true when USER can reach each PATH, enter and
# read every directory under it and read every file: what httpd's children
# need of a site. Always true for an empty USER (ourselves).
qp_can_read() {
    local user=$1 out
    shift
    [ -n "$user" ] || return 0
    # from /: GNU find fails when it cannot come back to an unreadable cwd
    out=$(cd / && runuser -u "$user" -- find "$@" \
        \( -type d \( ! -readable -o ! -executable \) -o ! -type d ! -readable \) \
        -print -quit 2>&1) || return 1
    [ -z "$out" ]
}

# qp_blocker USER PATH: the first directory on the way to PATH that USER
# cannot enter (PATH itself when it is something inside that is unreadable)
qp_blocker() {
    local user=$1 p="" part
    local -a parts
    IFS=/ read -ra parts <<<"$2"
    for part in "${parts[@]}"; do
        [ -n "$part" ] || continue
        p="$p/$part"
        [ -d "$p" ] || break
        (cd / && runuser -u "$user" -- test -x "$p") || { echo "$p"; return; }
    done
    echo "$2"
}

# qp_can_enter USER DIR: true when USER can reach and enter DIR (always
# for an empty USER)
qp_can_enter() {
    [ -z "$1" ] || (cd / && runuser -u "$1" -- test -x "$2")
}

# qp_why USER PATH: "USER cannot enter DIR", DIR the directory on the way to
# PATH that stops USER, for the one line that says why a copy is served
qp_why() {
    echo "httpd's children run as $1, who cannot enter $(qp_blocker "$1" "$2")"
}

# qp_scratch NAME: a new, empty directory /tmp/NAME.XXXXXX that every user
# can enter (mode 755), for what httpd's children need; prints its path.
# Fails with one line on stderr when even that is out of their reach.
qp_scratch() {
    local d user
    d=$(mktemp -d "/tmp/$1.XXXXXX") || return 1
    chmod 755 "$d"
    user=$(qp_child_user)
    if ! qp_can_read "$user" "$d"; then
        echo "$user cannot enter $d (scratch for httpd's children): make /tmp mode 1777, as it is by default" >&2
        rm -rf "$d"
        return 1
    fi
    echo "$d"
}

# qp_copy SRC DEST: a copy of the tree SRC at DEST that every user can read.
# Modes of the copy only: a checkout made with umask 077 has files of mode
# 600, which the children could not read even in /tmp.
qp_copy() {
    cp -pR "$1" "$2" && chmod -R a+rX "$2"
}

# --- the Apache::Test suite (test/run-all, scripts/check-hard) ----------
# qp_suite_prepare TOP: sets suite_top, where to run "perl t/TEST.PL" from:
# TOP itself when httpd's children can read its t/htdocs, otherwise a
# scratch copy (suite_scratch, empty when none) that holds a copy of t/
# and, for every other entry of TOP, a symlink to it: the tests read
# bench/ and .libs/ through Apache::Test's top_dir, as root, and httpd's
# children touch only t/ (DocumentRoot, CGI scripts, t/logs/cgisock).
qp_suite_prepare() {
    local top=$1 user e
    user=$(qp_child_user)
    suite_top=$top suite_scratch=
    qp_can_read "$user" "$top/t/htdocs" && return 0
    suite_scratch=$(qp_scratch qp-suite) || return 1
    echo "note: $(qp_why "$user" "$top/t/htdocs"): the suite runs from a copy in $suite_scratch"
    qp_copy "$top/t" "$suite_scratch/t" || return 1
    for e in "$top"/* "$top"/.[!.]*; do
        [ -e "$e" ] && [ "$(basename "$e")" != t ] && ln -s "$e" "$suite_scratch/"
    done
    suite_top=$suite_scratch
}

# qp_suite_finish TOP: after a run from a copy, its t/logs go to TOP's
# t/logs, where they are after a run in place; the copy is removed
qp_suite_finish() {
    local top=$1
    [ -n "${suite_scratch:-}" ] || return 0
    if [ -d "$suite_scratch/t/logs" ]; then
        find "$suite_scratch/t/logs" -type s -delete    # mod_cgid's socket
        rm -rf "$top/t/logs"
        cp -pR "$suite_scratch/t/logs" "$top/t/logs"
    fi
    rm -rf "$suite_scratch"
    suite_scratch=
}

# --- is the server answering? (bench/run, bench/early-hints, check-hard,
# .ci/run): before measuring, a page must answer 200
# qp_status URL [CURL-OPTION...]: the status code of GET URL (000: none)
qp_status() {
    local url=$1
    shift
    curl -sk -o /dev/null -w '%{http_code}' --max-time 20 "$@" "$url" || true
}

# qp_h2load_bad FILE: how many requests of an h2load run (its output in
# FILE) failed: not answered, errored, timed out, or answered 4xx or 5xx.
# A run that made no request at all counts as one bad request.
qp_h2load_bad() {
    # "requests: T total, S started, D done, OK succeeded, ..." and
    # "status codes: N 2xx, N 3xx, N 4xx, N 5xx". h2load's "succeeded" are
    # the 2xx and 3xx, and its "3xx" holds the 103 Early Hints too (every
    # status under 400), so 3xx cannot tell a failure. The status codes are
    # counted when the headers come, "succeeded" when the stream ends: with
    # --warm-up-time a few requests fall on one side of its end and not on
    # the other, hence the larger of the two counts.
    awk '/^requests:/ { total = $2; ok = $8; seen = 1 }
         /^status codes:/ { other = $7 + $9 }
         END { if (!seen || total == 0) { print 1; exit }
               bad = total - ok
               if (other > bad) bad = other
               print bad }' "$1"
}

# qp_pushload_bad OUTPUT: how many page loads of a bench/qp_pushload run
# (OUTPUT: what it printed) failed, plus pushed responses that were not
# 2xx. A run that loaded no page at all counts as one.
qp_pushload_bad() {
    tr ' ' '\n' <<<"$1" | awk -F= '{ v[$1] = $2 }
        END { if (v["pages"] + 0 == 0) print 1; else print v["failed"] + v["push_non2xx"] }'
}

# qp_commit TOP: the commit a run measures, for the committed results:
# the short hash, "-dirty" when the tree differs from it
qp_commit() {
    local c
    c=$(git -C "$1" rev-parse --short HEAD 2>/dev/null) || { echo "(not a git checkout)"; return; }
    git -C "$1" diff --quiet HEAD -- . ':!bench/results' ':!docs' ':!README.md' ':!bench/README.md' 2>/dev/null || c="$c-dirty"
    echo "$c"
}
