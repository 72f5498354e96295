// Extended attributes (sys/xattr.h), which Swift's Glibc module does not export: overlayfs
// marks opaque directories with trusted.overlay.opaque.
#include <sys/types.h>
#include <sys/xattr.h>
