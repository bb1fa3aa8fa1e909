// The command's operator new and delete. With mimalloc linked (ISODRV_WITH_MIMALLOC, see the top
// CMakeLists.txt), they call it directly instead of going through malloc's symbol, which saves an
// indirection on each of the few hundred allocations per checked INF; malloc itself already
// resolves to mimalloc because the command links it ahead of the C library. Without mimalloc this
// file is empty and the C++ runtime's own operators stay.
#if defined(ISODRV_WITH_MIMALLOC)
#include <mimalloc-new-delete.h>
#endif
