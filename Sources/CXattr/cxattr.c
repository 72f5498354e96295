#include "cxattr.h"
