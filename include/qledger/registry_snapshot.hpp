// The registry — entities, food production licences, special equipment — folded as it stood at
// one tree size, and signed snapshots of it kept in the ledger file (schema/0004) so that a
// report reads the registry events written since the snapshot instead of all of them.
//
// A snapshot is a cache: the state it holds is exactly what folding the raw events ≤ its size
// gives (record_state.hpp), a report re-folds every record with an event after it, and one that
// fails its checks (signature by the ledger's key over size, root hash and body digest; the
// root at that size in this file) is ignored. Reports are therefore the same with or without
// snapshots, byte for byte; only their cost differs. docs/figures.md "Registry snapshots".
#pragma once

#include "qledger/hash.hpp"
#include "qledger/ledger.hpp"
#include "qledger/record_state.hpp"
#include "qledger/signing_key.hpp"

#include <SQLiteCpp/Database.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace qledger {

// An equipment unit with what "registered and in use on a day" needs.
struct EquipmentUnit {
  struct StatusChange {
    CivilDate effective_on;
    bool in_use = false;
  };
  EquipmentState state;
  std::optional<CivilDate> registered_on;  // of the effective registration, when it parses
  std::vector<StatusChange> changes;       // effective changes with a date, in seq order

  // Registered on or before `day`, and the latest change effective on or before it (ties: the
  // later event) says in use; no such change: in use.
  bool in_use_on(CivilDate day) const;
};

// What the figures need of the registry. Entity names and addresses and equipment registration
// numbers are not kept (no figure uses them), so snapshots stay small.
struct RegistryState {
  std::map<std::string, EntityState> entities;     // by record key (the credit code)
  std::map<std::string, LicenceState> licences;    // by licence number
  std::map<std::string, EquipmentUnit> equipment;  // by equipment code

  // Folds one record ("entity", "licence" or "equipment") from its whole history and puts the
  // result in place of what was there (removing it if nothing counts any more). Pass the history
  // as an rvalue when it is not needed afterwards: its events are then moved, not copied.
  void refold(const std::string& record_type, RecordHistory history);

  friend bool operator==(const RegistryState&, const RegistryState&);
};

// The body: a line-oriented text holding every field reports use (see docs/figures.md). Its
// first line names the version; it must change whenever the layout OR what the folds compute
// changes, so that snapshots written by an older release are ignored rather than trusted.
std::string encode_registry(const RegistryState& registry);
// nullopt if `body` is not exactly what encode_registry writes.
std::optional<RegistryState> decode_registry(std::string_view body);

// The bytes signed: "qledger registry snapshot v1\n<size>\n<root hex>\n<sha256(body) hex>\n".
std::string registry_snapshot_message(std::uint64_t size, const Hash& root, std::string_view body);

// Folds the whole registry from the raw events ≤ size (every record, no snapshot).
RegistryState fold_registry(SQLite::Database& db, std::uint64_t size);

// The registry at `size` from the newest snapshot at or below it (of the three newest) that
// `key` signed and whose root matches this file, plus every registry record with an event in
// (snapshot, size] re-folded. nullopt when there is no usable snapshot. `events_read` gets the
// number of raw registry events read for the re-folds.
std::optional<RegistryState> registry_from_snapshot(SQLite::Database& db, std::uint64_t size,
                                                    const PublicKey& key,
                                                    std::uint64_t* snapshot_size = nullptr,
                                                    std::uint64_t* events_read = nullptr);

// Folds the registry at `at_size` (default: the ledger's head), signs it with `key` and stores it
// (a no-op if a snapshot of that size that checks with `key` exists; one that does not is
// replaced). Returns the tree size. Reads and writes through connections of its own, so neither
// the ledger's reader nor its writer waits for the fold. Throws std::invalid_argument if `key` is
// not the ledger's (ledger_meta's verifier key), std::out_of_range if at_size is beyond the head.
std::uint64_t write_registry_snapshot(Ledger& ledger, const SigningKey& key,
                                      std::optional<std::uint64_t> at_size = std::nullopt);

// What qledgerd runs periodically: a snapshot at the head unless the newest one already covers
// every registry event, then all but the newest `keep` deleted. Returns the newest's size.
std::uint64_t refresh_registry_snapshots(Ledger& ledger, const SigningKey& key, std::size_t keep);

}  // namespace qledger
