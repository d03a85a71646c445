// The qledger sub-commands. Each takes the words after its name and returns the exit code:
// 0 success, 1 a negative answer (tampered ledger, invalid proof, rejected input), 2 usage or I/O.
#pragma once

#include <string>
#include <vector>

namespace qledger::cli {

using Words = std::vector<std::string>;

struct Command {
  const char* name;
  const char* summary;
  const char* help;  // full usage text
  int (*run)(const Words& words);
};

const std::vector<Command>& commands();

int run_init(const Words& words);
int run_append(const Words& words);
int run_checkpoint(const Words& words);
int run_public_key(const Words& words);
int run_prove(const Words& words);
int run_verify_proof(const Words& words);
int run_verify(const Words& words);
int run_check(const Words& words);
int run_rebuild(const Words& words);
int run_overdue(const Words& words);
int run_erase_personal_data(const Words& words);
int run_calendar(const Words& words);
int run_report(const Words& words);
int run_snapshot(const Words& words);
int run_demo(const Words& words);
int run_user(const Words& words);
int run_token(const Words& words);
int run_import(const Words& words);
int run_export(const Words& words);
extern const char* const kDemoHelp;
extern const char* const kSnapshotHelp;
extern const char* const kImportHelp;
extern const char* const kExportHelp;
extern const char* const kReportHelp;

}  // namespace qledger::cli
