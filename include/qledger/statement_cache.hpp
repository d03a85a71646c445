// Prepared statements of one SQLite connection, kept for reuse: the domain applier runs the same
// few lookups and projection writes for every event, and the accounts store looks up a token or
// session for every request; preparing them anew each time cost more than running them.
// Statements are keyed by their SQL text. Not thread-safe: one user at a time (the connection's).
#pragma once

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <map>
#include <memory>
#include <string>
#include <string_view>

namespace qledger {

class StatementCache {
 public:
  explicit StatementCache(SQLite::Database& db) : db_(db) {}
  StatementCache(const StatementCache&) = delete;
  StatementCache& operator=(const StatementCache&) = delete;

  // A statement in use; on destruction it is reset and its bindings cleared, so a read never
  // stays open and the next user starts clean. Statements may nest only if their SQL differs.
  class Use {
   public:
    explicit Use(SQLite::Statement& statement) : statement_(statement) {}
    ~Use();
    Use(const Use&) = delete;
    Use& operator=(const Use&) = delete;
    SQLite::Statement& operator*() const { return statement_; }
    SQLite::Statement* operator->() const { return &statement_; }

   private:
    SQLite::Statement& statement_;
  };

  Use use(std::string_view sql);
  SQLite::Database& db() const { return db_; }

 private:
  SQLite::Database& db_;
  std::map<std::string, std::unique_ptr<SQLite::Statement>, std::less<>> statements_;
};

}  // namespace qledger
