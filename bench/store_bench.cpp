// The store's writer alone, without TLS, HTTP or the partner API: how many ingests a
// second the group-commit writer takes, and its CPU per message, with N writes kept
// outstanding (as N keep-alive clients would). Each completion submits the next write
// from the writer thread, so the queue never runs dry. Records look like the ones
// bench/run's (c) makes: a ~400-byte canonical bulletin from `bench` to one pull member.
// See bench/README.md, section "store".
//
//   sixlink-bench-store [--outstanding N] [--seconds S] [--file PATH] [--normal] [--keep]
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <string>

#include "bench/common/cpu_time.h"
#include "gateway/store/store.h"

namespace {

using Clock = std::chrono::steady_clock;
using sixlink::store::IngestRecord;
using sixlink::store::IngestResult;
using sixlink::store::IngestStatus;

IngestRecord make_record(uint64_t n) {
  IngestRecord r;
  r.source = "bench";
  r.id = "s-" + std::to_string(n);
  r.link = "info_sharing";
  r.kind = "bulletin";
  r.classification = "internal";
  r.envelope_json = "{\"id\":\"" + r.id +
                    "\",\"source\":\"bench\",\"link\":\"info_sharing\",\"kind\":\"bulletin\","
                    "\"created_at\":\"2026-04-12T09:30:00+08:00\",\"classification\":"
                    "\"internal\",\"region_codes\":[\"320585\"],\"body\":{\"title\":"
                    "\"benchmark bulletin\",\"bench_t\":" +
                    std::to_string(n) + ",\"text\":\"" + std::string(256, 'x') + "\"}}";
  char hash[65];
  std::snprintf(hash, sizeof(hash), "%064llx", static_cast<unsigned long long>(n * 2654435761u));
  r.body_hash = hash;
  r.recipients.push_back({"sink", sixlink::DeliveryMode::pull, {}});
  r.audit = {"bench", "message.accepted", "bench/" + r.id,
             "{\"link\":\"info_sharing\",\"kind\":\"bulletin\",\"classification\":\"internal\","
             "\"adapter\":\"canonical\",\"recipients\":[\"sink\"]}"};
  r.accepted_at_ms = static_cast<int64_t>(n);
  return r;
}

struct Run {
  sixlink::store::Store* store = nullptr;
  Clock::time_point until;
  std::atomic<uint64_t> next{0}, accepted{0}, failed{0};
  std::mutex mutex;
  std::condition_variable idle;
  int outstanding = 0;  // guarded by mutex

  void submit() {
    store->ingest(make_record(next.fetch_add(1)), [this](IngestResult r) {
      (r.status == IngestStatus::accepted ? accepted : failed).fetch_add(1);
      if (Clock::now() < until) return submit();
      std::lock_guard lock(mutex);
      if (--outstanding == 0) idle.notify_all();
    });
  }
};

}  // namespace

int main(int argc, char** argv) {
  int outstanding = 32;
  double seconds = 5;
  std::string file = (std::filesystem::temp_directory_path() / "sixlink-bench-store.db").string();
  bool keep = false;
  auto durability = sixlink::Durability::full;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    bool has_value = i + 1 < argc;
    if (arg == "--outstanding" && has_value) {
      outstanding = std::atoi(argv[++i]);
    } else if (arg == "--seconds" && has_value) {
      seconds = std::atof(argv[++i]);
    } else if (arg == "--file" && has_value) {
      file = argv[++i];
    } else if (arg == "--normal") {
      durability = sixlink::Durability::normal;
    } else if (arg == "--keep") {
      keep = true;
    } else {
      std::fprintf(stderr,
                   "usage: %s [--outstanding N] [--seconds S] [--file PATH] [--normal] [--keep]\n",
                   argv[0]);
      return 2;
    }
  }
  if (outstanding < 1 || !(seconds > 0)) {
    std::fprintf(stderr, "--outstanding must be at least 1 and --seconds above 0\n");
    return 2;
  }
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(file + suffix);

  std::atomic<uint64_t> commits{0};
  std::atomic<uint64_t> commit_us{0};
  sixlink::store::StoreOptions options;
  options.path = file;
  options.durability = durability;
  options.on_commit = [&](double took, std::size_t) {
    commits.fetch_add(1);
    commit_us.fetch_add(static_cast<uint64_t>(took * 1e6));
  };
  std::string error;
  auto store = sixlink::store::open_sqlite_store(options, &error);
  if (!store) {
    std::fprintf(stderr, "cannot open %s: %s\n", file.c_str(), error.c_str());
    return 1;
  }
  Run run;
  run.store = store.get();
  const double cpu_before = sixlink::bench::process_cpu_seconds();
  const auto started = Clock::now();
  run.until =
      started + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  run.outstanding = outstanding;
  for (int i = 0; i < outstanding; ++i) run.submit();
  {
    std::unique_lock lock(run.mutex);
    run.idle.wait(lock, [&] { return run.outstanding == 0; });
  }
  const double wall = std::chrono::duration<double>(Clock::now() - started).count();
  const double cpu = sixlink::bench::process_cpu_seconds() - cpu_before;
  store->close();
  const double accepted = static_cast<double>(run.accepted.load());
  const double n = std::max(1.0, accepted);  // per-message figures of an empty run: not inf
  const double batches = std::max(1.0, static_cast<double>(commits.load()));
  std::printf(
      "{\"outstanding\":%d,\"durability\":\"%s\",\"accepted\":%.0f,\"failed\":%llu,"
      "\"per_s\":%.0f,\"cpu_us_per_msg\":%.1f,\"wall_us_per_msg\":%.1f,\"commits\":%llu,"
      "\"msgs_per_commit\":%.1f,\"commit_ms\":%.3f}\n",
      outstanding, durability == sixlink::Durability::full ? "full" : "normal", accepted,
      static_cast<unsigned long long>(run.failed.load()), accepted / wall, cpu * 1e6 / n,
      wall * 1e6 / n, static_cast<unsigned long long>(commits.load()), accepted / batches,
      static_cast<double>(commit_us.load()) / 1e3 / batches);
  if (!keep) {
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(file + suffix);
  }
  return run.failed.load() == 0 ? 0 : 1;
}
