#include "qledger/allocator_tuning.hpp"

#if __has_include(<malloc.h>)
#include <malloc.h>
#endif

namespace qledger {

void tune_allocator() {
#if defined(M_MXFAST)
  ::mallopt(M_MXFAST, 0);
#endif
}

}  // namespace qledger
