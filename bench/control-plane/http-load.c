// The control-plane bench's HTTP load generator for its read and write loads (bench/control-plane/http-load.ts
// compiles it with gcc when the bench starts). C rather than fetch in the bench process: on this
// two-core machine the server, Postgres and the generator share the cores, and fetch (undici) spent
// more CPU per request than the request it timed; an epoll loop spends a few microseconds, mostly in
// the kernel. The bench measures its ceiling against `http-load serve` and prints it beside the figures.
//
//   http-load serve PORT
//     answers every request (GET, no body) on 127.0.0.1:PORT with the same small 200 at once: a server
//     that costs next to nothing, so a run against it shows what the generator itself can do here.
//   http-load HOST PORT CONNECTIONS WARMUP_MS MEASURE_MS EXPECTED_STATUS REQUEST_FILE[,REQUEST_FILE...] [INTERVAL_MS]
//
// Opens CONNECTIONS keep-alive connections, each sending its request (raw HTTP/1.1 bytes; connection i
// the i-th file, modulo how many are named: one tenant's key per connection, say) again as soon as the
// previous answer is complete (closed loop), or, with INTERVAL_MS, once that
// long has passed since it sent the previous one (a client that keeps under a rate limit). Answers during the first
// WARMUP_MS are not counted; after WARMUP_MS + MEASURE_MS no request is sent and the ones in flight are
// awaited. Prints one line `requests N seconds S failures F`, then every measured latency in
// microseconds, one a line. An answer is a failure when its status is not EXPECTED_STATUS or its
// connection closed before it was complete (the connection is then opened again).
//
// A write must change something each time to be a write: the first run of '@' characters in a request's
// body is, before each send, that connection's count of requests sent so far (from 1, wrapping back to
// 1 after the largest the run can hold), right-aligned and padded with spaces, so the body's length,
// and its Content-Length, stay the same (`"port": @@@@` is valid JSON with every count in it).
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/** Larger than any answer the bench gets (a page of a few clusters, an apply's result, a 429 problem). */
#define BUFFER_BYTES (256 * 1024)
/** Longer than any request the bench sends. */
#define REQUEST_BYTES (64 * 1024)
#define MAX_REQUESTS 256

/** One request file: its bytes and, when its body holds a counter's run of '@', where and how wide it is. */
struct request {
  char *bytes;
  size_t length;
  size_t counter_at;
  size_t counter_width;
};

struct conn {
  int fd;
  /** This connection's own copy of its request (its counter is rewritten in place). */
  struct request request;
  unsigned long sends;
  size_t used;
  double sent;
  int busy;
  /** With an interval: when this connection sends next (0: it is not waiting to). */
  double next_send;
  char *buffer;
};

static struct sockaddr_in address;
static int expected_status;

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void die(const char *what) {
  perror(what);
  exit(2);
}

static int open_conn(int epoll) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) die("socket");
  if (connect(fd, (struct sockaddr *)&address, sizeof address) < 0) die("connect");
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  struct epoll_event event = {.events = EPOLLIN, .data.fd = fd};
  if (epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &event) < 0) die("epoll_ctl");
  return fd;
}

/** Writes `count` into the request's counter, when it has one: 1 up to 10^width - 1, then 1 again. */
static void write_counter(struct request *r, unsigned long count) {
  if (r->counter_width == 0) return;
  unsigned long limit = 1;
  for (size_t i = 0; i < r->counter_width && limit < 1000000000UL; i++) limit *= 10;
  unsigned long value = 1 + (count - 1) % (limit - 1);
  for (size_t i = r->counter_width; i-- > 0;) {
    r->bytes[r->counter_at + i] = value > 0 ? (char)('0' + value % 10) : ' ';
    value /= 10;
  }
}

static int send_request(struct conn *c) {
  struct request *r = &c->request;
  write_counter(r, ++c->sends);
  size_t done = 0;
  while (done < r->length) {
    ssize_t n = write(c->fd, r->bytes + done, r->length - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return -1;
    done += (size_t)n;
  }
  c->used = 0;
  c->busy = 1;
  c->sent = now_ms();
  return 0;
}

/** The value of header `name` (lower case) in the head [start, end), or NULL. */
static const char *header_value(const char *start, const char *end, const char *name) {
  size_t length = strlen(name);
  for (const char *line = start; line < end;) {
    const char *eol = memmem(line, (size_t)(end - line), "\r\n", 2);
    if (!eol) eol = end;
    if ((size_t)(eol - line) > length && line[length] == ':' && strncasecmp(line, name, length) == 0) {
      const char *value = line + length + 1;
      while (value < eol && *value == ' ') value++;
      return value;
    }
    line = eol + 2;
  }
  return NULL;
}

/**
 * The whole answer's length when `buffer` holds all of it, 0 when more is to come, -1 when it cannot
 * be read (framing this generator does not know).
 */
static long complete_length(const char *buffer, size_t used) {
  const char *head_end = memmem(buffer, used, "\r\n\r\n", 4);
  if (!head_end) return 0;
  size_t body = (size_t)(head_end - buffer) + 4;
  const char *length = header_value(buffer, head_end, "content-length");
  if (length) {
    size_t total = body + strtoul(length, NULL, 10);
    return used >= total ? (long)total : 0;
  }
  const char *encoding = header_value(buffer, head_end, "transfer-encoding");
  if (!encoding || strncasecmp(encoding, "chunked", 7) != 0) return -1;
  size_t at = body;
  for (;;) {
    const char *eol = memmem(buffer + at, used - at, "\r\n", 2);
    if (!eol) return 0;
    size_t chunk = strtoul(buffer + at, NULL, 16);
    at = (size_t)(eol - buffer) + 2 + chunk + 2;
    if (at > used) return 0;
    // The last chunk (no trailers: the server sends none) ends the answer.
    if (chunk == 0) return (long)at;
  }
}

/** A request file's bytes, and its body's counter (the first run of '@' after the head), if any. */
static struct request read_request(const char *name) {
  FILE *file = fopen(name, "rb");
  if (!file) die("request file");
  struct request r = {.bytes = malloc(REQUEST_BYTES)};
  r.length = fread(r.bytes, 1, REQUEST_BYTES, file);
  fclose(file);
  const char *head_end = memmem(r.bytes, r.length, "\r\n\r\n", 4);
  const char *at = head_end ? memchr(head_end + 4, '@', r.length - (size_t)(head_end + 4 - r.bytes)) : NULL;
  if (at) {
    r.counter_at = (size_t)(at - r.bytes);
    while (r.counter_at + r.counter_width < r.length && r.bytes[r.counter_at + r.counter_width] == '@') r.counter_width++;
  }
  return r;
}

static int status_of(const char *buffer) { return strncmp(buffer, "HTTP/1.1 ", 9) == 0 ? atoi(buffer + 9) : 0; }

/** `http-load serve PORT`: one epoll loop; each request's head (up to its blank line) gets one answer. */
static _Noreturn void serve(int port) {
  static const char answer[] = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{\"ok\":true}";
  int listener = socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in local = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  if (bind(listener, (struct sockaddr *)&local, sizeof local) < 0) die("bind");
  if (listen(listener, 1024) < 0) die("listen");
  int epoll = epoll_create1(0);
  struct epoll_event event = {.events = EPOLLIN, .data.fd = listener};
  epoll_ctl(epoll, EPOLL_CTL_ADD, listener, &event);
  // Per descriptor: how many bytes of "\r\n\r\n" the last read ended in the middle of.
  static int matched[65536];
  printf("listening\n");
  fflush(stdout);
  struct epoll_event events[256];
  char buffer[64 * 1024];
  for (;;) {
    int ready = epoll_wait(epoll, events, 256, -1);
    for (int e = 0; e < ready; e++) {
      int fd = events[e].data.fd;
      if (fd == listener) {
        int client = accept(listener, NULL, NULL);
        if (client < 0 || client >= 65536) continue;
        setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        matched[client] = 0;
        struct epoll_event in = {.events = EPOLLIN, .data.fd = client};
        epoll_ctl(epoll, EPOLL_CTL_ADD, client, &in);
        continue;
      }
      ssize_t n = read(fd, buffer, sizeof buffer);
      if (n <= 0) {
        close(fd);
        continue;
      }
      for (ssize_t i = 0; i < n; i++) {
        matched[fd] = buffer[i] == "\r\n\r\n"[matched[fd]] ? matched[fd] + 1 : (buffer[i] == '\r' ? 1 : 0);
        if (matched[fd] == 4) {
          matched[fd] = 0;
          if (write(fd, answer, sizeof answer - 1) < 0) break;
        }
      }
    }
  }
}

int main(int argc, char **argv) {
  if (argc == 3 && strcmp(argv[1], "serve") == 0) serve(atoi(argv[2]));
  if (argc != 8 && argc != 9) {
    fprintf(stderr, "usage: http-load HOST PORT CONNECTIONS WARMUP_MS MEASURE_MS EXPECTED_STATUS REQUEST_FILE [INTERVAL_MS]\n");
    return 2;
  }
  double interval_ms = argc == 9 ? atof(argv[8]) : 0;
  address.sin_family = AF_INET;
  address.sin_port = htons((uint16_t)atoi(argv[2]));
  if (inet_pton(AF_INET, argv[1], &address.sin_addr) != 1) die("inet_pton");
  int connections = atoi(argv[3]);
  double warmup_ms = atof(argv[4]), measure_ms = atof(argv[5]);
  expected_status = atoi(argv[6]);
  static struct request requests[MAX_REQUESTS];
  int request_count = 0;
  for (char *name = strtok(argv[7], ","); name; name = strtok(NULL, ",")) {
    if (request_count == MAX_REQUESTS) die("too many request files");
    requests[request_count++] = read_request(name);
  }
  if (request_count == 0) die("no request file");

  int epoll = epoll_create1(0);
  if (epoll < 0) die("epoll_create1");
  struct conn *conns = calloc((size_t)connections, sizeof *conns);
  // Indexed by file descriptor: every connection's descriptor is below this process's small limit.
  static struct conn *by_fd[65536];
  size_t capacity = 1 << 20, measured = 0;
  uint32_t *latencies = malloc(capacity * sizeof *latencies);
  long failures = 0;

  double started = now_ms();
  double measure_from = started + warmup_ms, stop_at = measure_from + measure_ms;
  for (int i = 0; i < connections; i++) {
    struct request *shared = &requests[i % request_count];
    conns[i].request = *shared;
    conns[i].request.bytes = malloc(shared->length);
    memcpy(conns[i].request.bytes, shared->bytes, shared->length);
    conns[i].buffer = malloc(BUFFER_BYTES);
    conns[i].fd = open_conn(epoll);
    by_fd[conns[i].fd] = &conns[i];
    if (send_request(&conns[i]) < 0) die("write");
  }
  // Connections with a request in flight or waiting for their interval to pass.
  int busy = connections;
  struct epoll_event events[256];
  while (busy > 0) {
    double soonest = 0;
    for (int i = 0; interval_ms > 0 && i < connections; i++)
      if (conns[i].next_send > 0 && (soonest == 0 || conns[i].next_send < soonest)) soonest = conns[i].next_send;
    int timeout = soonest > 0 ? (int)(soonest - now_ms() + 1) : 1000;
    int ready = epoll_wait(epoll, events, 256, timeout < 0 ? 0 : timeout);
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) die("epoll_wait");
    for (int i = 0; interval_ms > 0 && i < connections; i++) {
      if (conns[i].next_send == 0 || conns[i].next_send > now_ms()) continue;
      conns[i].next_send = 0;
      if (send_request(&conns[i]) < 0) die("write");
    }
    for (int e = 0; e < ready; e++) {
      struct conn *c = by_fd[events[e].data.fd];
      if (!c) continue;
      if (!c->busy) {
        // The server closed a connection with nothing in flight: let it go, or, when the connection
        // waits for its interval to pass, open it again for its next request.
        close(c->fd);
        by_fd[c->fd] = NULL;
        if (c->next_send > 0) {
          c->fd = open_conn(epoll);
          by_fd[c->fd] = c;
        }
        continue;
      }
      ssize_t n = read(c->fd, c->buffer + c->used, BUFFER_BYTES - c->used);
      if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      long total = n > 0 ? complete_length(c->buffer, c->used + (size_t)n) : -1;
      if (n > 0) c->used += (size_t)n;
      if (total == 0 && c->used < BUFFER_BYTES) continue;
      double at = now_ms();
      int ok = total > 0 && (size_t)total == c->used && status_of(c->buffer) == expected_status;
      if (c->sent >= measure_from) {
        if (measured == capacity) latencies = realloc(latencies, (capacity *= 2) * sizeof *latencies);
        latencies[measured++] = (uint32_t)((at - c->sent) * 1000);
        if (!ok) failures++;
      }
      c->busy = 0;
      busy--;
      double sent = c->sent;
      if (total <= 0 || (size_t)total != c->used) {
        // Closed, unreadable or more than one answer: start this connection over.
        close(c->fd);
        by_fd[c->fd] = NULL;
        c->fd = open_conn(epoll);
        by_fd[c->fd] = c;
      }
      if (interval_ms > 0 && sent + interval_ms < stop_at) {
        // Sent by the loop above once the interval since the last request has passed.
        c->next_send = sent + interval_ms > at ? sent + interval_ms : at;
        busy++;
      } else if (interval_ms == 0 && at < stop_at) {
        if (send_request(c) < 0) die("write");
        busy++;
      }
    }
  }
  double seconds = (now_ms() - measure_from) / 1000;
  printf("requests %zu seconds %.3f failures %ld\n", measured, seconds, failures);
  for (size_t i = 0; i < measured; i++) printf("%u\n", latencies[i]);
  return 0;
}
