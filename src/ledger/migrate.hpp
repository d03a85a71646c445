// Internal: brings an open ledger file's schema up to date (src/ledger only).
#pragma once

namespace SQLite {
class Database;
}

namespace qledger {
void migrate_ledger(SQLite::Database& db);
}
