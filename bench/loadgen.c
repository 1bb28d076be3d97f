// The new-flow load generator of the dataplane bench (bench/new-flows.ts compiles it with gcc at
// bench time). C rather than iperf3 or Node because both workloads need more flows per second than
// either makes: iperf3 opens one connection per test, and a Node socket costs tens of microseconds of
// JavaScript per connection, which would be the bottleneck instead of the dataplane.
//
//   loadgen acceptor PORT
//     accept() and close() at once, forever: the server closes first, so TIME_WAIT stays on the
//     server and the client never runs out of ports.
//   loadgen conn DST PORT SECONDS CONCURRENCY SRC_BASE SRC_COUNT
//     keeps CONCURRENCY non-blocking connects in flight from SRC_COUNT local addresses starting at
//     SRC_BASE (ports picked by the kernel at connect: IP_BIND_ADDRESS_NO_PORT); a connection counts
//     when the handshake finished and the server's FIN arrived, then the client closes. Prints
//     "connections N seconds S failed F".
//   loadgen udp DST PORT SECONDS SRC_BASE SRC_COUNT START
//     64-byte UDP payloads through a raw socket (IP_HDRINCL) in batches of sendmmsg, each datagram
//     from a source (address, port) pair not used before in the run: the port rotates over
//     1024..65535 and the address over SRC_COUNT addresses; START skips that many pairs, so runs
//     after this one stay new flows for every conntrack. Prints "sent N seconds S".
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#ifndef IP_BIND_ADDRESS_NO_PORT
#define IP_BIND_ADDRESS_NO_PORT 24
#endif

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what) {
  perror(what);
  exit(1);
}

static _Noreturn void acceptor(int port) {
  int l = socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = INADDR_ANY};
  if (bind(l, (struct sockaddr *)&a, sizeof a) < 0) die("bind");
  if (listen(l, 4096) < 0) die("listen");
  printf("listening\n");
  fflush(stdout);
  for (;;) {
    int c = accept(l, NULL, NULL);
    if (c >= 0) close(c);
  }
}

static int open_conn(int ep, struct sockaddr_in *dst, uint32_t src) {
  int s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  if (s < 0) die("socket");
  int one = 1;
  setsockopt(s, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
  struct sockaddr_in b = {.sin_family = AF_INET, .sin_port = 0, .sin_addr.s_addr = htonl(src)};
  if (bind(s, (struct sockaddr *)&b, sizeof b) < 0) die("bind source");
  if (connect(s, (struct sockaddr *)dst, sizeof *dst) < 0 && errno != EINPROGRESS) {
    close(s);
    return -1;
  }
  struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP | EPOLLERR | EPOLLHUP, .data.fd = s};
  epoll_ctl(ep, EPOLL_CTL_ADD, s, &ev);
  return s;
}

static int conn(const char *dst_ip, int port, double seconds, int concurrency, uint32_t src_base, uint32_t src_count) {
  struct sockaddr_in dst = {.sin_family = AF_INET, .sin_port = htons(port)};
  inet_pton(AF_INET, dst_ip, &dst.sin_addr);
  int ep = epoll_create1(0);
  uint64_t next = 0, done = 0, failed = 0;
  for (int i = 0; i < concurrency; i++) {
    if (open_conn(ep, &dst, src_base + (uint32_t)(next++ % src_count)) < 0) failed++;
  }
  double start = now(), end = start + seconds;
  struct epoll_event evs[256];
  char buf[64];
  for (;;) {
    double t = now();
    if (t >= end) break;
    int n = epoll_wait(ep, evs, 256, 100);
    for (int i = 0; i < n; i++) {
      int s = evs[i].data.fd;
      int err = 0;
      socklen_t len = sizeof err;
      getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &len);
      // the server's FIN (read returns 0) ends a completed connection; an error is a failed one
      ssize_t r = err ? -1 : read(s, buf, sizeof buf);
      if (r < 0 && !err && errno == EAGAIN) continue;
      if (r == 0) done++;
      else failed++;
      close(s);
      if (open_conn(ep, &dst, src_base + (uint32_t)(next++ % src_count)) < 0) failed++;
    }
  }
  printf("connections %llu seconds %.4f failed %llu\n", (unsigned long long)done, now() - start, (unsigned long long)failed);
  return 0;
}

#define BATCH 64
#define PKT_LEN (sizeof(struct iphdr) + sizeof(struct udphdr) + 64)
#define PORTS (65536 - 1024)

static int udp(const char *dst_ip, int port, double seconds, uint32_t src_base, uint32_t src_count, uint64_t start_at) {
  int s = socket(AF_INET, SOCK_RAW, IPPROTO_RAW); // IPPROTO_RAW implies IP_HDRINCL
  if (s < 0) die("raw socket");
  struct sockaddr_in dst = {.sin_family = AF_INET};
  inet_pton(AF_INET, dst_ip, &dst.sin_addr);
  static unsigned char pkts[BATCH][PKT_LEN];
  struct iovec iov[BATCH];
  struct mmsghdr msgs[BATCH];
  memset(pkts, 0, sizeof pkts);
  for (int i = 0; i < BATCH; i++) {
    struct iphdr *ip = (struct iphdr *)pkts[i];
    ip->version = 4;
    ip->ihl = 5;
    ip->ttl = 64;
    ip->protocol = IPPROTO_UDP;
    ip->tot_len = htons(PKT_LEN);
    ip->daddr = dst.sin_addr.s_addr;
    struct udphdr *u = (struct udphdr *)(ip + 1);
    u->dest = htons(port);
    u->len = htons(sizeof(struct udphdr) + 64);
    u->check = 0; // optional over IPv4
    iov[i] = (struct iovec){.iov_base = pkts[i], .iov_len = PKT_LEN};
    msgs[i] = (struct mmsghdr){.msg_hdr = {.msg_name = &dst, .msg_namelen = sizeof dst, .msg_iov = &iov[i], .msg_iovlen = 1}};
  }
  uint64_t k = start_at, sent = 0;
  double t0 = now(), end = t0 + seconds;
  while (now() < end) {
    for (int i = 0; i < BATCH; i++, k++) {
      struct iphdr *ip = (struct iphdr *)pkts[i];
      ip->saddr = htonl(src_base + (uint32_t)((k / PORTS) % src_count));
      ip->id = htons((uint16_t)k);
      ((struct udphdr *)(ip + 1))->source = htons((uint16_t)(1024 + k % PORTS));
    }
    int n = sendmmsg(s, msgs, BATCH, 0);
    if (n > 0) sent += (uint64_t)n;
    else if (errno != ENOBUFS && errno != EAGAIN) die("sendmmsg");
  }
  printf("sent %llu seconds %.4f\n", (unsigned long long)sent, now() - t0);
  return 0;
}

static uint32_t ip_of(const char *text) {
  struct in_addr a;
  if (inet_pton(AF_INET, text, &a) != 1) {
    fprintf(stderr, "bad address %s\n", text);
    exit(2);
  }
  return ntohl(a.s_addr);
}

int main(int argc, char **argv) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  if (argc == 3 && !strcmp(argv[1], "acceptor")) acceptor(atoi(argv[2]));
  if (argc == 8 && !strcmp(argv[1], "conn")) return conn(argv[2], atoi(argv[3]), atof(argv[4]), atoi(argv[5]), ip_of(argv[6]), (uint32_t)atoi(argv[7]));
  if (argc == 8 && !strcmp(argv[1], "udp"))
    return udp(argv[2], atoi(argv[3]), atof(argv[4]), ip_of(argv[5]), (uint32_t)atoi(argv[6]), strtoull(argv[7], NULL, 10));
  fprintf(stderr, "usage: loadgen acceptor PORT | conn DST PORT SECONDS CONCURRENCY SRC_BASE SRC_COUNT | udp DST PORT SECONDS SRC_BASE SRC_COUNT START\n");
  return 2;
}
