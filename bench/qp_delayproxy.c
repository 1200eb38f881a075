/* SPDX-License-Identifier: Apache-2.0 */
/* qp_delayproxy: a TCP relay that holds every byte for a fixed time in each
 * direction, so that the benchmarks can measure page loads over a WAN-like
 * round trip on machines without netem. It does not look at the bytes, so
 * TLS and h2 pass through untouched.
 *
 * Build:
 *   cc -O2 -Wall -Wextra -o bench/qp_delayproxy bench/qp_delayproxy.c
 *
 * Usage:
 *   qp_delayproxy -l LISTEN_PORT -t TARGET_HOST:TARGET_PORT -d DELAY_MS
 *                 [-r KBIT] [-b BIND_ADDR] [-q]
 *
 * With -d 25, a request/response round trip through the proxy costs 50 ms
 * plus the real round trip. The TCP handshake with the proxy itself is done
 * by the kernel and is not delayed: a connect() through the proxy costs no
 * extra round trip, everything after it does.
 *
 * Design: one thread, epoll, non-blocking sockets. Every read() becomes a
 * chunk stamped with CLOCK_MONOTONIC + delay and goes to the tail of its
 * pair's FIFO for that direction and of the direction's timer list (up or
 * down, shared by all pairs). The delay is the same for every chunk and the
 * clock never goes back, so appending keeps each timer list sorted by
 * deadline: its head is always the next thing due, and one absolute
 * timerfd armed on the earlier head is all the timing there is (no busy
 * waiting, no ms rounding of epoll_wait timeouts). A chunk is written only
 * once the timer has released it, and only from the head of its FIFO, so
 * bytes never leave before their own deadline nor overtake earlier ones.
 * EOF is a chunk of its own, so the shutdown(SHUT_WR) follows the data
 * after the same delay.
 *
 * With -r KBIT, each direction is also a bottleneck of KBIT kbit/s (1,000
 * bits), shared by every connection through the proxy, as the one access
 * link of a user: whatever connections a browser opens split the rate,
 * they do not multiply it.
 * Each direction is a token bucket one segment deep: the bytes read are
 * cut into segments of a 1500-byte MTU path, each leaves the bottleneck
 * when the one before it has and its bits have been sent at the rate, and
 * then takes the delay. The bottleneck holds one round trip of bytes at
 * its rate (the bandwidth-delay product, at least DP_BUFFER_MIN): when it
 * holds that much, the proxy reads no source of that direction until it
 * has room, so that the sender's TCP, not a queue of megabytes in here,
 * waits; the proxy's own receive buffers are made small for the same
 * reason, and its sockets announce a real path's segment size, which
 * keeps the sender's send buffer as small as on that path (on loopback,
 * Linux sizes it for 64 KB segments). A server's HTTP/2 scheduler can
 * then still put a page ahead of bytes it has not yet sent, as it can on
 * a real path.
 *
 * A direction's deadlines are then the times its bottleneck is done with
 * each segment, plus the delay: they still only grow within a direction,
 * but not from one direction to the other, which is why each direction
 * has a timer list of its own.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#define DP_NAME "qp_delayproxy"

/* Size of one read(): large enough that a bulk transfer is not a syscall
 * storm, small enough to keep chunks (and their deadlines) fine-grained. */
#define DP_READ_SIZE 65536
/* Reads per readiness event, so one busy connection cannot starve others. */
#define DP_READS_PER_EVENT 8
/* Per-direction queue above which we stop reading the source. The queue
 * holds delay * rate bytes, so this caps one direction at about
 * 4 MB / 25 ms = 160 MB/s, far above what the page-load benchmarks need. */
#define DP_QUEUE_MAX (4u * 1024 * 1024)
#define DP_IOV_MAX 64
#define DP_MAX_EVENTS 256
/* How long to stop accepting when out of file descriptors: the listener is
 * level-triggered and would otherwise wake us up in a loop. */
#define DP_ACCEPT_PAUSE_NS (100ULL * 1000000ULL)
/* With -r: the payload of one TCP segment on a 1500-byte MTU path
 * (timestamps on), the unit the bottleneck sends. */
#define DP_SEGMENT 1448
/* With -r: the most one source gives the bottleneck at a time. The
 * sources of a direction take turns (round robin), as TCP flows through
 * one bottleneck share it. */
#define DP_RATE_TURN (4 * DP_SEGMENT)
/* With -r: the least the bottleneck holds, whatever the round trip. */
#define DP_BUFFER_MIN (16u * 1024)
/* With -r: SO_RCVBUF of the proxy's sockets (the kernel doubles it), so
 * that a sender's bytes wait in its own TCP while the bottleneck is full. */
#define DP_RATE_RCVBUF (16 * 1024)

typedef struct dp_chunk dp_chunk;
typedef struct dp_dir dp_dir;
typedef struct dp_end dp_end;
typedef struct dp_conn dp_conn;
typedef struct dp_link dp_link;

struct dp_chunk {
    dp_chunk *next;         /* direction FIFO */
    dp_chunk *tprev;        /* its link's timer list, while not released */
    dp_chunk *tnext;
    dp_dir *dir;
    uint64_t deadline;      /* CLOCK_MONOTONIC ns */
    size_t len;
    size_t off;             /* bytes of it already written */
    int eof;                /* no data: shut the destination down */
    int released;           /* deadline passed, may be written */
    char data[];
};

/* One socket of a pair. */
struct dp_end {
    dp_conn *conn;
    int fd;
    uint32_t events;        /* registered epoll mask */
    int registered;
    dp_dir *in;             /* the direction we read this socket for */
    dp_dir *out;            /* the direction that writes to this socket */
};

/* One direction of the path, shared by every pair: client to server (up)
 * or server to client (down). */
struct dp_link {
    dp_chunk *timer_head;   /* chunks not released yet, by deadline */
    dp_chunk *timer_tail;
    uint64_t free_at;       /* -r: when the bottleneck has sent all it holds */
    int full;               /* -r: it holds a round trip's bytes; no source
                             * of this direction is read */
};

/* One direction of a pair: bytes read from src, waiting to go to dst. */
struct dp_dir {
    dp_conn *conn;
    dp_link *link;
    dp_end *src;
    dp_end *dst;
    dp_chunk *head;
    dp_chunk *tail;
    size_t queued;          /* data bytes still to be written */
    int eof_read;           /* src sent EOF, the EOF chunk is queued */
    int done;               /* EOF chunk delivered: dst is shut down */
    int paused;             /* queue full, not reading src */
    int want_out;           /* dst's send buffer is full */
    int flush_pending;      /* on the flush list */
    dp_dir *flush_next;
};

struct dp_conn {
    dp_end cli;
    dp_end srv;
    dp_dir up;              /* cli -> srv */
    dp_dir down;            /* srv -> cli */
    int connecting;
    int dead;
    dp_conn *prev;
    dp_conn *next;
};

static int dp_ep = -1;
static int dp_listen_fd = -1;
static int dp_timer_fd = -1;
static int dp_signal_fd = -1;
static int dp_listen_registered;
static uint64_t dp_listen_resume;   /* 0: not paused */
static uint64_t dp_timer_armed;     /* 0: disarmed */
static uint64_t dp_delay_ns;
static int dp_stop;

static struct sockaddr_storage dp_target;
static socklen_t dp_target_len;
static const char *dp_target_str;

static dp_link dp_up;                /* client to server */
static dp_link dp_down;              /* server to client */
static uint64_t dp_rate_bps;        /* -r, bits per second; 0: no limit */
static uint64_t dp_buffer_ns;       /* -r: what the bottleneck holds, in ns */
static uint64_t dp_segment_ns;      /* -r: one DP_SEGMENT at the rate */
static dp_dir *dp_flush_list;
static dp_conn *dp_conns;           /* live pairs */
static dp_conn *dp_dead;            /* closed, freed at the end of a round */

/* Distinct addresses tell the non-connection descriptors apart in
 * epoll_event.data.ptr. */
static char dp_tag_listen;
static char dp_tag_timer;
static char dp_tag_signal;

static uint64_t dp_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void dp_timer_unlink(dp_chunk *ch)
{
    dp_link *l = ch->dir->link;

    if (ch->tprev) {
        ch->tprev->tnext = ch->tnext;
    }
    else {
        l->timer_head = ch->tnext;
    }
    if (ch->tnext) {
        ch->tnext->tprev = ch->tprev;
    }
    else {
        l->timer_tail = ch->tprev;
    }
    ch->tprev = ch->tnext = NULL;
}

/* The deadline of len bytes read now: the delay after the bottleneck has
 * sent them (with -r), else the delay from now. */
static uint64_t dp_link_deadline(dp_link *l, size_t len)
{
    uint64_t now = dp_now();

    if (!dp_rate_bps) {
        return now + dp_delay_ns;
    }
    if (l->free_at < now) {
        l->free_at = now;   /* idle: the bucket does not save up */
    }
    l->free_at += (uint64_t)len * 8000000000ULL / dp_rate_bps;
    return l->free_at + dp_delay_ns;
}

/* -r: how many bytes the bottleneck has room for now. */
static size_t dp_link_room(const dp_link *l)
{
    uint64_t now = dp_now();
    uint64_t backlog = l->free_at > now ? l->free_at - now : 0;

    if (!dp_rate_bps) {
        return DP_READ_SIZE;
    }
    if (backlog + dp_segment_ns > dp_buffer_ns) {
        return 0;
    }
    return (size_t)((dp_buffer_ns - backlog) * dp_rate_bps / 8000000000ULL);
}

/* -r: when a full link has room for a segment again. */
static uint64_t dp_link_resume_at(const dp_link *l)
{
    return l->free_at + dp_segment_ns - dp_buffer_ns;
}

static void dp_conn_close(dp_conn *c, int reset);

/* Register exactly the events this socket needs now. A socket that needs
 * none is removed from epoll altogether: otherwise EPOLLHUP, which cannot
 * be masked, would wake us in a loop on a socket that is shut in both
 * directions while its last EOF chunk is still waiting out the delay. */
static void dp_end_update(dp_end *e)
{
    dp_conn *c = e->conn;
    struct epoll_event ev;
    uint32_t want = 0;
    int op;

    if (c->dead || e->fd < 0) {
        return;
    }
    if (c->connecting && e == &c->srv) {
        want = EPOLLOUT;
    }
    else {
        if (!e->in->eof_read && !e->in->paused && !e->in->link->full) {
            want |= EPOLLIN;
        }
        if (e->out->want_out) {
            want |= EPOLLOUT;
        }
    }
    if (e->registered && want == e->events) {
        return;
    }
    if (!e->registered && want == 0) {
        return;
    }
    memset(&ev, 0, sizeof(ev));
    ev.events = want;
    ev.data.ptr = e;
    if (want == 0) {
        op = EPOLL_CTL_DEL;
    }
    else if (e->registered) {
        op = EPOLL_CTL_MOD;
    }
    else {
        op = EPOLL_CTL_ADD;
    }
    if (epoll_ctl(dp_ep, op, e->fd, &ev) < 0) {
        fprintf(stderr, DP_NAME ": epoll_ctl: %s\n", strerror(errno));
        dp_conn_close(c, 1);
        return;
    }
    e->registered = (want != 0);
    e->events = want;
}

static void dp_dir_free(dp_dir *d)
{
    dp_chunk *ch, *next;

    for (ch = d->head; ch; ch = next) {
        next = ch->next;
        if (!ch->released) {
            dp_timer_unlink(ch);
        }
        free(ch);
    }
    d->head = d->tail = NULL;
    d->queued = 0;
}

static void dp_end_close(dp_end *e, int reset)
{
    struct linger lg;

    if (e->fd < 0) {
        return;
    }
    if (reset) {
        /* Pass an abort on as an abort: the other side should see a
         * reset, not a clean end of stream it could take for success. */
        lg.l_onoff = 1;
        lg.l_linger = 0;
        setsockopt(e->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
    }
    close(e->fd);
    e->fd = -1;
    e->registered = 0;
}

/* The struct stays allocated until the end of the event round, since
 * later events of the same epoll_wait() batch or the flush list may still
 * point at it; they check c->dead. */
static void dp_conn_close(dp_conn *c, int reset)
{
    if (c->dead) {
        return;
    }
    c->dead = 1;
    dp_dir_free(&c->up);
    dp_dir_free(&c->down);
    dp_end_close(&c->cli, reset);
    dp_end_close(&c->srv, reset);
    if (c->prev) {
        c->prev->next = c->next;
    }
    else {
        dp_conns = c->next;
    }
    if (c->next) {
        c->next->prev = c->prev;
    }
    c->prev = NULL;
    c->next = dp_dead;
    dp_dead = c;
}

static int dp_enqueue(dp_dir *d, const char *data, size_t len, int eof)
{
    dp_link *l = d->link;
    dp_chunk *ch;

    ch = malloc(sizeof(*ch) + len);
    if (!ch) {
        return -1;
    }
    ch->next = NULL;
    ch->dir = d;
    ch->deadline = dp_link_deadline(l, len);
    /* Cannot happen with CLOCK_MONOTONIC, but the timer list must stay
     * sorted whatever happens, or a chunk could wait behind a later one. */
    if (l->timer_tail && ch->deadline < l->timer_tail->deadline) {
        ch->deadline = l->timer_tail->deadline;
    }
    ch->len = len;
    ch->off = 0;
    ch->eof = eof;
    ch->released = 0;
    if (len) {
        memcpy(ch->data, data, len);
    }
    if (d->tail) {
        d->tail->next = ch;
    }
    else {
        d->head = ch;
    }
    d->tail = ch;
    d->queued += len;

    ch->tnext = NULL;
    ch->tprev = l->timer_tail;
    if (l->timer_tail) {
        l->timer_tail->tnext = ch;
    }
    else {
        l->timer_head = ch;
    }
    l->timer_tail = ch;
    return 0;
}

/* -r: a pair that has just given the bottleneck bytes goes to the back of
 * the list, so that the others come first when it has room again
 * (dp_link_set_full re-registers the sources in list order, and epoll
 * reports them in that order). */
static void dp_conn_to_back(dp_conn *c)
{
    dp_conn *last;

    if (!c->next) {
        return;
    }
    if (c->prev) {
        c->prev->next = c->next;
    }
    else {
        dp_conns = c->next;
    }
    c->next->prev = c->prev;
    for (last = c->next; last->next; last = last->next) {
    }
    last->next = c;
    c->prev = last;
    c->next = NULL;
}

/* -r: stop or start reading every source of a link's direction. */
static void dp_link_set_full(dp_link *l, int full)
{
    dp_conn *c, *next;

    l->full = full;
    for (c = dp_conns; c; c = next) {
        next = c->next;     /* dp_end_update may close c */
        dp_end_update(l == &dp_up ? &c->cli : &c->srv);
    }
}

static void dp_dir_read(dp_dir *d)
{
    static char buf[DP_READ_SIZE];
    size_t want, off, seg;
    ssize_t n;
    int i;

    for (i = 0; i < DP_READS_PER_EVENT && !d->eof_read && !d->paused
                && !d->link->full; i++) {
        want = dp_link_room(d->link);
        if (want == 0) {
            /* the bottleneck is full: its sources wait in their TCP */
            dp_link_set_full(d->link, 1);
            return;
        }
        if (want > sizeof(buf)) {
            want = sizeof(buf);
        }
        if (dp_rate_bps && want > DP_RATE_TURN) {
            want = DP_RATE_TURN;
        }
        n = read(d->src->fd, buf, want);
        if (n > 0) {
            /* one chunk per segment with -r, so that bytes come out at
             * the rate, not a read's worth at once */
            seg = dp_rate_bps ? DP_SEGMENT : (size_t)n;
            for (off = 0; off < (size_t)n; off += seg) {
                if (dp_enqueue(d, buf + off, (size_t)n - off < seg ?
                               (size_t)n - off : seg, 0) < 0) {
                    fprintf(stderr, DP_NAME ": out of memory\n");
                    dp_conn_close(d->conn, 1);
                    return;
                }
            }
            if (d->queued >= DP_QUEUE_MAX) {
                d->paused = 1;
            }
            if (dp_rate_bps) {
                /* one turn; the others' come before its next */
                dp_conn_to_back(d->conn);
                break;
            }
            if ((size_t)n < want) {
                /* Drained; level-triggered epoll tells us about more. */
                break;
            }
        }
        else if (n == 0) {
            if (dp_enqueue(d, NULL, 0, 1) < 0) {
                fprintf(stderr, DP_NAME ": out of memory\n");
                dp_conn_close(d->conn, 1);
                return;
            }
            d->eof_read = 1;
        }
        else if (errno == EINTR) {
            continue;
        }
        else if (errno == EAGAIN || errno == EWOULDBLOCK) {
            break;
        }
        else {
            /* ECONNRESET and the like: the pair is over. */
            dp_conn_close(d->conn, 1);
            return;
        }
    }
    dp_end_update(d->src);
}

/* Write whatever the timer has released, in order, until the queue has
 * nothing released left or the destination's send buffer is full. */
static void dp_dir_flush(dp_dir *d)
{
    dp_conn *c = d->conn;
    struct iovec iov[DP_IOV_MAX];
    struct msghdr mh;
    dp_chunk *ch;
    size_t total, left;
    ssize_t n;
    int cnt;

    if (c->dead || d->done) {
        return;
    }
    if (c->connecting && d->dst == &c->srv) {
        /* Released data waits for the connect; it is flushed from there. */
        return;
    }
    d->want_out = 0;
    for (;;) {
        cnt = 0;
        total = 0;
        for (ch = d->head; ch && cnt < DP_IOV_MAX; ch = ch->next) {
            if (!ch->released || ch->eof) {
                break;
            }
            iov[cnt].iov_base = ch->data + ch->off;
            iov[cnt].iov_len = ch->len - ch->off;
            total += iov[cnt].iov_len;
            cnt++;
        }
        if (cnt == 0) {
            ch = d->head;
            if (ch && ch->eof && ch->released) {
                d->head = ch->next;
                if (!d->head) {
                    d->tail = NULL;
                }
                free(ch);
                if (shutdown(d->dst->fd, SHUT_WR) < 0) {
                    dp_conn_close(c, 1);
                    return;
                }
                d->done = 1;
                if (c->up.done && c->down.done) {
                    dp_conn_close(c, 0);
                    return;
                }
            }
            break;
        }
        memset(&mh, 0, sizeof(mh));
        mh.msg_iov = iov;
        mh.msg_iovlen = (size_t)cnt;
        n = sendmsg(d->dst->fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                d->want_out = 1;
                break;
            }
            dp_conn_close(c, 1);
            return;
        }
        d->queued -= (size_t)n;
        left = (size_t)n;
        while (left > 0) {
            ch = d->head;
            if (left < ch->len - ch->off) {
                ch->off += left;
                break;
            }
            left -= ch->len - ch->off;
            d->head = ch->next;
            if (!d->head) {
                d->tail = NULL;
            }
            free(ch);
        }
        if ((size_t)n < total) {
            d->want_out = 1;
            break;
        }
    }
    if (d->paused && d->queued < DP_QUEUE_MAX) {
        d->paused = 0;
        dp_end_update(d->src);
    }
    dp_end_update(d->dst);
}

/* Release every chunk whose deadline has passed, then write each affected
 * direction once, so that chunks due together leave in one sendmsg(). */
static void dp_run_timers(void)
{
    dp_link *links[2] = { &dp_up, &dp_down };
    uint64_t now = dp_now();
    dp_chunk *ch;
    dp_dir *d;
    int i;

    for (i = 0; i < 2; i++) {
        while ((ch = links[i]->timer_head) != NULL && ch->deadline <= now) {
            dp_timer_unlink(ch);
            ch->released = 1;
            d = ch->dir;
            if (!d->flush_pending) {
                d->flush_pending = 1;
                d->flush_next = dp_flush_list;
                dp_flush_list = d;
            }
        }
        if (links[i]->full && dp_link_resume_at(links[i]) <= now) {
            dp_link_set_full(links[i], 0);
        }
    }
    while ((d = dp_flush_list) != NULL) {
        dp_flush_list = d->flush_next;
        d->flush_pending = 0;
        dp_dir_flush(d);
    }
}

static void dp_set_nodelay(int fd)
{
    int one = 1;

    /* The delay must come from us alone, not from Nagle holding back a
     * small segment until the previous one is acknowledged. */
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

/* -r: set before the handshake, where both are agreed. A small receive
 * buffer: while the bottleneck is full, a sender's bytes wait in its own
 * TCP, not in a kernel buffer of megabytes on our side. The segment size
 * of a real path, announced to the sender: on loopback (64 KB segments)
 * Linux would size the sender's send buffer for 64 KB segments, about a
 * megabyte, enough to take a whole page out of reach of its HTTP/2
 * scheduler before the first bytes are through the bottleneck. */
static void dp_set_rate_socket(int fd)
{
    int size = DP_RATE_RCVBUF, mss = DP_SEGMENT;

    if (dp_rate_bps) {
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
        setsockopt(fd, IPPROTO_TCP, TCP_MAXSEG, &mss, sizeof(mss));
    }
}

static void dp_conn_new(int cfd)
{
    dp_conn *c;
    int sfd;

    c = calloc(1, sizeof(*c));
    if (!c) {
        fprintf(stderr, DP_NAME ": out of memory\n");
        close(cfd);
        return;
    }
    sfd = socket(dp_target.ss_family,
                 SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (sfd < 0) {
        fprintf(stderr, DP_NAME ": socket: %s\n", strerror(errno));
        close(cfd);
        free(c);
        return;
    }
    dp_set_nodelay(cfd);
    dp_set_nodelay(sfd);
    dp_set_rate_socket(sfd);

    c->cli.conn = c;
    c->cli.fd = cfd;
    c->cli.in = &c->up;
    c->cli.out = &c->down;
    c->srv.conn = c;
    c->srv.fd = sfd;
    c->srv.in = &c->down;
    c->srv.out = &c->up;
    c->up.conn = c;
    c->up.link = &dp_up;
    c->up.src = &c->cli;
    c->up.dst = &c->srv;
    c->down.conn = c;
    c->down.link = &dp_down;
    c->down.src = &c->srv;
    c->down.dst = &c->cli;

    c->next = dp_conns;
    if (dp_conns) {
        dp_conns->prev = c;
    }
    dp_conns = c;

    if (connect(sfd, (struct sockaddr *)&dp_target, dp_target_len) == 0) {
        c->connecting = 0;
    }
    else if (errno == EINPROGRESS) {
        c->connecting = 1;
    }
    else {
        fprintf(stderr, DP_NAME ": connect to %s: %s\n", dp_target_str,
                strerror(errno));
        dp_conn_close(c, 1);
        return;
    }
    /* The client is read even while we connect: its bytes start their
     * delay when they arrive, as they would on a real path. */
    dp_end_update(&c->cli);
    dp_end_update(&c->srv);
}

static void dp_listen_pause(void)
{
    if (dp_listen_registered) {
        epoll_ctl(dp_ep, EPOLL_CTL_DEL, dp_listen_fd, NULL);
        dp_listen_registered = 0;
    }
    dp_listen_resume = dp_now() + DP_ACCEPT_PAUSE_NS;
}

static int dp_listen_register(void)
{
    struct epoll_event ev;

    memset(&ev, 0, sizeof(ev));
    ev.events = EPOLLIN;
    ev.data.ptr = &dp_tag_listen;
    if (epoll_ctl(dp_ep, EPOLL_CTL_ADD, dp_listen_fd, &ev) < 0) {
        return -1;
    }
    dp_listen_registered = 1;
    dp_listen_resume = 0;
    return 0;
}

static void dp_accept(void)
{
    int fd;

    for (;;) {
        fd = accept4(dp_listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED) {
                continue;
            }
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                return;
            }
            fprintf(stderr, DP_NAME ": accept: %s\n", strerror(errno));
            dp_listen_pause();
            return;
        }
        dp_conn_new(fd);
    }
}

static void dp_conn_event(dp_end *e, uint32_t events)
{
    dp_conn *c = e->conn;
    socklen_t len;
    int err;

    if (c->dead) {
        return;
    }
    if (c->connecting && e == &c->srv) {
        err = 0;
        len = sizeof(err);
        if (getsockopt(e->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0) {
            err = errno;
        }
        if (err == 0 && !(events & EPOLLOUT)) {
            err = ECONNABORTED;
        }
        if (err) {
            fprintf(stderr, DP_NAME ": connect to %s: %s\n", dp_target_str,
                    strerror(err));
            dp_conn_close(c, 1);
            return;
        }
        c->connecting = 0;
        dp_end_update(&c->srv);
        dp_dir_flush(&c->up);
        return;
    }
    if (events & EPOLLERR) {
        dp_conn_close(c, 1);
        return;
    }
    if (events & EPOLLOUT) {
        dp_dir_flush(e->out);
        if (c->dead) {
            return;
        }
    }
    /* EPOLLHUP on a socket we still read: read() reports the EOF or the
     * error, which moves the pair on. */
    if ((events & (EPOLLIN | EPOLLHUP))
        && !e->in->eof_read && !e->in->paused && !e->in->link->full) {
        dp_dir_read(e->in);
    }
}

static void dp_timer_rearm(void)
{
    dp_link *links[2] = { &dp_up, &dp_down };
    struct itimerspec its;
    uint64_t next = 0, t;
    int i;

    for (i = 0; i < 2; i++) {
        if (links[i]->timer_head) {
            t = links[i]->timer_head->deadline;
            if (next == 0 || t < next) {
                next = t;
            }
        }
        if (links[i]->full) {
            t = dp_link_resume_at(links[i]);
            if (next == 0 || t < next) {
                next = t;
            }
        }
    }
    if (dp_listen_resume && (next == 0 || dp_listen_resume < next)) {
        next = dp_listen_resume;
    }
    if (next == dp_timer_armed) {
        return;
    }
    memset(&its, 0, sizeof(its));
    its.it_value.tv_sec = (time_t)(next / 1000000000ULL);
    its.it_value.tv_nsec = (long)(next % 1000000000ULL);
    if (timerfd_settime(dp_timer_fd, TFD_TIMER_ABSTIME, &its, NULL) < 0) {
        fprintf(stderr, DP_NAME ": timerfd_settime: %s\n", strerror(errno));
        exit(1);
    }
    dp_timer_armed = next;
}

static void dp_usage(void)
{
    fprintf(stderr,
            "usage: " DP_NAME " -l LISTEN_PORT -t TARGET_HOST:TARGET_PORT "
            "-d DELAY_MS [-r KBIT] [-b BIND_ADDR] [-q]\n"
            "  Relays TCP from BIND_ADDR:LISTEN_PORT (default 127.0.0.1)\n"
            "  to the target, holding every byte DELAY_MS in each"
            " direction;\n"
            "  with -r, each direction is also a bottleneck of KBIT kbit/s"
            " shared\n"
            "  by all connections.\n");
    exit(2);
}

static int dp_resolve(const char *host, const char *port, int passive,
                      struct sockaddr_storage *ss, socklen_t *sslen)
{
    struct addrinfo hints, *res;
    int rv;

    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV | (passive ? AI_PASSIVE : 0);
    rv = getaddrinfo(host, port, &hints, &res);
    if (rv != 0) {
        fprintf(stderr, DP_NAME ": %s:%s: %s\n", host, port, gai_strerror(rv));
        return -1;
    }
    memcpy(ss, res->ai_addr, res->ai_addrlen);
    *sslen = res->ai_addrlen;
    freeaddrinfo(res);
    return 0;
}

static int dp_parse_port(const char *s)
{
    char *end;
    long v;

    errno = 0;
    v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < 1 || v > 65535) {
        return -1;
    }
    return (int)v;
}

int main(int argc, char **argv)
{
    const char *bind_addr = "127.0.0.1";
    const char *lport = NULL;
    char *target = NULL;
    char *target_copy, *thost, *tport, *colon, *end;
    double delay_ms = -1, rate_kbit = 0;
    int quiet = 0;
    int opt, one = 1, n, i;
    struct sockaddr_storage laddr;
    socklen_t laddr_len;
    struct epoll_event ev, evs[DP_MAX_EVENTS];
    struct rlimit rl;
    sigset_t sigs;
    dp_conn *c;

    while ((opt = getopt(argc, argv, "l:t:d:r:b:qh")) != -1) {
        switch (opt) {
        case 'l':
            lport = optarg;
            break;
        case 't':
            target = optarg;
            break;
        case 'd':
            errno = 0;
            delay_ms = strtod(optarg, &end);
            if (errno || end == optarg || *end || delay_ms < 0
                || delay_ms > 3600000) {
                fprintf(stderr, DP_NAME ": bad delay '%s'\n", optarg);
                return 2;
            }
            break;
        case 'r':
            errno = 0;
            rate_kbit = strtod(optarg, &end);
            if (errno || end == optarg || *end || rate_kbit < 8
                || rate_kbit > 100000000) {
                fprintf(stderr, DP_NAME ": bad rate '%s' (kbit/s, 8 to "
                        "100000000)\n", optarg);
                return 2;
            }
            break;
        case 'b':
            bind_addr = optarg;
            break;
        case 'q':
            quiet = 1;
            break;
        default:
            dp_usage();
        }
    }
    if (optind != argc || !lport || !target || delay_ms < 0) {
        dp_usage();
    }
    if (dp_parse_port(lport) < 0) {
        fprintf(stderr, DP_NAME ": bad listen port '%s'\n", lport);
        return 2;
    }
    dp_target_str = target;
    target_copy = thost = strdup(target);
    if (!thost) {
        return 1;
    }
    colon = strrchr(thost, ':');
    if (!colon || colon == thost || dp_parse_port(colon + 1) < 0) {
        fprintf(stderr, DP_NAME ": bad target '%s', want HOST:PORT\n", target);
        return 2;
    }
    *colon = '\0';
    tport = colon + 1;
    if (thost[0] == '[' && colon[-1] == ']') {
        /* [::1]:443 */
        colon[-1] = '\0';
        thost++;
    }
    if (dp_resolve(thost, tport, 0, &dp_target, &dp_target_len) < 0
        || dp_resolve(bind_addr, lport, 1, &laddr, &laddr_len) < 0) {
        return 1;
    }
    dp_delay_ns = (uint64_t)(delay_ms * 1000000.0 + 0.5);
    if (rate_kbit > 0) {
        uint64_t min_ns;

        dp_rate_bps = (uint64_t)(rate_kbit * 1000.0 + 0.5);
        dp_segment_ns = DP_SEGMENT * 8000000000ULL / dp_rate_bps;
        /* a round trip's bytes at the rate, and at least DP_BUFFER_MIN */
        dp_buffer_ns = 2 * dp_delay_ns;
        min_ns = DP_BUFFER_MIN * 8000000000ULL / dp_rate_bps;
        if (dp_buffer_ns < min_ns) {
            dp_buffer_ns = min_ns;
        }
    }

    signal(SIGPIPE, SIG_IGN);
    /* Two sockets per pair: make sure hundreds of pairs fit. */
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    /* The default 50 us timer slack would be added to every deadline;
     * ask for the timerfd to fire on time instead. */
    prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);

    /* SIGINT/SIGTERM through a signalfd, so that they are just another
     * event and cannot race with epoll_wait(). */
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGTERM);
    if (sigprocmask(SIG_BLOCK, &sigs, NULL) < 0
        || (dp_signal_fd = signalfd(-1, &sigs,
                                    SFD_NONBLOCK | SFD_CLOEXEC)) < 0) {
        fprintf(stderr, DP_NAME ": signalfd: %s\n", strerror(errno));
        return 1;
    }

    dp_listen_fd = socket(laddr.ss_family,
                          SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (dp_listen_fd < 0) {
        fprintf(stderr, DP_NAME ": socket: %s\n", strerror(errno));
        return 1;
    }
    setsockopt(dp_listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    /* accepted sockets inherit them, before their handshake */
    dp_set_rate_socket(dp_listen_fd);
    if (bind(dp_listen_fd, (struct sockaddr *)&laddr, laddr_len) < 0) {
        fprintf(stderr, DP_NAME ": bind %s:%s: %s\n", bind_addr, lport,
                strerror(errno));
        return 1;
    }
    if (listen(dp_listen_fd, SOMAXCONN) < 0) {
        fprintf(stderr, DP_NAME ": listen: %s\n", strerror(errno));
        return 1;
    }

    dp_ep = epoll_create1(EPOLL_CLOEXEC);
    dp_timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    if (dp_ep < 0 || dp_timer_fd < 0) {
        fprintf(stderr, DP_NAME ": epoll/timerfd: %s\n", strerror(errno));
        return 1;
    }
    memset(&ev, 0, sizeof(ev));
    ev.events = EPOLLIN;
    ev.data.ptr = &dp_tag_timer;
    if (epoll_ctl(dp_ep, EPOLL_CTL_ADD, dp_timer_fd, &ev) < 0) {
        fprintf(stderr, DP_NAME ": epoll_ctl: %s\n", strerror(errno));
        return 1;
    }
    ev.data.ptr = &dp_tag_signal;
    if (epoll_ctl(dp_ep, EPOLL_CTL_ADD, dp_signal_fd, &ev) < 0
        || dp_listen_register() < 0) {
        fprintf(stderr, DP_NAME ": epoll_ctl: %s\n", strerror(errno));
        return 1;
    }

    if (!quiet) {
        if (dp_rate_bps) {
            printf(DP_NAME ": %s:%s -> %s, %g ms each way, %g kbit/s each "
                   "way (holds %.0f ms)\n", bind_addr, lport, target,
                   delay_ms, rate_kbit, (double)dp_buffer_ns / 1e6);
        }
        else {
            printf(DP_NAME ": %s:%s -> %s, %g ms each way\n", bind_addr,
                   lport, target, delay_ms);
        }
        fflush(stdout);
    }

    while (!dp_stop) {
        n = epoll_wait(dp_ep, evs, DP_MAX_EVENTS, -1);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            fprintf(stderr, DP_NAME ": epoll_wait: %s\n", strerror(errno));
            return 1;
        }
        for (i = 0; i < n; i++) {
            void *p = evs[i].data.ptr;

            if (p == &dp_tag_listen) {
                dp_accept();
            }
            else if (p == &dp_tag_timer) {
                uint64_t ticks;

                if (read(dp_timer_fd, &ticks, sizeof(ticks)) < 0) {
                    /* EAGAIN: re-armed before we got here, nothing due. */
                }
                /* One-shot: whatever was armed has fired. */
                dp_timer_armed = 0;
            }
            else if (p == &dp_tag_signal) {
                struct signalfd_siginfo si;

                while (read(dp_signal_fd, &si, sizeof(si)) == sizeof(si)) {
                    dp_stop = 1;
                }
            }
            else {
                dp_conn_event(p, evs[i].events);
            }
        }
        /* Timers are checked every round, not only when the timerfd
         * fires, so a deadline passed meanwhile is not kept waiting. */
        dp_run_timers();
        if (dp_listen_resume && dp_now() >= dp_listen_resume) {
            if (dp_listen_register() < 0) {
                dp_listen_resume = dp_now() + DP_ACCEPT_PAUSE_NS;
            }
        }
        while ((c = dp_dead) != NULL) {
            dp_dead = c->next;
            free(c);
        }
        dp_timer_rearm();
    }

    while (dp_conns) {
        dp_conn_close(dp_conns, 0);
    }
    while ((c = dp_dead) != NULL) {
        dp_dead = c->next;
        free(c);
    }
    close(dp_listen_fd);
    close(dp_timer_fd);
    close(dp_signal_fd);
    close(dp_ep);
    free(target_copy);
    return 0;
}
