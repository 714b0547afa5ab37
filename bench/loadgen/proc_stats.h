#pragma once
// What the generator reads about processes: a server's CPU time and RSS from /proc (the figures
// least disturbed by a noisy machine), its own CPU time from getrusage, and the open-file limit.
#include <sys/types.h>
#include <cstdint>
#include <optional>

namespace switchboard::bench {

// utime + stime of every thread of `pid`, in seconds (/proc/PID/stat fields 14 and 15).
std::optional<double> process_cpu_seconds(pid_t pid);
// VmRSS of `pid` in KiB (/proc/PID/status).
std::optional<int64_t> process_rss_kib(pid_t pid);
// This process's user + system CPU time in seconds, all threads.
double self_cpu_seconds();
// This process's peak RSS in KiB.
int64_t self_max_rss_kib();
// Raises RLIMIT_NOFILE's soft limit to the hard limit; returns the new soft limit.
uint64_t raise_file_limit();

}  // namespace switchboard::bench
