// libarchive from Debian's libarchive-dev: the tar reader and its gzip/zstd filters, used to
// unpack image layers (ImageSources/LayerUnpacker).
#include <archive.h>
#include <archive_entry.h>
