// Failing and completing queued writes. See writes.h.
#include "gateway/store/sqlite/writes.h"

#include <utility>

namespace sixlink::store::sqlite {
namespace {

template <class... Fs>
struct Overloaded : Fs... {
  using Fs::operator()...;
};
template <class... Fs>
Overloaded(Fs...) -> Overloaded<Fs...>;

}  // namespace

void mark_failed(Write& write, const std::string& error) noexcept {
  std::visit(Overloaded{
                 [&](IngestWrite& w) {
                   w.result = IngestResult{};
                   w.result.status = IngestStatus::failed;
                   try {
                     w.result.error = error;
                   } catch (...) {  // out of memory: fail without the reason
                   }
                 },
                 [](OutcomesWrite& w) { w.ok = false; },
                 [](AckWrite& w) {
                   w.ok = false;
                   w.acked = 0;
                 },
                 [](ReplayWrite& w) {
                   w.outcome = ReplayOutcome::failed;
                   w.member.clear();
                 },
                 [](ProbeWrite& w) { w.ok = false; },
             },
             write);
}

void complete(Write& write) noexcept {
  try {
    std::visit(Overloaded{
                   [](IngestWrite& w) {
                     if (w.done) w.done(std::move(w.result));
                   },
                   [](OutcomesWrite& w) {
                     if (w.done) w.done(w.ok);
                   },
                   [](AckWrite& w) {
                     if (w.done) w.done(w.ok, w.acked);
                   },
                   [](ReplayWrite& w) {
                     if (w.done) w.done(w.outcome, std::move(w.member));
                   },
                   [](ProbeWrite& w) {
                     if (w.done) w.done(w.ok);
                   },
               },
               write);
  } catch (...) {
    // The caller's completion failed; the write itself is committed. Nothing to undo.
  }
}

}  // namespace sixlink::store::sqlite
