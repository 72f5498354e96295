// Swift-callable wrappers over libpci (pciutils).
//
// libpci has three kinds of API Swift cannot call directly:
//  - pci_lookup_name() is variadic;
//  - pci_set_param() takes a non-const `char *`;
//  - fatal errors go through `access->error`, a variadic callback documented as
//    "write error message and quit": by default it calls exit().
// The calls that can reach `access->error` are wrapped in the CLibPCIGuard target,
// which needs a C source file for its thread-local state.
#ifndef RIGCHECK_CLIBPCI_SHIM_H
#define RIGCHECK_CLIBPCI_SHIM_H

#include <pci/pci.h>
#include <stdlib.h>
#include <string.h>

/// Allocates an access object that reads sysfs only (never /proc/bus/pci or port I/O).
/// CLibPCIGuard's cpci_guard_install() then traps its fatal errors.
static inline struct pci_access *cpci_alloc_sysfs(void) {
  struct pci_access *access = pci_alloc();
  if (!access) return NULL;
  access->method = PCI_ACCESS_SYS_BUS_PCI;
  return access;
}

/// pci_set_param() with const strings. Returns 0 on success, -1 for an unknown parameter.
static inline int cpci_set_param(struct pci_access *access, const char *name, const char *value) {
  return pci_set_param(access, (char *)name, (char *)value);
}

/// Names devices from `path` (a pci.ids file) instead of the compiled-in default.
static inline void cpci_set_ids_file(struct pci_access *access, const char *path) {
  pci_set_name_list_path(access, strdup(path), 1);
}

static inline int cpci_lookup_vendor_kind(void) { return PCI_LOOKUP_VENDOR; }
static inline int cpci_lookup_device_kind(void) { return PCI_LOOKUP_DEVICE; }
static inline int cpci_lookup_class_kind(void) { return PCI_LOOKUP_CLASS; }
static inline int cpci_lookup_subsystem_kind(void) { return PCI_LOOKUP_SUBSYSTEM | PCI_LOOKUP_DEVICE; }

#endif
