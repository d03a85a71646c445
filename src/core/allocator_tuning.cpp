#include "qledger/allocator_tuning.hpp"

#include <malloc.h>

namespace qledger {

void tune_allocator() {
#if defined(__GLIBC__) && defined(M_MXFAST)
  ::mallopt(M_MXFAST, 0);
#endif
}

}  // namespace qledger
