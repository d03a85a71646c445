// qledgerd: the HTTP daemon. Thin: reads the settings, opens the context, serves until SIGTERM
// or SIGINT, then drains (the Context destructor completes every acknowledged append).
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "access_log.hpp"
#include "config.hpp"
#include "context.hpp"
#include "qledger/allocator_tuning.hpp"
#include "server.hpp"
#include "snapshot_keeper.hpp"

int main(int argc, char** argv) {
  using namespace qledger::daemon;
  qledger::tune_allocator();
  Config config;
  try {
    config = load_config(std::vector<std::string>(argv + 1, argv + argc));
  } catch (const ConfigError& e) {
    if (std::string(e.what()) == "help") {
      std::cout << kUsage;
      return 0;
    }
    std::cerr << "qledgerd: " << e.what() << "\n" << kUsage;
    return 2;
  }
  if (const std::string warning = plain_http_warning(config); !warning.empty()) {
    std::cerr << "qledgerd: warning: " << warning << "\n";
  }
  try {
    Context ctx(config);
    if (!ctx.signing_key) {
      std::cerr << "qledgerd: warning: checkpoints unavailable: " << ctx.signing_key_problem
                << "\n";
    }
    std::optional<SnapshotKeeper> snapshots;  // stopped before the context closes the ledger
    if (ctx.signing_key && config.registry_snapshot_seconds > 0) {
      snapshots.emplace(*ctx.ledger, *ctx.signing_key,
                        std::chrono::seconds(config.registry_snapshot_seconds));
    }
    AccessLog log(std::cerr);
    Server server(ctx, config.access_log ? &log : nullptr);
    std::cerr << "qledgerd: listening on " << config.listen_address << ":" << server.port() << "\n";
    server.run(true);
    std::cerr << "qledgerd: stopped accepting; finishing\n";
  } catch (const std::exception& e) {
    std::cerr << "qledgerd: " << e.what() << "\n";
    return 1;
  }
  std::cerr << "qledgerd: stopped\n";
  return 0;
}
