// The writes the SQLite store queues to its single writer: one struct per Store write
// operation, holding its input, its completion and the result the writer fills in.
// A queued write is a std::variant, so queueing one moves it rather than allocating.
// What each write does to the database is in write_applier.cpp; the queue and the
// transactions are in group_commit_writer.cpp.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <variant>
#include <vector>

#include "gateway/store/store.h"

namespace sixlink::store::sqlite {

struct IngestWrite {
  IngestRecord record;
  std::function<void(IngestResult)> done;
  IngestResult result;
  // The 202 body if it is accepted (WriteApplier::accepted_response), built by the thread
  // that queues the write so the writer does not; empty: the writer builds it.
  std::string response = {};
};

struct OutcomesWrite {
  std::vector<DeliveryOutcome> outcomes;
  std::function<void(bool ok)> done;
  bool ok = false;
};

struct AckWrite {
  std::string member;
  int64_t through_seq = 0;
  std::function<void(bool ok, int64_t acked)> done;
  bool ok = false;
  int64_t acked = 0;
};

struct ReplayWrite {
  int64_t seq = 0;
  std::function<void(ReplayOutcome, std::string member)> done;
  ReplayOutcome outcome = ReplayOutcome::not_found;
  std::string member;
};

// The readiness probe: rewrites one row, so success means a commit reached the disk.
struct ProbeWrite {
  std::function<void(bool ok)> done;
  bool ok = false;
};

using Write = std::variant<IngestWrite, OutcomesWrite, AckWrite, ReplayWrite, ProbeWrite>;

// Turns the write's result into a failure: its savepoint was rolled back, its
// transaction did not commit, or the store is closed.
void mark_failed(Write& write, const std::string& error) noexcept;

// Hands the write's result to its `done` (once). An exception thrown by `done` is
// swallowed: it must not take the writer down with it.
void complete(Write& write) noexcept;

}  // namespace sixlink::store::sqlite
