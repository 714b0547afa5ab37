// floor: the kernel's share of a delivery, measured rather than asserted. It does the least any
// server must do to deliver a message: one write of the same prebuilt bytes (about the WebSocket
// frame of a 100-byte chat message) per socket per message, on plain blocking TCP sockets with
// TCP_NODELAY, as servers set it. No protocol work, no Socket.IO, no Asio, no allocation in the
// loop. On loopback the sender's `send` also runs the receiving client's TCP stack (softirq in the
// sender's context), so the sender's CPU time is the floor a server's CPU per delivery can approach
// on this machine, and the burst's time to the last client is the floor of bench/run.sh's broadcast.
//
// Two processes, because one cannot hold both ends of 19,800 connections under a 20,000-file limit:
// the parent listens and forks; the child (the reader) connects the client ends and reads them all
// through epoll; the parent (the sender) accepts the server ends and writes. They talk over two
// pipes: the sender asks "tell me when round k has fully arrived", the reader answers with the
// CLOCK_MONOTONIC time (system-wide, so comparable) it read the round's last byte, and its own CPU.
//
//   floor rate --clients 1000 --rate 50 --messages 1500   → {"scenario":"floor-rate",…}
//   floor burst --clients 19800 --rounds 3                → {"scenario":"floor-burst",…}
#include <CLI/CLI.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

int64_t now_ns() {
  timespec t{};
  clock_gettime(CLOCK_MONOTONIC, &t);
  return int64_t{t.tv_sec} * 1'000'000'000 + t.tv_nsec;
}

double self_cpu_s() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (const char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += (static_cast<unsigned char>(c) < 0x20) ? ' ' : c;
  }
  return out + "\"";
}

// The reader's answer: one write under PIPE_BUF, so it arrives whole.
struct report {
  uint64_t rounds = 0;   // rounds complete (every socket has its bytes of them)
  int64_t last_ns = 0;   // when the last of them completed
  double cpu_s = 0;      // the reader's CPU time so far
  char error[200] = {};  // set when the reader failed
};

bool write_all(int fd, const void* data, size_t n) { return write(fd, data, n) == static_cast<ssize_t>(n); }

void pin(int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  if (sched_setaffinity(0, sizeof set, &set) != 0)
    throw std::runtime_error("sched_setaffinity: " + std::string(strerror(errno)));
}

void set_nodelay(int fd) {
  const int one = 1;
  if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) != 0) throw std::runtime_error("TCP_NODELAY");
}

// The child: connects the clients, then reads until the request pipe closes. Never returns.
[[noreturn]] void reader(const sockaddr_in& server, size_t clients, size_t sources, size_t bytes_per_round, int cpu,
                         int requests, int reports) {
  report r;
  try {
    pin(cpu);
    const int ep = epoll_create1(0);
    for (size_t i = 0; i < clients; ++i) {
      const int fd = socket(AF_INET, SOCK_STREAM, 0);
      if (fd < 0) throw std::runtime_error("socket: " + std::string(strerror(errno)));
      // Like the generator's --source-addresses: the port is picked per 4-tuple at connect time
      // (IP_BIND_ADDRESS_NO_PORT), so each source address has a whole port range.
      const int one = 1;
      setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
      sockaddr_in source{};
      source.sin_family = AF_INET;
      source.sin_addr.s_addr = htonl(INADDR_LOOPBACK + static_cast<uint32_t>(i % sources));
      if (bind(fd, reinterpret_cast<const sockaddr*>(&source), sizeof source) != 0 ||
          connect(fd, reinterpret_cast<const sockaddr*>(&server), sizeof server) != 0) {
        throw std::runtime_error("client " + std::to_string(i) + ": bind/connect: " + strerror(errno));
      }
      set_nodelay(fd);
      epoll_event ev{.events = EPOLLIN, .data = {.fd = fd}};
      epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
    }
    epoll_event ev{.events = EPOLLIN, .data = {.fd = requests}};
    epoll_ctl(ep, EPOLL_CTL_ADD, requests, &ev);
    write_all(reports, &r, sizeof r);  // ready: the sender may start

    std::vector<char> buffer(1 << 16);
    std::vector<epoll_event> events(1024);
    uint64_t total = 0, wanted = 0;  // wanted: the round the sender waits for (0: none)
    for (;;) {
      const int n = epoll_wait(ep, events.data(), static_cast<int>(events.size()), -1);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) throw std::runtime_error("epoll_wait: " + std::string(strerror(errno)));
      for (int e = 0; e < n; ++e) {
        const int fd = events[e].data.fd;
        if (fd == requests) {
          if (read(requests, &wanted, sizeof wanted) != sizeof wanted) _exit(0);  // sender done
          continue;
        }
        const ssize_t got = recv(fd, buffer.data(), buffer.size(), MSG_DONTWAIT);
        if (got > 0) {
          const uint64_t before = total / bytes_per_round;
          total += static_cast<uint64_t>(got);
          if (total / bytes_per_round != before) r.last_ns = now_ns();
        } else if (got == 0 || (errno != EAGAIN && errno != EINTR)) {
          epoll_ctl(ep, EPOLL_CTL_DEL, fd, nullptr);  // the sender closed: shutting down
        }
      }
      r.rounds = total / bytes_per_round;
      if (wanted != 0 && r.rounds >= wanted) {
        r.cpu_s = self_cpu_s();
        write_all(reports, &r, sizeof r);
        wanted = 0;
      }
    }
  } catch (const std::exception& e) {
    snprintf(r.error, sizeof r.error, "reader: %s", e.what());
    write_all(reports, &r, sizeof r);
    _exit(1);
  }
}

// The parent's side of the pipes: ask for round k, wait (bounded) for the answer.
struct reader_link {
  pid_t pid = -1;
  int requests = -1, reports = -1;

  report wait_report(int timeout_ms, const char* what) {
    pollfd p{.fd = reports, .events = POLLIN, .revents = 0};
    report r;
    if (poll(&p, 1, timeout_ms) != 1) throw std::runtime_error(std::string("timed out waiting for ") + what);
    if (read(reports, &r, sizeof r) != sizeof r) throw std::runtime_error("the reader exited");
    if (r.error[0] != '\0') throw std::runtime_error(r.error);
    return r;
  }
  report round_done(uint64_t round, const char* what) {
    if (!write_all(requests, &round, sizeof round)) throw std::runtime_error("the reader exited");
    return wait_report(10'000, what);
  }
  // Closing the request pipe tells the reader to exit; wait for it (bounded, unless we failed), reap it.
  void stop(bool graceful) {
    if (pid <= 0) return;
    close(requests);
    for (int i = 0; graceful && i < 500; ++i) {
      if (waitpid(pid, nullptr, WNOHANG) == pid) return void(pid = -1);
      usleep(10'000);
    }
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
    pid = -1;
  }
};

struct settings {
  std::string mode;
  size_t clients = 1000, messages = 1500, rounds = 3, size = 130, sources = 4, warm_up = 20;
  double rate = 50;
  int sender_cpu = 0, reader_cpu = 1;
};

void send_round(const std::vector<int>& sockets, const std::string& payload) {
  for (const int fd : sockets) {
    const ssize_t sent = send(fd, payload.data(), payload.size(), MSG_NOSIGNAL);
    if (sent != static_cast<ssize_t>(payload.size())) {
      throw std::runtime_error("send: " + std::string(sent < 0 ? strerror(errno) : "short write"));
    }
  }
}

std::string run(const settings& s, reader_link& link) {
  rlimit files{};
  getrlimit(RLIMIT_NOFILE, &files);
  files.rlim_cur = files.rlim_max;
  setrlimit(RLIMIT_NOFILE, &files);
  if (s.clients + 64 > files.rlim_cur) throw std::runtime_error("--clients exceeds the open-file limit");

  const int listener = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{.sin_family = AF_INET, .sin_port = 0, .sin_addr = {htonl(INADDR_LOOPBACK)}, .sin_zero = {}};
  socklen_t length = sizeof address;
  if (listener < 0 || bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      listen(listener, SOMAXCONN) != 0 || getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    throw std::runtime_error("listen on 127.0.0.1: " + std::string(strerror(errno)));
  }
  int requests[2], reports[2];
  if (pipe(requests) != 0 || pipe(reports) != 0) throw std::runtime_error("pipe");
  const size_t bytes_per_round = s.clients * s.size;
  link.pid = fork();
  if (link.pid < 0) throw std::runtime_error("fork: " + std::string(strerror(errno)));
  if (link.pid == 0) {
    close(listener);
    close(requests[1]);
    close(reports[0]);
    reader(address, s.clients, s.sources, bytes_per_round, s.reader_cpu, requests[0], reports[1]);
  }
  close(requests[0]);
  close(reports[1]);
  link.requests = requests[1];
  link.reports = reports[0];
  pin(s.sender_cpu);

  // Accept the server ends in whatever order they come; a reader failing meanwhile says so.
  std::vector<int> sockets;
  bool ready = false;  // the reader's first report: all connected, reading
  const int64_t accept_deadline = now_ns() + 120'000'000'000;
  while (sockets.size() < s.clients) {
    pollfd p[2] = {{listener, POLLIN, 0}, {link.reports, POLLIN, 0}};
    if (poll(p, 2, 1000) < 0 && errno != EINTR) throw std::runtime_error("poll: " + std::string(strerror(errno)));
    if (p[1].revents != 0 && !ready) ready = (link.wait_report(0, "the reader"), true);  // or throws its error
    if (p[0].revents != 0) {
      const int fd = accept(listener, nullptr, nullptr);
      if (fd < 0) throw std::runtime_error("accept: " + std::string(strerror(errno)));
      set_nodelay(fd);
      sockets.push_back(fd);
    }
    if (now_ns() > accept_deadline) throw std::runtime_error("set-up: timed out accepting the clients");
  }
  close(listener);
  if (!ready) link.wait_report(120'000, "the reader to connect");

  const std::string payload(s.size, 'x');
  char out[4096];
  if (s.mode == "rate") {
    // One message every 1/rate s on an absolute schedule: a late message does not shift the rest.
    const auto paced = [&](size_t count) {
      const int64_t start = now_ns() + 1'000'000, period = static_cast<int64_t>(1e9 / s.rate);
      for (size_t m = 0; m < count; ++m) {
        const int64_t at = start + static_cast<int64_t>(m) * period;
        const timespec t{.tv_sec = at / 1'000'000'000, .tv_nsec = at % 1'000'000'000};
        while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &t, nullptr) == EINTR) {
        }
        send_round(sockets, payload);
      }
      return start;
    };
    paced(s.warm_up);  // first use of every socket's buffers and the code paths, not measured
    const report warm = link.round_done(s.warm_up, "the warm-up to arrive");
    const double cpu_start = self_cpu_s();
    const int64_t start = paced(s.messages);
    const report end = link.round_done(s.warm_up + s.messages, "every message to arrive");
    const double cpu = self_cpu_s() - cpu_start;
    const double deliveries = static_cast<double>(s.clients * s.messages);
    snprintf(
        out, sizeof out,
        R"({"scenario":"floor-rate","clients":%zu,"messages":%zu,"warm_up":%zu,"rate":%g,"size":%zu,"deliveries":%.0f,)"
        R"("server_cpu_s":%.6f,"server_cpu_s_per_million":%.6f,"wall_s":%.3f,"reader_cpu_s":%.6f,"ok":true})",
        s.clients, s.messages, s.warm_up, s.rate, s.size, deliveries, cpu, cpu * 1e6 / deliveries,
        static_cast<double>(end.last_ns - start) / 1e9, end.cpu_s - warm.cpu_s);
    return out;
  }
  // burst: all sockets at once, then the time until the reader has the last byte of the round.
  std::vector<double> last_ms;
  const double cpu_start = self_cpu_s();
  for (size_t round = 1; round <= s.rounds; ++round) {
    const int64_t start = now_ns();
    send_round(sockets, payload);
    last_ms.push_back(static_cast<double>(link.round_done(round, "a round to arrive").last_ns - start) / 1e6);
    if (round < s.rounds) usleep(200'000);
  }
  const double cpu = self_cpu_s() - cpu_start;
  std::string list;
  for (const double ms : last_ms) list += (list.empty() ? "" : ",") + std::to_string(ms);
  std::vector<double> sorted = last_ms;
  std::sort(sorted.begin(), sorted.end());
  snprintf(out, sizeof out,
           R"({"scenario":"floor-burst","clients":%zu,"rounds":%zu,"size":%zu,"last_ms":[%s],"last_ms_median":%.3f,)"
           R"("server_cpu_s":%.6f,"ok":true})",
           s.clients, s.rounds, s.size, list.c_str(), sorted[sorted.size() / 2], cpu);
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  settings s;
  CLI::App app{"floor: one write per socket per message on loopback TCP, the kernel floor; prints one JSON line"};
  app.add_option("mode", s.mode, "rate | burst")->required()->check(CLI::IsMember({"rate", "burst"}));
  app.add_option("--clients", s.clients, "connections")->check(CLI::Range(1, 1'000'000));
  app.add_option("--rate", s.rate, "rate: messages per second")->check(CLI::Range(0.1, 100'000.0));
  app.add_option("--messages", s.messages, "rate: measured messages")->check(CLI::Range(1, 100'000'000));
  app.add_option("--warm-up", s.warm_up, "rate: messages before the measurement")->check(CLI::Range(1, 100'000));
  app.add_option("--rounds", s.rounds, "burst: rounds")->check(CLI::Range(1, 1000));
  app.add_option("--size", s.size, "bytes written per socket per message")->check(CLI::Range(1, 65'536));
  app.add_option("--source-addresses", s.sources, "clients spread over 127.0.0.1 … 127.0.0.N")
      ->check(CLI::Range(1, 254));
  app.add_option("--sender-cpu", s.sender_cpu, "CPU the sender is pinned to")->check(CLI::NonNegativeNumber);
  app.add_option("--reader-cpu", s.reader_cpu, "CPU the reader is pinned to")->check(CLI::NonNegativeNumber);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help
    std::printf("{\"ok\":false,\"error\":%s}\n", json_string(e.what()).c_str());
    return 2;
  }

  signal(SIGPIPE, SIG_IGN);  // a reader gone makes the pipe writes fail (EPIPE), reported as such
  reader_link link;
  try {
    const std::string line = run(s, link);
    link.stop(true);
    std::puts(line.c_str());
    return 0;
  } catch (const std::exception& e) {
    link.stop(false);
    std::printf("{\"ok\":false,\"error\":%s}\n", json_string(e.what()).c_str());
    return 1;
  }
}
